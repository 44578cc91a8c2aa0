"""The summaries collection: keeping it, reading statistics from it.

See storage.mongo.rollups for the idea and the pure planning; this class
runs it against a database (``meter_summary`` collection, state in the
``ceilometer_proxy`` collection).

Summaries are trusted only while they are *complete*: a database created
empty by this driver is; a database that already held samples (say, one a
Ceilometer collector wrote) is not until ``ceilometer-proxy-dbsync
--rebuild-summaries`` has replayed its samples. Other programs writing
samples into the same database must be stopped, or
``[database] statistics_summaries`` turned off.
"""

import datetime

from oslo_log import log
import pymongo

from ceilometer_proxy.storage.mongo import rollups
from ceilometer_proxy.storage.mongo import utils as mongo_utils
from ceilometer_proxy.storage import statistics

LOG = log.getLogger(__name__)

STATE_ID = 'summaries'
REBUILD_BATCH = 10000
SUMMARY_FIELDS = ('bucket', 'count', 'sum', 'min', 'max', 'first', 'last',
                  'counter_unit') + rollups.GROUPABLE


class SummaryStore(object):
    """Summaries of one database.

    :param db: the pymongo Database.
    """

    def __init__(self, db):
        self.db = db
        self.summaries = db.meter_summary
        self.state = db.ceilometer_proxy

    # -- state ------------------------------------------------------------

    def initialise(self, meter):
        """Record whether summaries cover the existing samples."""
        if self.state.find_one({'_id': STATE_ID}) is not None:
            return
        complete = meter.find_one({}, projection={'_id': True}) is None
        try:
            self.state.insert_one({'_id': STATE_ID, 'complete': complete})
        except pymongo.errors.DuplicateKeyError:
            return
        if not complete:
            LOG.warning('The store holds samples without summaries; '
                        'statistics read raw samples until '
                        '`ceilometer-proxy-dbsync --rebuild-summaries`')

    def complete(self):
        state = self.state.find_one({'_id': STATE_ID})
        return bool(state and state.get('complete'))

    # -- writes -----------------------------------------------------------

    def add(self, docs):
        """Add stored sample documents to the summaries."""
        summaries = rollups.summaries_of(docs)
        if summaries:
            self.summaries.insert_many(summaries, ordered=False)

    def compact(self, before):
        """Merge the summary documents of buckets that start before
        ``before`` into one per series and bucket.

        The merged documents are written before the parts are deleted: a
        crash in between leaves both, which ``rebuild`` repairs; run it
        from one process at a time (the API's expirer or dbsync).
        """
        parts = list(self.summaries.find({'bucket': {'$lt': before}}))
        merged = rollups.merge(parts)
        if len(merged) == len(parts):
            return 0
        self.summaries.insert_many(merged, ordered=False)
        ids = [p['_id'] for p in parts]
        for start in range(0, len(ids), REBUILD_BATCH):
            self.summaries.delete_many(
                {'_id': {'$in': ids[start:start + REBUILD_BATCH]}})
        return len(parts) - len(merged)

    def rebuild(self, meter):
        """Recompute every summary from the raw samples."""
        self.state.update_one({'_id': STATE_ID},
                              {'$set': {'complete': False}}, upsert=True)
        self.summaries.delete_many({})
        count = self._replay(meter, {})
        self.state.update_one({'_id': STATE_ID},
                              {'$set': {'complete': True}})
        return count

    def _replay(self, meter, query):
        projection = {f: True for f in rollups.DIMENSIONS +
                      ('timestamp', 'counter_volume')}
        batch, count = [], 0
        for doc in meter.find(query, projection=projection,
                              batch_size=REBUILD_BATCH):
            batch.append(doc)
            if len(batch) >= REBUILD_BATCH:
                self.add(batch)
                count += len(batch)
                batch = []
        self.add(batch)
        return count + len(batch)

    def expire(self, meter, cutoff):
        """Forget summaries of samples before cutoff (already deleted).

        Buckets the cutoff falls into are recomputed from the samples left.
        """
        coarsest = rollups.LEVELS[0]
        hour = rollups.floor_to(cutoff, coarsest)
        self.summaries.delete_many(
            {'bucket': {'$lt': rollups.ceil_to(cutoff, coarsest)}})
        self._replay(meter, {'timestamp': {
            '$gte': hour, '$lt': hour + datetime.timedelta(seconds=coarsest)}})

    # -- reads ------------------------------------------------------------

    def statistics(self, meter, sample_filter, query, period, groupby,
                   aggregates):
        """Statistics from summaries plus raw samples at the edges."""
        dims = {k: v for k, v in query.items() if k in rollups.DIMENSIONS}
        origin = sample_filter.start_timestamp
        known = None
        if period and origin is None:
            # The origin is the first matching sample: read the summaries
            # once, take it from them, and reuse them below.
            origin, known = self._first_timestamp(meter, sample_filter,
                                                  query, dims)
            if origin is None:
                return []
        plan = rollups.plan(sample_filter.start_timestamp,
                            sample_filter.start_timestamp_op,
                            sample_filter.end_timestamp,
                            sample_filter.end_timestamp_op,
                            period or 0, origin)
        LOG.debug('statistics plan %s', plan)
        builder = statistics.StatisticsBuilder(
            period=period, origin=origin, groupby=groupby,
            aggregates=aggregates)
        if plan.level is not None:
            if known is not None and plan.level == rollups.LEVELS[-1]:
                docs = known
            else:
                docs = self._summaries(plan.level, dims, plan.start, plan.end)
            builder.add_summaries(
                doc for doc in docs
                if doc['bucket'] not in plan.skip and
                (plan.start is None or doc['bucket'] >= plan.start) and
                (plan.end is None or doc['bucket'] < plan.end))
        if plan.raw:
            raw = {k: v for k, v in query.items() if k != 'timestamp'}
            ranges = [mongo_utils.make_timestamp_range(s, e, so, eo)
                      for s, so, e, eo in plan.raw]
            ranges = [{'timestamp': r} if r else {} for r in ranges]
            if len(ranges) == 1:
                raw.update(ranges[0])
            else:
                raw['$or'] = ranges
            builder.add(meter.find(raw, projection=builder.projection,
                                   batch_size=REBUILD_BATCH))
        return builder.results()

    def _summaries(self, level, dims, start, end):
        q = dict(dims, level=level)
        bounds = {}
        if start is not None:
            bounds['$gte'] = start
        if end is not None:
            bounds['$lt'] = end
        if bounds:
            q['bucket'] = bounds
        return self.summaries.find(q, projection=dict.fromkeys(
            SUMMARY_FIELDS, True), batch_size=REBUILD_BATCH)

    def _first_timestamp(self, meter, sample_filter, query, dims):
        """The first sample the query matches, and the summaries read.

        Summaries cover whole buckets up to the query's end; only when
        none match is the raw tail after the last whole bucket read.
        """
        level = rollups.LEVELS[-1]
        end = sample_filter.end_timestamp
        covered_end = None
        if end is not None:
            last = end if sample_filter.end_timestamp_op == 'le' else (
                end - rollups.MS)
            covered_end = rollups.floor_to(last + rollups.MS, level)
        docs = list(self._summaries(level, dims, None, covered_end))
        if docs:
            return min(d['first'] for d in docs), docs
        if covered_end is None:
            return None, docs
        edge = dict(query, timestamp=mongo_utils.make_timestamp_range(
            covered_end, end, 'ge', sample_filter.end_timestamp_op))
        doc = meter.find_one(edge, projection={'timestamp': True},
                             sort=[('timestamp', 1)])
        return (doc['timestamp'] if doc else None), docs
