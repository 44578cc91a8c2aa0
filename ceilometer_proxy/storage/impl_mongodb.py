"""Local-mode storage on any MongoDB-wire server (MongoDB, FerretDB).

Collections follow Ceilometer's MongoDB driver, so an existing Ceilometer
database can be served as it is:

- ``meter``: one document per sample (Ceilometer's metering message fields
  plus ``recorded_at``); new samples take their ``message_id`` as ``_id``,
  so redelivery is harmless and lookups by id use the primary key;
- ``resource``: one document per resource (``_id`` = resource id) with its
  latest metadata, owner, ``first/last_sample_timestamp`` kept by ``$min`` /
  ``$max`` on write and the ``meter`` list seen for it;
- ``meter_summary``: hourly summaries of every series,
  from which statistics are answered (storage.mongo.rollups).

Only operations both MongoDB and FerretDB v1 implement are used: statistics
are folded in Python from a projected cursor (storage.statistics) and
expiry is a periodic delete rather than a TTL index.
"""

import datetime
import hashlib

from oslo_log import log
import pymongo
import pymongo.errors

from ceilometer_proxy import storage
from ceilometer_proxy.storage import base
from ceilometer_proxy.storage import models
from ceilometer_proxy.storage.mongo import read_ahead
from ceilometer_proxy.storage.mongo import rollups
from ceilometer_proxy.storage.mongo import summary_store
from ceilometer_proxy.storage.mongo import utils as mongo_utils
from ceilometer_proxy.storage import statistics
from ceilometer_proxy import utils

LOG = log.getLogger(__name__)

STREAM_BATCH = 20000
# Documents a scan folds while its reader thread fetches the next ones.
READ_AHEAD_CHUNK = 1000
# FerretDB v1 (SQLite) keeps one pooled SQL connection per matched update
# until the whole update command ends, and its pool (per database) has 100:
# concurrent commands holding 100 between them deadlock the server. On it,
# resource upserts go one per command; MongoDB takes them in large bulks.
UPDATES_PER_COMMAND = {True: 1, False: 1000}

AVAILABLE_CAPABILITIES = {
    'meters': {'query': {'simple': True, 'metadata': True}},
    'resources': {'query': {'simple': True, 'metadata': True}},
    'samples': {'query': {'simple': True, 'metadata': True,
                          'complex': True}},
    'statistics': {'groupby': True,
                   'query': {'simple': True, 'metadata': True},
                   'aggregation': {'standard': True,
                                   'selectable': {
                                       name: True for name in
                                       base.SELECTABLE_AGGREGATES}}},
}

METER_INDEXES = [
    ('meter_name_timestamp_idx', [('counter_name', pymongo.ASCENDING),
                                  ('timestamp', pymongo.ASCENDING)], {}),
    ('meter_resource_name_timestamp_idx',
     [('resource_id', pymongo.ASCENDING), ('counter_name', pymongo.ASCENDING),
      ('timestamp', pymongo.ASCENDING)], {}),
    ('meter_project_name_timestamp_idx',
     [('project_id', pymongo.ASCENDING), ('counter_name', pymongo.ASCENDING),
      ('timestamp', pymongo.ASCENDING)], {}),
    ('timestamp_idx', [('timestamp', pymongo.DESCENDING)], {}),
    ('meter_message_id_idx', [('message_id', pymongo.ASCENDING)], {}),
]

RESOURCE_INDEXES = [
    ('resource_user_project_timestamp',
     [('user_id', pymongo.DESCENDING), ('project_id', pymongo.DESCENDING),
      ('last_sample_timestamp', pymongo.DESCENDING)], {}),
    ('last_sample_timestamp_idx',
     [('last_sample_timestamp', pymongo.DESCENDING)], {}),
    ('resource_project_idx', [('project_id', pymongo.ASCENDING)], {}),
]

SUMMARY_INDEXES = [
    ('summary_name_level_bucket_idx',
     [('counter_name', pymongo.ASCENDING), ('level', pymongo.ASCENDING),
      ('bucket', pymongo.ASCENDING)], {}),
    ('summary_bucket_idx', [('bucket', pymongo.ASCENDING)], {}),
]

