"""/v2/alarms in cascading mode.

The same WSME types and checks as local mode (``v2/alarms.py``), so a body
that local mode refuses is refused here with the same 400 before any
region is called; the work itself is cascading.alarms.CascadingAlarms,
against the cascading alarm table (the request's alarm storage
connection) and the regions.
"""

import pecan
from pecan import rest
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from ceilometer_proxy.alarm.storage import models
from ceilometer_proxy.api.controllers.v2 import alarm_checks as checks
from ceilometer_proxy.api.controllers.v2 import alarms as local
from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api.controllers.v2 import cascading
from ceilometer_proxy.api.controllers.v2 import utils as v2_utils
from ceilometer_proxy.api import rbac
from ceilometer_proxy.cascading import alarm_routing
from ceilometer_proxy.cascading import alarms as cascading_alarms
from ceilometer_proxy.cascading import errors
from ceilometer_proxy import query_values

CHANGE_FIELDS = ('event_id', 'alarm_id', 'type', 'detail', 'project_id',
                 'user_id', 'on_behalf_of', 'timestamp')


def translate_errors(func):
    """Alarm refusals keep their own status; the other cascading errors
    are answered as everywhere in cascading mode."""
    def call(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except alarm_routing.AlarmError as err:
            raise base.ClientSideError(err.message, status_code=err.status)
        except errors.CascadingError as err:
            raise cascading.api_error(err)
    return cascading.same_signature(func, call)


def service():
    return cascading_alarms.CascadingAlarms(
        cascading.context(), pecan.request.alarm_storage_conn)


def to_api(alarm):
    return local.Alarm.from_db_model(models.Alarm(**alarm))


def change_to_api(change):
    values = {k: change.get(k) for k in CHANGE_FIELDS}
    if isinstance(values['timestamp'], str):
        values['timestamp'] = query_values.parse_timestamp(
            values['timestamp'])
    return local.AlarmChange(**values)


class CascadingAlarmController(rest.RestController):
    """One alarm: definition, state and history, from its region."""

    _custom_actions = {
        'history': ['GET'],
        'state': ['PUT', 'GET'],
    }

    def __init__(self, alarm_id):
        self._id = alarm_id

    @wsme_pecan.wsexpose(local.Alarm)
    @translate_errors
    def get(self):
        """Return this alarm, live from its region."""
        rbac.enforce('get_alarm', pecan.request)
        return to_api(service().get(self._id))

    @wsme_pecan.wsexpose(local.Alarm, body=local.Alarm)
    @translate_errors
    def put(self, data):
        """Replace this alarm's definition (in its region).

        :param data: the whole alarm, as for creation; it cannot move to
            another resource or region.
        """
        rbac.enforce('change_alarm', pecan.request)
        return to_api(service().update(self._id, data.as_dict()))

    @wsme_pecan.wsexpose(None, status_code=204)
    @translate_errors
    def delete(self):
        """Delete this alarm in its region, then here."""
        rbac.enforce('delete_alarm', pecan.request)
        service().delete(self._id)

    @wsme_pecan.wsexpose([local.AlarmChange], [base.Query], int,
                         [wtypes.text])
    @translate_errors
    def history(self, q=None, limit=None, sort=None):
        """The changes of this alarm, as its region recorded them.

        :param q: filters on timestamp, type, user, project, severity.
        :param limit: at most this many changes.
        :param sort: ``field[:asc|:desc]`` items replacing newest-first.
        """
        rbac.enforce('alarm_history', pecan.request)
        v2_utils.validate_query(q or [], checks.HISTORY_QUERY_KEYS,
                                allow_metadata=False)
        checks.parse_sort(sort, checks.SORTABLE_CHANGE_FIELDS)
        changes = service().history(self._id, cascading.terms(q or []),
                                    limit, sort)
        return [change_to_api(c) for c in changes]

    @wsme_pecan.wsexpose(wtypes.text, body=wtypes.text)
    @translate_errors
    def put_state(self, state):
        """Set the state of this alarm.

        :param state: ``ok``, ``alarm`` or ``insufficient data``.
        """
        rbac.enforce('change_alarm_state', pecan.request)
        if state not in models.Alarm.STATES:
            raise base.ClientSideError('state invalid')
        return service().set_state(self._id, state)

    @wsme_pecan.wsexpose(wtypes.text)
    @translate_errors
    def get_state(self):
        """Return the state of this alarm, live from its region."""
        rbac.enforce('get_alarm_state', pecan.request)
        return service().get_state(self._id)


class CascadingAlarmsController(rest.RestController):
    """The alarms collection of cascading mode."""

    @pecan.expose()
    def _lookup(self, alarm_id, *remainder):
        return CascadingAlarmController(alarm_id), remainder

    @wsme_pecan.wsexpose(local.Alarm, body=local.Alarm, status_code=201)
    @translate_errors
    def post(self, data):
        """Create an alarm in the region its query points at.

        :param data: the alarm; routed by a resource_id in its threshold
            query, by a metadata.<region key> term, or to the default
            region; a combination goes to the region of its sub-alarms.
        """
        rbac.enforce('create_alarm', pecan.request)
        return to_api(service().create(data.as_dict()))

    @wsme_pecan.wsexpose([local.Alarm], [base.Query], int, [wtypes.text])
    @translate_errors
    def get_all(self, q=None, limit=None, sort=None):
        """The alarms of the cascading table matching the query.

        :param q: filters (equality) on name, user, project, state, meter,
                  enabled, alarm_id, type and severity.
        :param limit: at most this many alarms.
        :param sort: ``field[:asc|:desc]`` items replacing newest-first.
        """
        rbac.enforce('get_alarms', pecan.request)
        filters = checks.alarm_query_kwargs(q or [])
        sort = checks.parse_sort(sort, checks.SORTABLE_ALARM_FIELDS)
        alarms = service().list(filters, sort=sort,
                                limit=checks.optional_limit(limit))
        return [to_api(a) for a in alarms]
