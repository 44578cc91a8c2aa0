"""POST /v2/query/alarms and /v2/query/alarms/history, and the alarm
capabilities."""

import json

import pytest

from tests.functional.api.v2.alarms.conftest import ALICE
from tests.functional.api.v2.alarms.conftest import BOB
from tests.functional.api.v2.alarms.conftest import fault
from tests.functional.api.v2.alarms.conftest import threshold_alarm


@pytest.fixture
def made(client):
    """Three alarms: two of proj-a (one disabled, in alarm) and one of
    proj-b; plus a state change of the first."""
    out = {}
    for name, headers, extra in (
            ('a-hot', ALICE, {'severity': 'critical'}),
            ('a-off', ALICE, {'enabled': False, 'state': 'alarm'}),
            ('b-net', BOB, {'state': 'ok'})):
        out[name] = client.post_json('/v2/alarms',
                                     threshold_alarm(name, **extra),
                                     headers=headers)
    client.put('/v2/alarms/%s/state' % out['a-hot']['alarm_id'], 'ok',
               status=200)
    return out


def query(client, path, headers=None, status=200, **body):
    body = {k: json.dumps(v) if k != 'limit' else v
            for k, v in body.items()}
    return client.post_json(path, body, headers=headers, status=status)


def names(alarms):
    return sorted(a['name'] for a in alarms)


def test_alarm_filters(client, made):
    got = query(client, '/v2/query/alarms',
                filter={'and': [{'=': {'enabled': True}},
                                {'in': {'state': ['ok', 'alarm']}}]})
    assert names(got) == ['a-hot', 'b-net']
    got = query(client, '/v2/query/alarms',
                filter={'not': {'=': {'project': 'proj-a'}}})
    assert names(got) == ['b-net']
    got = query(client, '/v2/query/alarms',
                filter={'=~': {'name': '^a-'}})
    assert names(got) == ['a-hot', 'a-off']
    got = query(client, '/v2/query/alarms', filter={
        '>=': {'timestamp': made['a-off']['timestamp']}})
    assert names(got) == ['a-off', 'b-net']


def test_alarm_orderby_and_limit(client, made):
    got = query(client, '/v2/query/alarms', orderby=[{'name': 'DESC'}],
                limit=2)
    assert [a['name'] for a in got] == ['b-net', 'a-off']
    got = query(client, '/v2/query/alarms')
    assert [a['name'] for a in got] == ['b-net', 'a-off', 'a-hot']


def test_alarm_query_is_scoped(client, made):
    got = query(client, '/v2/query/alarms', headers=ALICE)
    assert names(got) == ['a-hot', 'a-off']
    resp = client.post('/v2/query/alarms', {
        'filter': json.dumps({'=': {'project_id': 'proj-b'}})},
        headers=ALICE)
    assert resp.status_code == 401


@pytest.mark.parametrize('body, message', [
    ({'filter': '{"=": {"colour": "red"}}'}, 'Filter expression not valid'),
    ({'filter': '{"<>": {"name": "x"}}'}, 'Filter expression not valid'),
    ({'filter': 'not json'}, 'Filter expression not valid'),
    ({'orderby': '[{"name": "sideways"}]'}, 'Order-by expression not valid'),
    ({'filter': '{">": {"timestamp": "yesterday"}}'},
     'Failed to parse the timestamp value yesterday'),
])
def test_invalid_alarm_queries(client, made, body, message):
    resp = client.post('/v2/query/alarms', body)
    assert resp.status_code == 400
    assert message in fault(resp)


def test_history_query(client, made):
    got = query(client, '/v2/query/alarms/history',
                filter={'=': {'type': 'state transition'}})
    assert [(c['alarm_id'], c['detail']) for c in got] == [
        (made['a-hot']['alarm_id'], '{"state": "ok"}')]
    got = query(client, '/v2/query/alarms/history',
                filter={'=': {'alarm_id': made['a-hot']['alarm_id']}},
                orderby=[{'timestamp': 'asc'}])
    assert [c['type'] for c in got] == ['creation', 'state transition']
    got = query(client, '/v2/query/alarms/history', limit=1)
    assert [c['type'] for c in got] == ['state transition']


def test_history_query_is_scoped_by_on_behalf_of(client, made):
    got = query(client, '/v2/query/alarms/history', headers=BOB)
    assert [c['alarm_id'] for c in got] == [made['b-net']['alarm_id']]
    resp = client.post('/v2/query/alarms/history', {
        'filter': json.dumps({'=': {'on_behalf_of': 'proj-a'}})},
        headers=BOB)
    assert resp.status_code == 401
    resp = client.post('/v2/query/alarms/history',
                       {'filter': '{"=": {"rule": "x"}}'})
    assert resp.status_code == 400


def test_capabilities(client):
    caps = client.get_json('/v2/capabilities')
    for key in ('alarms:query:simple', 'alarms:query:complex',
                'alarms:history:query:simple',
                'alarms:history:query:complex'):
        assert caps['api'][key] is True
    assert caps['alarm_storage'] == {'storage:production_ready': True}
