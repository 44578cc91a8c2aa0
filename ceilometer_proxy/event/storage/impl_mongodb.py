"""Event storage on any MongoDB-wire server (MongoDB, FerretDB).

Documents follow Ceilometer's MongoDB event layout, so its databases read
back: collection ``event``, ``_id`` = message id, ``event_type``,
``timestamp`` (when generated), ``traits`` as a list of ``trait_name`` /
``trait_type`` (Ceilometer's type numbers) / ``trait_value``, and ``raw``.

Two small collections are kept on write so that listing event types and
their trait names never scans the events: ``event_type`` (``_id`` = the
type) and ``event_trait_type`` (one document per type, trait name and data
type). They are written with unordered inserts that skip known ids, so a
redelivered batch costs nothing there either.

On MongoDB a trait filter is an ``$elemMatch`` served by the traits index.
FerretDB v1 has no ``$elemMatch`` on documents, so there the server gets
a wider filter (any trait with that value) and every condition is checked
exactly here before ``limit`` is applied.
"""

import datetime
import operator

from oslo_log import log
import pymongo

from ceilometer_proxy.event.storage import base
from ceilometer_proxy.event import models
from ceilometer_proxy import storage
from ceilometer_proxy.storage.mongo import utils as mongo_utils
from ceilometer_proxy import utils

LOG = log.getLogger(__name__)

AVAILABLE_CAPABILITIES = {'events': {'query': {'simple': True}}}
COLLECTIONS = ('event', 'event_type', 'event_trait_type')

NEWEST_FIRST = [('timestamp', pymongo.DESCENDING), ('_id', pymongo.ASCENDING)]
VALUE_KEYS = {'string': models.Trait.TEXT_TYPE,
              'integer': models.Trait.INT_TYPE,
              'float': models.Trait.FLOAT_TYPE,
              'datetime': models.Trait.DATETIME_TYPE}
MONGO_OPERATORS = {'eq': '$eq', 'ne': '$ne', 'lt': '$lt', 'le': '$lte',
                   'gt': '$gt', 'ge': '$gte'}
PYTHON_OPERATORS = {'eq': operator.eq, 'ne': operator.ne, 'lt': operator.lt,
                    'le': operator.le, 'gt': operator.gt, 'ge': operator.ge}

EVENT_INDEXES = [
    ('event_type_timestamp_idx', [('event_type', pymongo.ASCENDING),
                                  ('timestamp', pymongo.DESCENDING)]),
    ('event_timestamp_idx', [('timestamp', pymongo.DESCENDING)]),
    ('event_traits_idx', [('traits.trait_name', pymongo.ASCENDING),
                          ('traits.trait_value', pymongo.ASCENDING)]),
]


def trait_conditions(event_filter):
    """(name, dtype, op, value) of every trait condition of a filter,
    the caller's project included."""
    conditions = []
    for trait_filter in event_filter.traits_filter:
        op = trait_filter.get('op') or 'eq'
        for key, dtype in VALUE_KEYS.items():
            if trait_filter.get(key) is not None:
                conditions.append((trait_filter['key'], dtype, op,
                                   trait_filter[key]))
    if event_filter.project is not None:
        conditions.append(('project_id', models.Trait.TEXT_TYPE, 'eq',
                           event_filter.project))
    return conditions


def _event_query(event_filter, exact):
    """The server-side filter; ``exact`` when the server has $elemMatch."""
    q = {}
    if event_filter.message_id is not None:
        q['_id'] = event_filter.message_id
    if event_filter.event_type is not None:
        q['event_type'] = event_filter.event_type
    when = {}
    if event_filter.start_timestamp is not None:
        when['$gte'] = event_filter.start_timestamp
    if event_filter.end_timestamp is not None:
        when['$lte'] = event_filter.end_timestamp
    if when:
        q['timestamp'] = when
    matches = []
    for name, dtype, op, value in trait_conditions(event_filter):
        if exact:
            matches.append({'traits': {'$elemMatch': {
                'trait_name': name, 'trait_type': dtype,
                'trait_value': {MONGO_OPERATORS[op]: value}}}})
        elif op == 'eq':
            matches.append({'traits.trait_value': value})
    if matches:
        q['$and'] = matches
    return q


def _holds(doc, conditions):
    """Whether an event document satisfies every trait condition."""
    traits = doc.get('traits') or ()
    for name, dtype, op, value in conditions:
        compare = PYTHON_OPERATORS[op]
        if not any(t.get('trait_name') == name and
                   t.get('trait_type') == dtype and
                   _comparable(t.get('trait_value'), value) and
                   compare(t.get('trait_value'), value) for t in traits):
            return False
    return True


def _comparable(stored, wanted):
    if isinstance(wanted, datetime.datetime):
        return isinstance(stored, datetime.datetime)
    if isinstance(wanted, (int, float)):
        return (isinstance(stored, (int, float)) and
                not isinstance(stored, bool))
    return isinstance(stored, str)


