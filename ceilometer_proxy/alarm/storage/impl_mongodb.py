"""Alarm storage on any MongoDB-wire server (MongoDB, FerretDB).

Collections follow Ceilometer's alarm driver, so its documents read back:

- ``alarm``: one document per alarm, ``_id`` = ``alarm_id`` (the field is
  kept too, for complex queries);
- ``alarm_history``: one document per change, ``_id`` = ``event_id``, plus
  ``sequence`` (nanoseconds at recording) which orders changes made within
  the same millisecond, the precision BSON dates keep.

Every filter but ``_id`` equality is a scan on FerretDB v1; alarm
collections are small, so no secondary index is worth its write cost there.
Only single-document writes are sent (FerretDB v1 deadlocks on an update
command matching 100 documents or more).
"""

import time

import pymongo
import pymongo.errors
from oslo_log import log

from ceilometer_proxy.alarm import storage as alarm_storage
from ceilometer_proxy.alarm.storage import base
from ceilometer_proxy.alarm.storage import models
from ceilometer_proxy.storage.mongo import utils as mongo_utils
from ceilometer_proxy import utils

AVAILABLE_CAPABILITIES = {
    'alarms': {'query': {'simple': True, 'complex': True},
               'history': {'query': {'simple': True, 'complex': True}}},
}
DIRECTIONS = {'asc': pymongo.ASCENDING, 'desc': pymongo.DESCENDING}
NEWEST_FIRST = [('timestamp', pymongo.DESCENDING)]
NAME_INDEX = 'alarm_name_unique'
LOG = log.getLogger(__name__)
HISTORY_TIEBREAK = ('sequence', pymongo.DESCENDING)


def _sort_spec(sort, default):
    if not sort:
        return list(default)
    return [(field, DIRECTIONS[direction]) for field, direction in sort]


def _alarm_filter(name=None, user=None, state=None, meter=None,
                  project=None, enabled=None, alarm_id=None,
                  alarm_type=None, severity=None, exclude=None):
    """The MongoDB filter of get_alarms' arguments (pure)."""
    wanted = {'_id': alarm_id, 'name': name, 'user_id': user,
              'project_id': project, 'state': state, 'enabled': enabled,
              'rule.meter_name': meter, 'type': alarm_type,
              'severity': severity}
    q = {k: v for k, v in wanted.items() if v is not None}
    for field, value in (exclude or {}).items():
        field = '_id' if field == 'alarm_id' else field
        q.setdefault(field, {})
        if isinstance(q[field], dict):
            q[field]['$ne'] = value
        elif q[field] == value:
            q[field] = {'$in': []}  # equal and different: nothing matches
    return q


def _to_alarm(doc):
    values = {k: doc.get(k) for k in models.Alarm.FIELDS}
    values['alarm_id'] = values['alarm_id'] or str(doc['_id'])
    values['time_constraints'] = values['time_constraints'] or []
    values['rule'] = values['rule'] or {}
    if values['type'] == 'threshold':
        values['rule'].setdefault('query', [])
    for name in ('ok_actions', 'alarm_actions', 'insufficient_data_actions'):
        values[name] = values[name] or []
    return models.Alarm(**values)


def _to_change(doc):
    values = {k: doc.get(k) for k in models.AlarmChange.FIELDS}
    values['event_id'] = values['event_id'] or str(doc['_id'])
    return models.AlarmChange(**values)


def _unique_name(name):
    """Writes of a name the unique index guards (DuplicateName, 409)."""
    return mongo_utils.unique(
        NAME_INDEX, lambda: alarm_storage.DuplicateName(name))


def _stored(model):
    """A model as a document, times truncated as BSON keeps them."""
    doc = model.as_dict()
    for name in ('timestamp', 'state_timestamp'):
        if doc.get(name) is not None:
            doc[name] = utils.to_millis(utils.naive_utc(doc[name]))
    return doc