RESOURCE_SORT = [('user_id', pymongo.DESCENDING),
                 ('project_id', pymongo.DESCENDING),
                 ('last_sample_timestamp', pymongo.DESCENDING)]


def _resource_query(user, project, resource, source, metaquery):
    """The resource-collection filter of get_meters/get_resources."""
    q = mongo_utils.make_metaquery(metaquery)
    for key, value in (('user_id', user), ('project_id', project),
                       ('_id', resource), ('source', source)):
        if value is not None:
            q[key] = value
    return q


def _as_datetime(value):
    if isinstance(value, datetime.datetime):
        return utils.naive_utc(value)
    return utils.naive_utc(datetime.datetime.fromisoformat(
        str(value).replace('Z', '+00:00')))


def _batch_key(docs):
    """The same text for the same set of samples, whatever their order."""
    digest = hashlib.sha1()
    for message_id in sorted({str(d['_id']) for d in docs}):
        digest.update(message_id.encode('utf-8') + b'\0')
    return digest.hexdigest()


def _summary_id(key, summary):
    dims = tuple(summary.get(d) for d in rollups.DIMENSIONS)
    return hashlib.sha1(repr((key, summary['level'], summary['bucket'],
                              dims)).encode('utf-8')).hexdigest()


class Connection(mongo_utils.ServerConnection, base.Connection):
    """MongoDB-wire storage driver (``mongodb://`` URLs)."""

    CAPABILITIES = utils.update_nested(base.Connection.CAPABILITIES,
                                       AVAILABLE_CAPABILITIES)
    STORAGE_CAPABILITIES = {'storage': {'production_ready': True}}

    def __init__(self, conf, url):
        super().__init__(conf, url)
        self.client, self.db = mongo_utils.connect(conf, url,
                                                   'ceilometer-proxy')
        self.meter = self.db.meter
        self.resource = self.db.resource
        self.summaries = summary_store.SummaryStore(self.db)

    @mongo_utils.translate_errors
    def upgrade(self):
        """Create the indexes (none on FerretDB: see below); idempotent."""
        mongo_utils.ensure_collections(self.db, ('meter', 'resource') + tuple(
            summary_store.COLLECTIONS.values()))
        self.summaries.initialise(self.meter)
        if self.is_ferretdb():
            # FerretDB v1 (SQLite) pushes no filter but ``_id`` equality
            # down to its tables: secondary indexes would cost every insert
            # and serve no query.
            LOG.info('FerretDB store: secondary indexes skipped')
            return
        for coll, indexes in ((self.meter, METER_INDEXES),
                              (self.resource, RESOURCE_INDEXES)) + tuple(
                (c, SUMMARY_INDEXES)
                for c in self.summaries.collections.values()):
            existing = coll.index_information()
            for name, keys, extra in indexes:
                if name in existing:
                    continue
                coll.create_index(keys, name=name, **extra)

    @mongo_utils.translate_errors
    def rebuild_summaries(self):
        """Recompute statistics summaries from every stored sample."""
        return self.summaries.rebuild(self.meter)

    @mongo_utils.translate_errors
    def compact_summaries(self):
        """Merge the summaries of past hours; returns documents saved."""
        return self.summaries.compact(rollups.floor_to(
            utils.utcnow(), rollups.LEVELS[0]))

    def clear(self):
        """Drop the whole database (tests)."""
        self.client.drop_database(self.db.name)

    # -- writes -----------------------------------------------------------

    @mongo_utils.writes
    def record_metering_data_batch(self, samples):
        """Store a batch; returns how many samples were new.

        Safe to call again with the same batch after a failure (the
        collector retries through store outages): samples are keyed by
        message_id, resources are updated idempotently, and the summaries
        of a batch have ids derived from the batch (``batch`` field of its
        samples), so a retry adds those a failed attempt did not write and
        nothing twice. Samples redelivered in another batch are neither
        stored nor summarised again.
        """
        if not samples:
            return 0
        now = utils.to_millis(utils.utcnow())
        docs = []
        for data in samples:
            doc = dict(data)
            doc['timestamp'] = utils.to_millis(_as_datetime(doc['timestamp']))
            doc['resource_metadata'] = mongo_utils.improve_keys(
                doc.get('resource_metadata') or {})
            doc['recorded_at'] = now
            doc['_id'] = doc['message_id']
            docs.append(doc)
        key = _batch_key(docs)
        for doc in docs:
            doc['batch'] = key
        # A marker while the batch is being written: finding one tells
        # that an attempt at this very batch failed part way.
        retried = not mongo_utils.insert_new(self.db.meter_batch,
                                             [{'_id': key}])
        refused = []
        stored, seen = self._insert_samples(docs, refused)
        refused_ids = {r['_id'] for r, _ in refused}
        kept = [d for d in docs if d['_id'] not in refused_ids]
        if kept:
            self._update_resources(kept)
        earlier = self._earlier_attempts(key, seen) if retried else []
        self._summarise(key, stored + earlier)
        self.db.meter_batch.delete_one({'_id': key})
        if refused:
            # The others are stored: say which were not and how many new.
            err = storage.InvalidData(refused[0][1])
            err.refused_ids = [r['message_id'] for r, _ in refused]
            err.new_count = len(stored)
            raise err
        return len(stored)

    def _earlier_attempts(self, key, seen):
        """Samples already stored by an earlier attempt at this batch."""
        if not seen:
            return []
        # One lookup by _id each (what FerretDB finds without scanning):
        # only a batch whose earlier attempt failed part way comes here.
        return [d for d in seen
                if (self.meter.find_one({'_id': d['_id']},
                                        projection={'batch': True}) or
                    {}).get('batch') == key]

    def _summarise(self, key, docs):
        unique = {d['_id']: d for d in docs}
        for _scope, collection, dims in self.summaries.scopes():
            summaries = rollups.summaries_of(list(unique.values()), dims)
            for summary in summaries:
                summary['_id'] = _summary_id(key, summary)
            mongo_utils.insert_new(collection, summaries)

    def _insert_samples(self, docs, refused):
        """Insert; return (documents that were new, those already there).
        """
        new = mongo_utils.insert_new(self.meter, docs, refused)
        if len(new) == len(docs):
            return docs, []
        ids = {d['_id'] for d in new}
        ids.update(r['_id'] for r, _ in refused)
        return new, [d for d in docs if d['_id'] not in ids]

    def _update_resources(self, docs):
        latest = {}
        for doc in docs:
            rid = doc['resource_id']
            entry = latest.get(rid)
            if entry is None:
                entry = latest[rid] = {'newest': doc, 'oldest': doc,
                                       'meters': {}}
            if doc['timestamp'] >= entry['newest']['timestamp']:
                entry['newest'] = doc
            if doc['timestamp'] < entry['oldest']['timestamp']:
                entry['oldest'] = doc
            meter = {'counter_name': doc['counter_name'],
                     'counter_type': doc['counter_type'],
                     'counter_unit': doc.get('counter_unit', '')}
            entry['meters'][tuple(meter.values())] = meter
        # Metadata follows the newest sample: it is replaced only when this
        # batch holds a sample newer than the stored last one. Reading the
        # stored timestamps first (one query) keeps every update keyed by
        # _id alone, which FerretDB looks up instead of scanning.
        stored_last = {
            r['_id']: r.get('last_sample_timestamp')
            for r in self.resource.find(
                {'_id': {'$in': list(latest)}},
                projection={'last_sample_timestamp': True})}
        ops = []
        for rid, entry in latest.items():
            newest = entry['newest']
            update = {'project_id': newest.get('project_id'),
                      'user_id': newest.get('user_id'),
                      'source': newest.get('source')}
            last = stored_last.get(rid)
            if last is None or last <= newest['timestamp']:
                update['metadata'] = newest['resource_metadata']
            ops.append(pymongo.UpdateOne(
                {'_id': rid},
                {'$set': update,
                 '$min': {'first_sample_timestamp':
                          entry['oldest']['timestamp']},
                 '$max': {'last_sample_timestamp': newest['timestamp']},
                 '$addToSet': {'meter': {
                     '$each': list(entry['meters'].values())}}},
                upsert=True))
        step = UPDATES_PER_COMMAND[self.is_ferretdb()]
        for start in range(0, len(ops), step):
            self.resource.bulk_write(ops[start:start + step], ordered=False)

    @mongo_utils.translate_errors
    def clear_expired_metering_data(self, ttl):
        if ttl <= 0:
            return 0
        cutoff = utils.utcnow() - datetime.timedelta(seconds=ttl)
        removed = self.meter.delete_many({'timestamp': {'$lt': cutoff}})
        self.resource.delete_many({'last_sample_timestamp': {'$lt': cutoff}})
        self.summaries.expire(self.meter, cutoff)
        LOG.info('Expired %d samples older than %s', removed.deleted_count,
                 cutoff)
        return removed.deleted_count

    # -- reads ------------------------------------------------------------

    @mongo_utils.reads
    def get_meters(self, user=None, project=None, resource=None, source=None,
                   metaquery=None, limit=None):
        if limit == 0:
            return
        q = _resource_query(user, project, resource, source, metaquery)
        count = 0
        for r in self.resource.find(q).sort('_id', pymongo.ASCENDING):
            for meter in r.get('meter', []):
                if limit and count >= limit:
                    return
                count += 1
                yield models.Meter(
                    name=meter['counter_name'],
                    type=meter['counter_type'],
                    unit=meter.get('counter_unit', ''),
                    resource_id=r['_id'],
                    project_id=r.get('project_id'),
                    source=r.get('source'),
                    user_id=r.get('user_id'))

    @mongo_utils.reads
    def get_samples(self, sample_filter, limit=None):
        if limit == 0:
            return
        q = mongo_utils.make_query_from_filter(sample_filter,
                                               require_meter=False)
        if sample_filter.message_id:
            yield from self._find_by_message_id(q.pop('message_id'), q)
            return
        yield from self._retrieve_samples(
            q, [('timestamp', pymongo.DESCENDING)], limit)

    def _find_by_message_id(self, message_id, conditions):
        """One sample by id, through the primary key.

        Samples stored by this driver have their message_id as _id; ones
        written by Ceilometer itself have an ObjectId and are found by the
        field. The other conditions are checked here, so the store is asked
        only for ``_id`` (the one lookup FerretDB v1 does not scan for).
        """
        doc = (self.meter.find_one({'_id': message_id}) or
               self.meter.find_one({'message_id': message_id}))
        if doc is not None and mongo_utils.matches(doc, conditions):
            yield self._to_sample(doc)

    @mongo_utils.reads
    def query_samples(self, filter_expr=None, orderby=None, limit=None):
        if limit == 0:
            return
        transformer = mongo_utils.QueryTransformer()
        sort = [('timestamp', pymongo.DESCENDING)]
        if orderby:
            sort = transformer.transform_orderby(orderby)
        q = transformer.transform_filter(filter_expr) if filter_expr else {}
        yield from self._retrieve_samples(q, sort, limit)

    def _retrieve_samples(self, query, sort, limit):
        cursor = self.meter.find(query, sort=sort)
        if limit:
            cursor = cursor.limit(limit)
        for doc in cursor:
            yield self._to_sample(doc)

    @staticmethod
    def _to_sample(doc):
        values = {k: doc.get(k) for k in models.Sample.FIELDS}
        values['counter_unit'] = values['counter_unit'] or ''
        if values['counter_volume'] is not None:
            values['counter_volume'] = float(values['counter_volume'])
        values['resource_metadata'] = mongo_utils.unquote_keys(
            values['resource_metadata'] or {})
        return models.Sample(**values)

    @mongo_utils.reads
    def get_resources(self, user=None, project=None, source=None,
                      start_timestamp=None, start_timestamp_op=None,
                      end_timestamp=None, end_timestamp_op=None,
                      metaquery=None, resource=None, limit=None):
        if limit == 0:
            return
        if start_timestamp or end_timestamp:
            found = self._time_constrained_resources(
                user, project, source, metaquery, resource,
                mongo_utils.make_timestamp_range(
                    start_timestamp, end_timestamp,
                    start_timestamp_op, end_timestamp_op))
            found.sort(key=lambda r: r.last_sample_timestamp, reverse=True)
            found.sort(key=lambda r: (r.user_id or '', r.project_id or ''),
                       reverse=True)
            yield from found[:limit] if limit else found
            return
        q = _resource_query(user, project, resource, source, metaquery)
        cursor = self.resource.find(q, sort=RESOURCE_SORT)
        if limit:
            cursor = cursor.limit(limit)
        for r in cursor:
            yield models.Resource(
                resource_id=r['_id'],
                user_id=r.get('user_id'),
                project_id=r.get('project_id'),
                source=r.get('source'),
                first_sample_timestamp=r.get('first_sample_timestamp'),
                last_sample_timestamp=r.get('last_sample_timestamp'),
                metadata=mongo_utils.unquote_keys(r.get('metadata') or {}))

    def _time_constrained_resources(self, user, project, source, metaquery,
                                    resource, ts_range):
        """Resources as seen by the samples inside a time range.

        Owner and first timestamp come from the earliest matching sample,
        metadata and last timestamp from the latest, as Ceilometer reported
        them. One distinct() plus two indexed lookups per resource, instead
        of streaming every sample of the range.
        """
        q = mongo_utils.make_metaquery(metaquery, prefix='resource_')
        for key, value in (('user_id', user), ('project_id', project),
                           ('resource_id', resource), ('source', source)):
            if value is not None:
                q[key] = value
        q['timestamp'] = ts_range
        found = []
        for rid in self.meter.distinct('resource_id', q):
            rq = dict(q, resource_id=rid)
            first = self.meter.find_one(rq, sort=[('timestamp', 1)])
            last = self.meter.find_one(rq, sort=[('timestamp', -1)])
            if first is None or last is None:
                continue
            found.append(models.Resource(
                resource_id=rid,
                user_id=first.get('user_id'),
                project_id=first.get('project_id'),
                source=first.get('source'),
                first_sample_timestamp=first['timestamp'],
                last_sample_timestamp=last['timestamp'],
                metadata=mongo_utils.unquote_keys(
                    last.get('resource_metadata') or {})))
        return found

    def _summary_scope(self, sample_filter, query, groupby, aggregate):
        """The summary scope get_meter_statistics reads (rollups.SCOPES),
        or None when it scans the samples."""
        if not (self.conf.database.statistics_summaries and
                rollups.usable_for(sample_filter, groupby, aggregate)):
            return None
        return self.summaries.scope_to_read(
            summary_store.query_fields(query, groupby, aggregate))

    @mongo_utils.translate_errors
    def statistics_source(self, sample_filter, groupby=None, aggregate=None):
        """What get_meter_statistics reads: ``scan`` (the samples) or
        ``summaries:<scope>`` (rollups.SCOPES)."""
        scope = self._summary_scope(
            sample_filter, mongo_utils.make_query_from_filter(sample_filter),
            groupby, aggregate)
        return 'summaries:' + scope if scope else 'scan'

    @mongo_utils.reads
    def get_meter_statistics(self, sample_filter, period=None, groupby=None,
                             aggregate=None):
        q = mongo_utils.make_query_from_filter(sample_filter)
        scope = self._summary_scope(sample_filter, q, groupby, aggregate)
        if scope:
            return self.summaries.statistics(self.meter, sample_filter, q,
                                             period, groupby, aggregate,
                                             scope)
        origin = sample_filter.start_timestamp
        if period and origin is None:
            first = self.meter.find_one(q, projection={'timestamp': True},
                                        sort=[('timestamp', 1)])
            if first is None:
                return []
            origin = first['timestamp']
        builder = statistics.StatisticsBuilder(
            period=period, origin=origin, groupby=groupby,
            aggregates=aggregate)
        cursor = self.meter.find(q, projection=builder.projection,
                                 batch_size=STREAM_BATCH)
        builder.add(read_ahead.read_ahead(cursor, READ_AHEAD_CHUNK))
        return builder.results()
