"""Alarms in cascading mode: created, read and changed in their region.

Each alarm lives in one region (see alarm_routing) and is evaluated there:
the region's evaluator runs its actions, so webhooks pass through as they
are. The cascading level keeps a row per alarm in the AlarmTable, under a
cascading ``alarm_id`` of its own, and:

- creates in two steps (intent row, region create, row activated); if the
  row cannot be written the region alarm is deleted again, and an intent
  left by a crash is found by the reconciler;
- reads one alarm, its state and its history live from the region;
- lists from the table, refreshing the states with one list call per
  region (never one call per alarm) when ``alarm_list_state_sync`` is set.
"""

import threading
import uuid

from oslo_config import cfg
from oslo_log import log

from ceilometer_proxy.alarm import storage as alarm_storage
from ceilometer_proxy.cascading import alarm_routing as routing
from ceilometer_proxy.cascading import alarm_store
from ceilometer_proxy.cascading import errors
from ceilometer_proxy.cascading import reconciler
from ceilometer_proxy.cascading import region_pool
from ceilometer_proxy import storage
from ceilometer_proxy import utils

LOG = log.getLogger(__name__)

# A region's answers that mean it did nothing: its 4xx, or a request that
# never left. Anything else (a timeout, a 5xx, a lost or unusable answer)
# may have come after the work was done.
REFUSALS = (errors.RegionHTTPError, errors.InvalidRequest,
            errors.MissingService)

OPTS = [
    cfg.StrOpt('alarm_metadata_region_key', default='metering.region',
               help='Metadata key whose value (a region or availability '
                    'zone name) routes an alarm without a resource_id, as '
                    'in a threshold query on metadata.metering.region '
                    '(Heat\'s matching_metadata). The term is removed '
                    'before the alarm is sent to the region.'),
    cfg.BoolOpt('alarm_list_state_sync', default=True,
                help='Refresh the alarm states of GET /v2/alarms from the '
                     'regions (one list call per region).'),
    cfg.StrOpt('default_region',
               help='Region of the alarms whose query names neither a '
                    'resource nor a region; unset refuses them with 400.'),
    cfg.StrOpt('alarm_connection', secret=True,
               help='MongoDB URL of the cascading alarm table; defaults to '
                    '[database] connection. The table has a collection of '
                    'its own.'),
    cfg.IntOpt('reconcile_interval', default=600, min=0,
               help='Seconds between two rounds of the alarm reconciler '
                    'of ceilometer-proxy-housekeeping (region alarms left '
                    'without a cascading alarm, unfinished deletes); 0 '
                    'disables them (see also '
                    'ceilometer-proxy-cascading-reconcile).'),
]


def load_table(conf, start_reconciler=True):
    """The API's alarm table; also starts the periodic reconciler (with
    region clients of its own) unless reconcile_interval is 0."""
    table = alarm_store.AlarmTable(conf)
    try:
        table.upgrade()
    except storage.StorageError as err:
        LOG.warning('Alarm table not prepared (%s); requests needing it '
                    'answer 503 until the store is back', err)
    if start_reconciler:
        reconciler.start_periodic(conf, table, region_pool.Regions(conf))
    return table