def _to_event(doc):
    traits = [models.Trait(t.get('trait_name'), t.get('trait_type'),
                           t.get('trait_value'))
              for t in doc.get('traits') or ()]
    return models.Event(message_id=str(doc['_id']),
                        event_type=doc.get('event_type'),
                        generated=doc.get('timestamp'),
                        traits=traits, raw=doc.get('raw') or {})


def _to_doc(event):
    return {'_id': event.message_id, 'event_type': event.event_type,
            'timestamp': utils.to_millis(utils.naive_utc(event.generated)),
            'traits': [{'trait_name': t.name, 'trait_type': t.dtype,
                        'trait_value': t.value}
                       for t in event.traits or ()],
            'raw': event.raw or {}}


class Connection(mongo_utils.ServerConnection, base.Connection):
    """MongoDB-wire event storage driver (``mongodb://`` URLs)."""

    CAPABILITIES = utils.update_nested(base.Connection.CAPABILITIES,
                                       AVAILABLE_CAPABILITIES)
    STORAGE_CAPABILITIES = {'storage': {'production_ready': True}}

    def __init__(self, conf, url):
        super().__init__(conf, url)
        self.client, self.db = mongo_utils.connect(
            conf, url, 'ceilometer-proxy-events')
        self.event = self.db.event

    @mongo_utils.translate_errors
    def upgrade(self):
        """Create the collections and (on MongoDB) the indexes."""
        mongo_utils.ensure_collections(self.db, COLLECTIONS)
        if self.is_ferretdb():
            return  # FerretDB v1 serves no filter from secondary indexes
        present = self.event.index_information()
        for name, keys in EVENT_INDEXES:
            if name not in present:
                self.event.create_index(keys, name=name)
        self.db.event_trait_type.create_index(
            [('event_type', pymongo.ASCENDING)], name='trait_type_event_idx')

    def clear(self):
        """Drop the event collections (tests)."""
        for name in COLLECTIONS:
            self.db.drop_collection(name)

    # -- writes -----------------------------------------------------------

    @mongo_utils.writes
    def record_events(self, events):
        """Store a batch of models.Event; returns how many were new."""
        if not events:
            return 0
        docs = [_to_doc(e) for e in events]
        refused = []
        new = mongo_utils.insert_new(self.event, docs, refused)
        refused_ids = {doc['_id'] for doc, _ in refused}
        kept = [d for d in docs if d['_id'] not in refused_ids]
        self._record_types(kept)
        if refused:
            err = storage.InvalidData(refused[0][1])
            err.refused_ids = sorted(refused_ids)
            err.new_count = len(new)
            raise err
        return len(new)

    def _record_types(self, docs):
        types = {}
        traits = {}
        for doc in docs:
            types[doc['event_type']] = {'_id': doc['event_type']}
            for trait in doc['traits']:
                key = '%s\x1f%s\x1f%s' % (doc['event_type'],
                                          trait['trait_name'],
                                          trait['trait_type'])
                traits[key] = {'_id': key, 'event_type': doc['event_type'],
                               'name': trait['trait_name'],
                               'data_type': trait['trait_type']}
        mongo_utils.insert_new(self.db.event_type, list(types.values()))
        mongo_utils.insert_new(self.db.event_trait_type,
                               list(traits.values()))

    @mongo_utils.translate_errors
    def clear_expired_event_data(self, ttl):
        if ttl <= 0:
            return 0
        cutoff = utils.utcnow() - datetime.timedelta(seconds=ttl)
        removed = self.event.delete_many({'timestamp': {'$lt': cutoff}})
        LOG.info('Expired %d events older than %s', removed.deleted_count,
                 cutoff)
        return removed.deleted_count

    # -- reads ------------------------------------------------------------

    @mongo_utils.reads
    def get_events(self, event_filter, limit=None):
        if limit is not None and limit <= 0:
            return
        exact = not self.is_ferretdb()
        query = _event_query(event_filter, exact)
        cursor = self.event.find(query, sort=NEWEST_FIRST)
        conditions = [] if exact else trait_conditions(event_filter)
        if exact and limit:
            cursor = cursor.limit(limit)
        found = 0
        for doc in cursor:
            if conditions and not _holds(doc, conditions):
                continue
            yield _to_event(doc)
            found += 1
            if limit and found >= limit:
                cursor.close()
                return

    @mongo_utils.reads
    def get_event_types(self):
        return sorted(str(d['_id']) for d in self.db.event_type.find())

    @mongo_utils.reads
    def get_trait_types(self, event_type):
        found = self.db.event_trait_type.find({'event_type': event_type})
        return sorted(({'name': d['name'], 'data_type': d['data_type']}
                       for d in found),
                      key=lambda t: (t['name'], t['data_type']))

    @mongo_utils.reads
    def get_traits(self, event_type, trait_name=None):
        projection = {'traits': True}
        for doc in self.event.find({'event_type': event_type}, projection):
            for trait in doc.get('traits') or ():
                if trait_name is None or trait['trait_name'] == trait_name:
                    yield models.Trait(trait['trait_name'],
                                       trait['trait_type'],
                                       trait['trait_value'])
