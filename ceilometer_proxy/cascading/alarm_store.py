"""The cascading alarm table: which region holds each alarm, under which id.

A cascading alarm lives in exactly one region. Its row, keyed by the
cascading ``alarm_id``, keeps the routing in fields of their own (``region``,
``cascaded_alarm_id``, the rule's original query or sub-alarm ids) so the
user's ``description`` is never touched, and the alarm as last shown
(``alarm``, in the shape of ``alarm.storage.models.Alarm``) so that a list
is answered without calling every region.

A row is written in two steps around the region's create: first
``status = creating`` (an intent, with the name and project the region
alarm will have), then ``active`` with the region's ids. An intent left
behind by a crash is how the reconciler finds the region alarm nobody
owns. A delete also takes two steps: ``deleting`` before the region is
called, ``deleted`` once it answered; a delete whose answer was lost (a
timeout, a 5xx, the table's store gone) is finished by the reconciler.
Deleted alarms stay as ``deleted`` tombstones so their history can still
be read.

The collection is the table's own (``cascading_alarm``), in
``[cascading] alarm_connection`` (default ``[database] connection``).
"""

import pymongo
import pymongo.errors
from oslo_log import log

from ceilometer_proxy.alarm import storage as alarm_storage
from ceilometer_proxy.alarm.storage import models
from ceilometer_proxy import storage
from ceilometer_proxy.storage.mongo import utils as mongo_utils
from ceilometer_proxy import utils

CREATING = 'creating'
ACTIVE = 'active'
DELETING = 'deleting'
DELETED = 'deleted'
# Rows whose region alarm exists (or may still exist).
HELD = (ACTIVE, DELETING)
COLLECTION = 'cascading_alarm'
NAME_INDEX = 'live_name'
LOG = log.getLogger(__name__)
DIRECTIONS = {'asc': pymongo.ASCENDING, 'desc': pymongo.DESCENDING}

# get_alarms filter -> field of the shown alarm.
ALARM_FILTERS = {'name': 'name', 'user': 'user_id', 'project': 'project_id',
                 'state': 'state', 'enabled': 'enabled',
                 'alarm_type': 'type', 'severity': 'severity',
                 'meter': 'rule.meter_name'}


def url_of(conf):
    """Where the table lives: [cascading] alarm_connection or [database]
    connection."""
    return conf.cascading.alarm_connection or conf.database.connection


def row_filter(alarm_id=None, status=ACTIVE, region=None, **filters):
    """The MongoDB filter of a table lookup (pure).

    :param filters: get_alarms-style filters (see ALARM_FILTERS) on the
        shown alarm; None values are ignored.
    """
    q = {}
    if alarm_id is not None:
        q['_id'] = alarm_id
    if status is not None:
        q['status'] = status
    if region is not None:
        q['region'] = region
    for key, value in filters.items():
        if value is None:
            continue
        if key not in ALARM_FILTERS:
            raise TypeError('unknown alarm filter %s' % key)
        q['alarm.' + ALARM_FILTERS[key]] = value
    return q


def _stamped(alarm):
    """The shown alarm with times truncated as BSON keeps them."""
    alarm = dict(alarm)
    for name in ('timestamp', 'state_timestamp'):
        if alarm.get(name) is not None:
            alarm[name] = utils.to_millis(utils.naive_utc(alarm[name]))
    return alarm


def _unique_name(name):
    """Writes of a live name: one the unique index refuses is taken
    (another alarm of the project, or a create under way, has it; two API
    workers racing to create one name cannot both pass)."""
    return mongo_utils.unique(
        NAME_INDEX, lambda: alarm_storage.DuplicateName(name))


def _tombstone_name(alarm_id):
    """The top-level name of a deleted row: its own, so the name is free
    again (the shown alarm keeps the real one for the history)."""
    return 'deleted:' + alarm_id


def _owner_and_name(alarm):
    """The top-level copies a name check reads (one lookup for intents
    and alarms alike)."""
    return {'name': alarm.get('name'), 'project_id': alarm.get('project_id')}


def prefixed(tree, prefix='alarm.'):
    """A MongoDB filter with every field moved under ``prefix`` (pure)."""
    if isinstance(tree, list):
        return [prefixed(item, prefix) for item in tree]
    if not isinstance(tree, dict):
        return tree
    return {(key if key.startswith('$') else prefix + key):
            (prefixed(value, prefix) if key.startswith('$') else value)
            for key, value in tree.items()}


