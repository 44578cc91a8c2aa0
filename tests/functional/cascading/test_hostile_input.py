"""The hostile-input regressions at the cascading level.

The edge checks run in front of the cascading controllers too, so what a
local API refuses a cascading API refuses the same way, before any region
is called; and the two conformance details hold here as well.
"""

import uuid

import pytest

from tests import deployment
from tests import services

P1 = deployment.identity('p1', 'u1')
P2 = deployment.identity('p2', 'u2')


@pytest.fixture(scope='module')
def env(mongodb_url):
    with deployment.cascade(mongodb_url, v2=('r1',), proxied=True,
                            extra=deployment.ALARM_SETTINGS) as env:
        env.register('vm-1', region='r1', project_id='p1', user_id='u1')
        yield env


def alarm(name, **rule):
    return {'name': name, 'type': 'threshold', 'threshold_rule': dict({
        'meter_name': 'cpu_util', 'threshold': 1.0,
        'query': [{'field': 'resource_id', 'op': 'eq', 'value': 'vm-1'}]},
        **rule)}


def fault(resp, status=400):
    assert resp.status_code == status, resp.text
    assert 'Traceback' not in resp.text
    return resp.json()['error_message']['faultstring']


def raw(env, method, path, data):
    return services.Client(env.url, headers=P1).session.request(
        method, env.url + path, data=data, timeout=60,
        headers=dict(P1, **{'Content-Type': 'application/json'}))


def test_refused_bodies_never_reach_a_region(env):
    proxy = env.regions['r1'].proxy
    proxy.reset()
    client = env.client(P1)
    assert 'threshold_rule.period' in fault(client.post(
        '/v2/alarms', alarm('big', period=2 ** 64)))
    assert 'threshold_rule' in fault(client.post(
        '/v2/alarms', {'name': 'x', 'type': 'threshold',
                       'threshold_rule': 'cpu > 1'}))
    assert 'not UTF-8' in fault(raw(env, 'POST', '/v2/alarms',
                                    b'{"name": "\xff"}'))
    assert 'deeper' in fault(raw(env, 'GET', '/v2/alarms',
                                 b'[' * 5000 + b']' * 5000))
    assert proxy.count() == 0


@pytest.mark.parametrize('field', ['metadata.$x', 'metadata.display_name',
                                   'colour'])
def test_unknown_alarm_filters_are_refused(env, field):
    client = env.client(P1)
    created = client.post_json('/v2/alarms', alarm('f-' + uuid.uuid4().hex))
    q = [{'field': field, 'op': 'eq', 'value': 'x'}]
    fault(client.get('/v2/alarms', q=q))
    fault(client.get('/v2/alarms/%s/history' % created['alarm_id'], q=q))


def test_a_duplicate_name_and_another_projects_put(env):
    client = env.client(P1)
    name = 'dup-' + uuid.uuid4().hex[:8]
    created = client.post_json('/v2/alarms', alarm(name))
    assert fault(client.post('/v2/alarms', alarm(name)), 409) == (
        'Alarm with name=%s exists' % name)
    path = '/v2/alarms/' + created['alarm_id']
    assert 'not found' in fault(env.client(P2).put(path, alarm(name)),
                                404).lower()
    assert client.get_json(path)['name'] == name
