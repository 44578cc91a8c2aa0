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

Each scope of rollups.SCOPES has a collection: ``meter_summary`` (the
series), ``meter_summary_project`` and ``meter_summary_meter``. The coarse
ones are read only once they are complete too (state ``scopes``): a store
whose summaries predate them reads the series until a rebuild.
"""

import datetime

from oslo_log import log
import pymongo

from ceilometer_proxy.storage.mongo import rollups
from ceilometer_proxy.storage.mongo import utils as mongo_utils
from ceilometer_proxy.storage import statistics

LOG = log.getLogger(__name__)

STATE_ID = 'summaries'
COLLECTIONS = {'series': 'meter_summary',
               'project': 'meter_summary_project',
               'meter': 'meter_summary_meter'}
REBUILD_BATCH = 10000
SUMMARY_FIELDS = ('bucket', 'count', 'sum', 'min', 'max', 'first', 'last',
                  'counter_unit') + rollups.GROUPABLE


def query_fields(query, groupby, aggregates):
    """The dimensions a statistics query filters on, groups by or counts
    distinct values of: what the scope it reads must hold."""
    fields = {k for k in query if k in rollups.DIMENSIONS}
    fields.update(groupby or ())
    fields.update(a.param for a in aggregates or ()
                  if a.func == 'cardinality' and a.param)
    return fields


class SummaryStore(object):
    """Summaries of one database.

    :param db: the pymongo Database.
    """

    def __init__(self, db):
        self.db = db
        self.state = db.ceilometer_proxy
        #: {scope: collection}, coarsest first.
        self.collections = {
            name: db[COLLECTIONS[name]] for name, _dims in rollups.SCOPES}

    def scopes(self):
        """(scope, collection, dimensions) of every scope."""
        return [(name, self.collections[name], dims)
                for name, dims in rollups.SCOPES]

    def clear(self):
        """Delete every summary (tests and rebuilds)."""
        for collection in self.collections.values():
            collection.delete_many({})

    # -- state ------------------------------------------------------------

    def initialise(self, meter):
        """Record whether summaries cover the existing samples."""
        if self.state.find_one({'_id': STATE_ID}) is not None:
            return
        complete = meter.find_one({}, projection={'_id': True}) is None
        try:
            self.state.insert_one({'_id': STATE_ID, 'complete': complete,
                                   'scopes': complete})
        except pymongo.errors.DuplicateKeyError:
            return
        if not complete:
            LOG.warning('The store holds samples without summaries; '
                        'statistics read raw samples until '
                        '`ceilometer-proxy-dbsync --rebuild-summaries`')

    def complete(self):
        state = self.state.find_one({'_id': STATE_ID})
        return bool(state and state.get('complete'))

    def scope_to_read(self, fields):
        """The scope a query on ``fields`` reads: the coarsest holding
        them once the coarse scopes are complete, else the series; None
        while the summaries are incomplete (one read of the state)."""
        state = self.state.find_one({'_id': STATE_ID}) or {}
        if not state.get('complete'):
            return None
        if not state.get('scopes'):
            return 'series'
        return rollups.scope_for(fields)

    # -- writes -----------------------------------------------------------

    def add(self, docs):
        """Add stored sample documents to the summaries of every scope."""
        for _name, collection, dims in self.scopes():
            summaries = rollups.summaries_of(docs, dims)
            if summaries:
                collection.insert_many(summaries, ordered=False)

    def compact(self, before):
        """Merge the summary documents of buckets that start before
        ``before`` into one per series and bucket.

        The merged documents are written before the parts are deleted: a
        crash in between leaves both, which ``rebuild`` repairs; run it
        from one process at a time (the API's expirer or dbsync).
        """
        saved = 0
        for _name, collection, dims in self.scopes():
            parts = list(collection.find({'bucket': {'$lt': before}}))
            merged = rollups.merge(parts, dims)
            if len(merged) == len(parts):
                continue
            collection.insert_many(merged, ordered=False)
            ids = [p['_id'] for p in parts]
            for start in range(0, len(ids), REBUILD_BATCH):
                collection.delete_many(
                    {'_id': {'$in': ids[start:start + REBUILD_BATCH]}})
            saved += len(parts) - len(merged)
        return saved

    def rebuild(self, meter):
        """Recompute every summary from the raw samples."""
        self.state.update_one({'_id': STATE_ID},
                              {'$set': {'complete': False, 'scopes': False}},
                              upsert=True)
        self.clear()
        count = self._replay(meter, {})
        self.state.update_one({'_id': STATE_ID},
                              {'$set': {'complete': True, 'scopes': True}})
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
        for collection in self.collections.values():
            collection.delete_many(
                {'bucket': {'$lt': rollups.ceil_to(cutoff, coarsest)}})
        self._replay(meter, {'timestamp': {
            '$gte': hour, '$lt': hour + datetime.timedelta(seconds=coarsest)}})

    # -- reads ------------------------------------------------------------

    def statistics(self, meter, sample_filter, query, period, groupby,
                   aggregates, scope):
        """Statistics from the summaries of ``scope`` (scope_to_read())
        plus raw samples at the edges."""
        dims = {k: v for k, v in query.items() if k in rollups.DIMENSIONS}
        collection = self.collections[scope]
        origin = sample_filter.start_timestamp
        known = None
        if period and origin is None:
            # The origin is the first matching sample: read the summaries
            # once, take it from them, and reuse them below.
            origin, known = self._first_timestamp(
                collection, meter, sample_filter, query, dims)
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
                docs = self._summaries(collection, plan.level, dims,
                                       plan.start, plan.end)
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

    def _summaries(self, collection, level, dims, start, end):
        q = dict(dims, level=level)
        bounds = {}
        if start is not None:
            bounds['$gte'] = start
        if end is not None:
            bounds['$lt'] = end
        if bounds:
            q['bucket'] = bounds
        return collection.find(q, projection=dict.fromkeys(
            SUMMARY_FIELDS, True), batch_size=REBUILD_BATCH)

    def _first_timestamp(self, collection, meter, sample_filter, query,
                         dims):
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
        docs = list(self._summaries(collection, level, dims, None,
                                    covered_end))
        if docs:
            return min(d['first'] for d in docs), docs
        if covered_end is None:
            return None, docs
        edge = dict(query, timestamp=mongo_utils.make_timestamp_range(
            covered_end, end, 'ge', sample_filter.end_timestamp_op))
        doc = meter.find_one(edge, projection={'timestamp': True},
                             sort=[('timestamp', 1)])
        return (doc['timestamp'] if doc else None), docs