class AlarmTable(object):
    """The table on a MongoDB-wire server.

    It is the alarm storage connection of cascading mode, so it also
    answers what the capabilities and the complex alarm query ask of one.

    :param conf: the service's ConfigOpts.
    :param url: overrides the configured URL.
    """

    # Complex alarm queries are answered from the table; their history is
    # the regions'.
    CAPABILITIES = {
        'alarms': {'query': {'simple': True, 'complex': True},
                   'history': {'query': {'simple': True,
                                         'complex': False}}},
    }

    def __init__(self, conf, url=None):
        self.conf = conf
        self.client, self.db = mongo_utils.connect(
            conf, url or url_of(conf), 'ceilometer-proxy-cascading-alarms')
        self.rows = self.db[COLLECTION]

    def close(self):
        self.client.close()

    @mongo_utils.translate_errors
    def upgrade(self):
        """Create the collection and its indexes; idempotent."""
        if COLLECTION not in self.db.list_collection_names():
            try:
                self.db.create_collection(COLLECTION)
            except pymongo.errors.CollectionInvalid:
                pass  # created meanwhile by another process
        self.rows.create_index([('region', 1), ('cascaded_alarm_id', 1)],
                               name='region_cascaded_id')
        self.rows.create_index([('alarm.project_id', 1)], name='project')
        # Tombstones written before names were unique keep theirs.
        for doc in list(self.rows.find({'status': DELETED},
                                       projection={'name': 1})):
            if not str(doc.get('name') or '').startswith('deleted:'):
                self.rows.update_one({'_id': doc['_id']}, {'$set': {
                    'name': _tombstone_name(doc['_id'])}})
        try:
            self.rows.create_index([('project_id', 1), ('name', 1)],
                                   unique=True, name=NAME_INDEX)
        except pymongo.errors.OperationFailure as err:
            LOG.warning('Live alarm names are not unique in the alarm '
                        'table (%s); names are checked by a query only',
                        err)

    def clear(self):
        """Empty the table (tests)."""
        self.rows.delete_many({})

    def get_capabilities(self):
        return self.CAPABILITIES

    def get_storage_capabilities(self):
        return {'storage': {'production_ready': True}}

    @mongo_utils.reads
    def query_alarms(self, filter_expr=None, orderby=None, limit=None):
        """models.Alarm (as shown) matching a complex query."""
        if limit == 0:
            return []
        transformer = mongo_utils.QueryTransformer()
        q = prefixed(transformer.transform_filter(filter_expr)
                     if filter_expr else {})
        q['status'] = ACTIVE
        sort = [('alarm.' + field, direction) for field, direction in
                (transformer.transform_orderby(orderby) if orderby
                 else [('timestamp', pymongo.DESCENDING)])]
        cursor = self.rows.find(q, sort=sort + [('_id', 1)])
        if limit:
            cursor = cursor.limit(limit)
        return [models.Alarm(**doc['alarm']) for doc in cursor]

    def query_alarm_history(self, filter_expr=None, orderby=None,
                            limit=None):
        raise storage.InvalidQuery(
            'Alarm history is kept by the regions: read it with GET '
            '/v2/alarms/<alarm_id>/history')

    # -- the two steps of a create ------------------------------------------

    @mongo_utils.writes
    def begin(self, alarm_id, region, name, project_id, user_id=None):
        """Record the intent to create ``name`` for ``project_id`` in
        ``region``, before the region is called."""
        with _unique_name(name):
            self.rows.insert_one({
                '_id': alarm_id, 'status': CREATING, 'region': region,
                'name': name, 'project_id': project_id, 'user_id': user_id,
                'started_at': utils.to_millis(utils.utcnow())})

    @mongo_utils.writes
    def activate(self, alarm_id, region, cascaded_alarm_id, alarm,
                 routing):
        """Turn an intent into the alarm's row.

        :param alarm: the alarm as shown at the cascading level.
        :param routing: what the region was told instead of what the user
            gave: {'query': [...]} (threshold) or {'alarm_ids': [...]}
            (combination), plus 'resource_id' when a resource routed it.
        """
        doc = {'_id': alarm_id, 'status': ACTIVE, 'region': region,
               'cascaded_alarm_id': cascaded_alarm_id,
               'alarm': _stamped(alarm), 'routing': routing}
        doc.update(_owner_and_name(alarm))
        with _unique_name(alarm.get('name')):
            result = self.rows.replace_one({'_id': alarm_id}, doc,
                                           upsert=True)
        return result.acknowledged

    # -- reads --------------------------------------------------------------

    @mongo_utils.reads
    def get(self, alarm_id, status=ACTIVE):
        """The row of an alarm, or None.

        :param status: the status (or tuple of statuses) it must have;
            None for any.
        """
        doc = self.rows.find_one({'_id': alarm_id})
        if isinstance(status, str):
            status = (status,)
        if doc is None or (status is not None and
                           doc['status'] not in status):
            return None
        return doc

    @mongo_utils.reads
    def find(self, sort=None, limit=None, **filters):
        """Active rows matching get_alarms-style filters.

        :param sort: (field of the alarm, 'asc'|'desc') pairs; newest
            change first by default.
        """
        if limit == 0:
            return []
        order = [('alarm.' + field, DIRECTIONS[direction])
                 for field, direction in sort or [('timestamp', 'desc')]]
        cursor = self.rows.find(row_filter(**filters),
                                sort=order + [('_id', 1)])
        if limit:
            cursor = cursor.limit(limit)
        return list(cursor)

    @mongo_utils.reads
    def name_taken(self, name, project_id, exclude_id=None):
        """Whether a live alarm of the project has this name already (an
        intent counts: its create is under way; so does an unfinished
        delete: the region still has the name)."""
        q = {'name': name, 'project_id': project_id,
             'status': {'$in': [ACTIVE, CREATING, DELETING]}}
        if exclude_id:
            q['_id'] = {'$ne': exclude_id}
        return self.rows.find_one(q, projection={'_id': 1}) is not None

    @mongo_utils.reads
    def intents(self, started_before):
        """Create intents older than ``started_before`` (naive UTC)."""
        return list(self.rows.find({'status': CREATING,
                                    'started_at': {'$lt': started_before}}))

    @mongo_utils.reads
    def unfinished_deletes(self, started_before):
        """Deletes begun before ``started_before`` (naive UTC) whose
        region answer never came."""
        return list(self.rows.find({
            'status': DELETING,
            'deleting_at': {'$lt': utils.to_millis(started_before)}}))

    @mongo_utils.reads
    def cascaded_ids(self, region):
        """The region's alarm ids the table knows (any status but intent)."""
        return {doc['cascaded_alarm_id'] for doc in self.rows.find(
            {'region': region, 'status': {'$in': [ACTIVE, DELETING,
                                                  DELETED]}},
            projection={'cascaded_alarm_id': 1})}

    # -- changes ------------------------------------------------------------

    @mongo_utils.writes
    def save_alarm(self, alarm_id, alarm, routing=None):
        """Replace the shown alarm (and routing) of an active row; False
        when there is no such row any more."""
        changes = {'alarm': _stamped(alarm)}
        changes.update(_owner_and_name(alarm))
        if routing is not None:
            changes['routing'] = routing
        with _unique_name(alarm.get('name')):
            result = self.rows.update_one(
                {'_id': alarm_id, 'status': ACTIVE}, {'$set': changes})
        return bool(result.matched_count)

    @mongo_utils.writes
    def set_state(self, alarm_id, state, state_timestamp=None):
        changes = {'alarm.state': state}
        if state_timestamp is not None:
            changes['alarm.state_timestamp'] = utils.to_millis(
                utils.naive_utc(state_timestamp))
        self.rows.update_one({'_id': alarm_id}, {'$set': changes})

    @mongo_utils.writes
    def begin_delete(self, alarm_id):
        """Record that the region is being asked to delete the alarm;
        False when the row is no longer active or being deleted."""
        result = self.rows.update_one(
            {'_id': alarm_id, 'status': {'$in': list(HELD)}},
            {'$set': {'status': DELETING,
                      'deleting_at': utils.to_millis(utils.utcnow())}})
        return bool(result.matched_count)

    @mongo_utils.writes
    def abort_delete(self, alarm_id):
        """The region refused the delete: the alarm stays."""
        self.rows.update_one({'_id': alarm_id, 'status': DELETING},
                             {'$set': {'status': ACTIVE},
                              '$unset': {'deleting_at': ''}})

    @mongo_utils.writes
    def mark_deleted(self, alarm_id):
        """Keep a tombstone: the routing still serves the history."""
        self.rows.update_one({'_id': alarm_id},
                             {'$set': {'status': DELETED,
                                       'name': _tombstone_name(alarm_id),
                                       'deleted_at': utils.to_millis(
                                           utils.utcnow())}})

    @mongo_utils.writes
    def forget(self, alarm_id):
        """Remove a row whatever its status (an abandoned intent)."""
        self.rows.delete_one({'_id': alarm_id})
