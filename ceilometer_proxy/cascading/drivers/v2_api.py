"""The Ceilometer v2 REST vocabulary, shared by the v2 and Aodh drivers.

Aodh kept Ceilometer's v2 alarms API (paths, ``q.field``/``q.op``/
``q.type``/``q.value`` parameters, history, state), so one AlarmApi serves
both a v2 region's ``/v2/alarms`` and an Aodh endpoint; only the rules
inside the bodies differ, and the drivers translate those.
"""

from urllib import parse

from ceilometer_proxy.alarm.storage import models
from ceilometer_proxy import query_values

ALARMS = '/v2/alarms'
# Fields the region sets; never sent to it.
SERVER_FIELDS = ('alarm_id', 'timestamp', 'state_timestamp')


def query_params(query, **params):
    """Request parameters in the q.field/q.op/q.type/q.value form; the
    keyword parameters follow (lists become repeated keys, None is left
    out)."""
    pairs = []
    for term in query:
        pairs.append(('q.field', term['field']))
        pairs.append(('q.op', term.get('op') or 'eq'))
        pairs.append(('q.type', term.get('type') or ''))
        pairs.append(('q.value', term['value']))
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            pairs.extend((key, v) for v in value)
        else:
            pairs.append((key, value))
    return pairs


def quoted(name):
    return parse.quote(name, safe='')


def alarm_body(alarm):
    """The API body of a storage-shaped alarm (its rule under
    ``<type>_rule``)."""
    body = {k: v for k, v in alarm.items()
            if k not in SERVER_FIELDS and k != 'rule' and v is not None}
    body['%s_rule' % alarm['type']] = alarm['rule']
    return body


def alarm_from_body(body):
    """An API alarm body in the storage shape, times parsed."""
    alarm = {k: body.get(k) for k in models.Alarm.FIELDS if k != 'rule'}
    alarm['rule'] = dict(body.get('%s_rule' % body.get('type')) or {})
    for name in ('timestamp', 'state_timestamp'):
        if isinstance(alarm[name], str):
            alarm[name] = query_values.parse_timestamp(alarm[name])
    return alarm


class AlarmApi(object):
    """Calls of a v2-lineage alarms API.

    :param client: the RegionClient of the endpoint serving ``/v2/alarms``.
    :param headers_of: function of a Caller giving the call's headers.
    """

    def __init__(self, client, headers_of):
        self.client = client
        self.headers_of = headers_of

    def _call(self, caller, method, path, params=None, body=None,
              empty=False):
        return self.client.request(method, path, self.headers_of(caller),
                                   params=params, body=body, empty=empty)

    @staticmethod
    def path(alarm_id, *rest):
        return '/'.join((ALARMS, quoted(alarm_id)) + rest)

    def create(self, caller, body):
        return self._call(caller, 'POST', ALARMS, body=body)

    def get(self, caller, alarm_id):
        return self._call(caller, 'GET', self.path(alarm_id))

    def update(self, caller, alarm_id, body):
        return self._call(caller, 'PUT', self.path(alarm_id), body=body)

    def delete(self, caller, alarm_id):
        # Both APIs answer a delete with 204 and no body; anything else
        # (a proxy's page with status 200, say) does not say the alarm
        # is gone, so the delete counts as unanswered.
        self._call(caller, 'DELETE', self.path(alarm_id), empty=True)

    def state(self, caller, alarm_id):
        return self._call(caller, 'GET', self.path(alarm_id, 'state'))

    def set_state(self, caller, alarm_id, state):
        return self._call(caller, 'PUT', self.path(alarm_id, 'state'),
                          body=state)

    def history(self, caller, alarm_id, query, limit, sort):
        params = query_params(query, limit=limit, sort=list(sort or []))
        return self._call(caller, 'GET', self.path(alarm_id, 'history'),
                          params=params) or []

    def list(self, caller, query):
        return self._call(caller, 'GET', ALARMS,
                          params=query_params(query)) or []


class AlarmMethods(object):
    """The alarm methods of a region driver whose region speaks the v2
    alarms API at ``self.alarm_api``; a driver translates the bodies
    through ``alarm_to_body`` and ``alarm_of_body``."""

    def alarm_to_body(self, caller, alarm):
        return alarm_body(alarm)

    def alarm_of_body(self, body):
        return alarm_from_body(body)

    def create_alarm(self, caller, alarm):
        return self.alarm_of_body(self.alarm_api.create(
            caller, self.alarm_to_body(caller, alarm)))

    def get_alarm(self, caller, alarm_id):
        return self.alarm_of_body(self.alarm_api.get(caller, alarm_id))

    def update_alarm(self, caller, alarm_id, alarm):
        return self.alarm_of_body(self.alarm_api.update(
            caller, alarm_id, self.alarm_to_body(caller, alarm)))

    def delete_alarm(self, caller, alarm_id):
        self.alarm_api.delete(caller, alarm_id)

    def alarm_state(self, caller, alarm_id):
        return self.alarm_api.state(caller, alarm_id)

    def set_alarm_state(self, caller, alarm_id, state):
        return self.alarm_api.set_state(caller, alarm_id, state)

    def alarm_history(self, caller, alarm_id, query, limit, sort):
        return self.alarm_api.history(caller, alarm_id, query, limit, sort)

    def list_alarms(self, caller, query):
        return [self.alarm_of_body(a)
                for a in self.alarm_api.list(caller, query)]