class Connection(mongo_utils.ServerConnection, base.Connection):
    """MongoDB-wire alarm storage driver (``mongodb://`` URLs)."""

    CAPABILITIES = utils.update_nested(base.Connection.CAPABILITIES,
                                       AVAILABLE_CAPABILITIES)
    STORAGE_CAPABILITIES = {'storage': {'production_ready': True}}

    def __init__(self, conf, url):
        super().__init__(conf, url)
        self.client, self.db = mongo_utils.connect(
            conf, url, 'ceilometer-proxy-alarms')
        self.alarm = self.db.alarm
        self.alarm_history = self.db.alarm_history

    @mongo_utils.translate_errors
    def upgrade(self):
        """Create the collections; idempotent."""
        mongo_utils.ensure_collections(self.db, ('alarm', 'alarm_history'))
        try:
            self.alarm.create_index([('project_id', 1), ('name', 1)],
                                    unique=True, name=NAME_INDEX)
        except pymongo.errors.OperationFailure as err:
            # Duplicates written before the index existed: names are
            # then checked by a query only, as before.
            LOG.warning('Alarm names are not unique in this store (%s); '
                        'the unique index was not created', err)

    def clear(self):
        """Empty both collections (tests)."""
        self.alarm.delete_many({})
        self.alarm_history.delete_many({})

    # -- alarms -------------------------------------------------------------

    @mongo_utils.reads
    def get_alarms(self, name=None, user=None, state=None, meter=None,
                   project=None, enabled=None, alarm_id=None,
                   alarm_type=None, severity=None, exclude=None,
                   limit=None, sort=None):
        q = _alarm_filter(name, user, state, meter, project, enabled,
                          alarm_id, alarm_type, severity, exclude)
        if alarm_id is not None and set(q) == {'_id'}:
            # A lookup by id alone goes by the primary key, unsorted (a
            # sort would make FerretDB scan every alarm).
            doc = self.alarm.find_one({'_id': alarm_id})
            return [_to_alarm(doc)] if doc is not None and limit != 0 else []
        return self._find_alarms(q, _sort_spec(sort, NEWEST_FIRST), limit)

    def _find_alarms(self, query, sort, limit):
        if limit == 0:
            return []
        cursor = self.alarm.find(query, sort=sort + [('_id', 1)])
        if limit:
            cursor = cursor.limit(limit)
        return [_to_alarm(doc) for doc in cursor]

    @mongo_utils.writes
    def create_alarm(self, alarm):
        doc = _stored(alarm)
        doc['_id'] = alarm.alarm_id
        with _unique_name(alarm.name):
            self.alarm.insert_one(doc)
        return _to_alarm(doc)

    @mongo_utils.writes
    def update_alarm(self, alarm):
        doc = _stored(alarm)
        doc['_id'] = alarm.alarm_id
        with _unique_name(alarm.name):
            result = self.alarm.replace_one({'_id': alarm.alarm_id}, doc)
        if not result.matched_count:
            return None
        return _to_alarm(doc)

    @mongo_utils.writes
    def delete_alarm(self, alarm_id):
        self.alarm.delete_one({'_id': alarm_id})

    # -- history ------------------------------------------------------------

    @mongo_utils.writes
    def record_alarm_change(self, alarm_change):
        doc = {k: alarm_change.get(k) for k in models.AlarmChange.FIELDS}
        doc['timestamp'] = utils.to_millis(utils.naive_utc(
            doc['timestamp'] or utils.utcnow()))
        doc['_id'] = doc['event_id']
        doc['sequence'] = time.time_ns()
        self.alarm_history.insert_one(doc)

    @mongo_utils.reads
    def get_alarm_changes(self, alarm_id, on_behalf_of, user=None,
                          project=None, alarm_type=None, severity=None,
                          start_timestamp=None, start_timestamp_op=None,
                          end_timestamp=None, end_timestamp_op=None,
                          limit=None, sort=None):
        wanted = {'alarm_id': alarm_id, 'on_behalf_of': on_behalf_of,
                  'user_id': user, 'project_id': project,
                  'type': alarm_type, 'severity': severity}
        q = {k: v for k, v in wanted.items() if v is not None}
        ts_range = mongo_utils.make_timestamp_range(
            start_timestamp, end_timestamp, start_timestamp_op,
            end_timestamp_op)
        if ts_range:
            q['timestamp'] = ts_range
        return self._find_changes(q, _sort_spec(sort, NEWEST_FIRST), limit)

    def _find_changes(self, query, sort, limit):
        if limit == 0:
            return []
        cursor = self.alarm_history.find(query,
                                         sort=sort + [HISTORY_TIEBREAK])
        if limit:
            cursor = cursor.limit(limit)
        return [_to_change(doc) for doc in cursor]

    # -- complex queries ----------------------------------------------------

    def _complex(self, filter_expr, orderby):
        transformer = mongo_utils.QueryTransformer()
        sort = (transformer.transform_orderby(orderby) if orderby
                else list(NEWEST_FIRST))
        q = transformer.transform_filter(filter_expr) if filter_expr else {}
        return q, sort

    @mongo_utils.reads
    def query_alarms(self, filter_expr=None, orderby=None, limit=None):
        q, sort = self._complex(filter_expr, orderby)
        return self._find_alarms(q, sort, limit)

    @mongo_utils.reads
    def query_alarm_history(self, filter_expr=None, orderby=None,
                            limit=None):
        q, sort = self._complex(filter_expr, orderby)
        return self._find_changes(q, sort, limit)