class CascadingAlarms(object):
    """The alarm operations of one request.

    :param context: the request's CascadingContext (caller, regions,
        resource map, missing regions).
    :param table: the AlarmTable.
    """

    def __init__(self, context, table):
        self.ctx = context
        self.conf = context.conf
        self.caller = context.caller
        self.table = table

    @property
    def limited_project(self):
        return None if self.caller.is_admin else self.caller.project_id

    # -- lookups ------------------------------------------------------------

    def row(self, alarm_id, status=alarm_store.ACTIVE):
        """The row of an alarm the caller may see (404 otherwise)."""
        row = self.table.get(alarm_id, status=status)
        project = self.limited_project
        if row is None or row['status'] == alarm_store.CREATING or (
                project and row['alarm'].get('project_id') != project):
            raise routing.AlarmNotFound(alarm_id, project)
        return row

    def _find_resource(self, resource_id):
        row = self.ctx.resource_map.get(resource_id)
        project = self.limited_project
        if row is None or (project and row['project_id'] != project):
            raise errors.UnknownResource(resource_id)
        return row

    def route(self, alarm):
        """The Route of a storage-shaped alarm."""
        if alarm['type'] == 'combination':
            return routing.route_combination(alarm['rule'], self.row)
        opts = self.conf.cascading
        return routing.route_threshold(
            alarm['rule'], opts.alarm_metadata_region_key,
            opts.default_region, self._find_resource,
            self.ctx.regions.resolve)

    # -- create -------------------------------------------------------------

    def create(self, alarm):
        """Create a storage-shaped alarm; returns it as shown."""
        route = self.route(alarm)
        project = alarm.get('project_id') or self.caller.project_id
        user = alarm.get('user_id') or self.caller.user_id
        if self.table.name_taken(alarm['name'], project):
            raise routing.NameConflict(alarm['name'])
        alarm_id = str(uuid.uuid4())
        try:
            self.table.begin(alarm_id, route.region, alarm['name'], project,
                             user)
        except alarm_storage.DuplicateName:  # a create racing elsewhere
            raise routing.NameConflict(alarm['name'])
        # The owner is named explicitly: a region called with the service
        # token ([cascading] forward_user_token = false) would otherwise
        # file the alarm under the service's own project.
        owned = routing.region_alarm(
            dict(alarm, project_id=project, user_id=user), route.rule)
        try:
            region_alarm = self.ctx.driver(route.region).create_alarm(
                self.caller, owned)
        except REFUSALS:
            self.table.forget(alarm_id)  # refused: nothing was created
            raise
        # Anything else (timeout, 5xx) may have created it: the intent
        # stays for the reconciler.
        result = routing.shown(region_alarm, alarm_id, route.routing)
        try:
            self.table.activate(alarm_id, route.region,
                                region_alarm['alarm_id'], result,
                                route.routing)
        except storage.StorageError:
            self._undo_create(alarm_id, route.region,
                              region_alarm['alarm_id'])
            raise
        return result

    def _undo_create(self, alarm_id, region, cascaded_id):
        """Delete the region alarm whose row could not be written."""
        try:
            self.ctx.driver(region).delete_alarm(self.caller, cascaded_id)
        except errors.CascadingError as err:
            LOG.warning('Alarm %s of region %s has no cascading row and '
                        'could not be deleted (%s); the reconciler will '
                        'remove it', cascaded_id, region, err)
            return
        LOG.warning('Alarm %s of region %s deleted again: its cascading row '
                    '%s could not be written', cascaded_id, region, alarm_id)
        try:
            self.table.forget(alarm_id)
        except storage.StorageError:
            pass  # the reconciler drops the intent later

    # -- one alarm ----------------------------------------------------------

    def _region_call(self, row, operation, *args):
        """driver.<operation>(caller, cascaded id, *args) for the row's
        alarm; the region's 404 is this alarm's."""
        driver = self.ctx.driver(row['region'])
        try:
            return getattr(driver, operation)(
                self.caller, row['cascaded_alarm_id'], *args)
        except errors.RegionHTTPError as err:
            if err.status == 404:
                raise routing.AlarmNotFound(row['_id'], self.limited_project)
            raise

    def get(self, alarm_id):
        """The alarm, live from its region."""
        row = self.row(alarm_id)
        region_alarm = self._region_call(row, 'get_alarm')
        result = routing.shown(region_alarm, alarm_id, row['routing'])
        if result['state'] != row['alarm'].get('state'):
            self.table.set_state(alarm_id, result['state'],
                                 result.get('state_timestamp'))
        return result

    def update(self, alarm_id, alarm):
        """Replace the definition (same resource and region only)."""
        row = self.row(alarm_id)
        route = self.route(alarm)
        routing.check_same_place(row['routing'], row['region'], route)
        project = alarm.get('project_id') or row['alarm']['project_id']
        if alarm['name'] != row['alarm']['name'] and self.table.name_taken(
                alarm['name'], project, exclude_id=alarm_id):
            raise routing.NameConflict(alarm['name'])
        owned = dict(alarm, project_id=project,
                     user_id=alarm.get('user_id') or row['alarm']['user_id'])
        region_alarm = self._region_call(
            row, 'update_alarm', routing.region_alarm(owned, route.rule))
        result = routing.shown(region_alarm, alarm_id, route.routing)
        try:
            saved = self.table.save_alarm(alarm_id, result, route.routing)
        except alarm_storage.DuplicateName:
            raise routing.NameConflict(alarm['name'])
        if not saved:
            raise routing.AlarmNotFound(alarm_id, self.limited_project)
        return result

    def delete(self, alarm_id):
        """Delete in the region first; a region that no longer has it
        still lets the row go.

        The row is marked ``deleting`` before the region is called. A
        region that refuses (a 4xx) leaves the alarm as it was; one whose
        answer is lost (a timeout, a 5xx, an unusable answer) leaves the
        delete unfinished, the client is told 503, and a retry or the
        reconciler finishes it: the caller asked for the alarm to go.
        """
        row = self.row(alarm_id, status=alarm_store.HELD)
        if not self.table.begin_delete(alarm_id):
            raise routing.AlarmNotFound(alarm_id, self.limited_project)
        try:
            self._region_call(row, 'delete_alarm')
        except routing.AlarmNotFound:
            LOG.info('Alarm %s was already gone from region %s',
                     row['cascaded_alarm_id'], row['region'])
        except REFUSALS:
            self.table.abort_delete(alarm_id)
            raise
        self.table.mark_deleted(alarm_id)

    def get_state(self, alarm_id):
        row = self.row(alarm_id)
        state = self._region_call(row, 'alarm_state')
        if state != row['alarm'].get('state'):
            self.table.set_state(alarm_id, state)
        return state

    def set_state(self, alarm_id, state):
        row = self.row(alarm_id)
        state = self._region_call(row, 'set_alarm_state', state)
        self.table.set_state(alarm_id, state, utils.utcnow())
        return state

    def history(self, alarm_id, query, limit=None, sort=None):
        """The region's history of the alarm (deleted ones too).

        :param query: the caller's validated terms.
        :param limit: at most this many changes.
        :param sort: the caller's ``field[:dir]`` items.
        """
        row = self.row(alarm_id, status=None)
        changes = self._region_call(row, 'alarm_history', query, limit, sort)
        resource = None
        if row['routing'].get('resource_id'):
            found = self.ctx.resource_map.get(row['routing']['resource_id'])
            resource = found and found['cascaded_resource_id']
        shown_detail = self.ctx.driver(row['region']).alarm_detail_shown
        return [routing.shown_change(c, row, resource, shown_detail)
                for c in changes]

    # -- the collection -----------------------------------------------------

    def list(self, filters, sort=None, limit=None):
        """Alarms of the table matching get_alarms-style filters."""
        sync = self.conf.cascading.alarm_list_state_sync
        state = filters.pop('state', None) if sync else None
        if state is None:
            rows = self.table.find(sort=sort, limit=limit, **filters)
        else:  # the state is only known after the sync
            rows = self.table.find(sort=sort, **filters)
        if sync and rows:
            self.sync_states(rows)
        alarms = [row['alarm'] for row in rows]
        if state is not None:
            alarms = [a for a in alarms if a['state'] == state][:limit]
        return alarms

    def sync_states(self, rows):
        """Refresh the rows' states: one list call per region. The new
        states are answered at once and saved into the table behind the
        answer (one write per changed alarm is slow on some stores)."""
        by_region = {}
        for row in rows:
            by_region.setdefault(row['region'], []).append(row)
        answers = self.ctx.fan_out(
            sorted(by_region),
            lambda region: self._region_states(by_region[region]))
        changed = []
        for region, states in answers.items():
            for row in by_region[region]:
                if refresh(row, states.get(row['cascaded_alarm_id'])):
                    changed.append(row)
        if changed:
            threading.Thread(target=self._save_states, args=(changed,),
                             name='alarm-state-sync', daemon=True).start()

    def _region_states(self, rows):
        """{cascaded id: (state, state_timestamp)} of one region's list."""
        listed = self.ctx.driver(rows[0]['region']).list_alarms(
            self.caller, list_query(rows))
        return {a['alarm_id']: (a.get('state'), a.get('state_timestamp'))
                for a in listed}

    def _save_states(self, rows):
        for row in rows:
            try:
                self.table.set_state(row['_id'], row['alarm']['state'],
                                     row['alarm']['state_timestamp'])
            except storage.StorageError as err:
                LOG.warning('States of %d alarms not saved: %s', len(rows),
                            err)
                return


def refresh(row, found):
    """Put a region's (state, state_timestamp) into a row; whether it
    changed."""
    if found is None or found[0] == row['alarm'].get('state'):
        return False
    state, stamp = found
    row['alarm']['state'] = state
    row['alarm']['state_timestamp'] = stamp
    return True


def _equal(field, value):
    return {'field': field, 'op': 'eq', 'value': value, 'type': ''}


def list_query(rows):
    """The narrowest list query a region answers for these rows of it: the
    id of a single alarm, else the project they share."""
    if len(rows) == 1:
        return [_equal('alarm_id', rows[0]['cascaded_alarm_id'])]
    projects = {row['alarm'].get('project_id') for row in rows}
    if len(projects) == 1 and None not in projects:
        return [_equal('project_id', projects.pop())]
    return []
