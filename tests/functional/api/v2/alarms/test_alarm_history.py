"""/v2/alarms/<id>/state and /v2/alarms/<id>/history."""

import datetime
import json

import pytest

from tests.functional.api.v2.alarms.conftest import ALICE
from tests.functional.api.v2.alarms.conftest import BOB
from tests.functional.api.v2.alarms.conftest import fault
from tests.functional.api.v2.alarms.conftest import threshold_alarm


@pytest.fixture
def alarm(client):
    return client.post_json('/v2/alarms', threshold_alarm(
        'hot', severity='critical'), headers=ALICE)


def url(alarm, tail=''):
    return '/v2/alarms/%s%s' % (alarm['alarm_id'], tail)


def history(client, alarm, headers=ALICE, **kwargs):
    return client.get_json(url(alarm, '/history'), headers=headers,
                           **kwargs)


def replace(client, alarm, headers=ALICE, **changes):
    body = {k: v for k, v in alarm.items()
            if k not in ('alarm_id', 'timestamp', 'state_timestamp')}
    body.update(changes)
    return client.put(url(alarm), body, headers=headers, status=200).json()


# -- state ------------------------------------------------------------------

def test_get_and_set_state(client, alarm):
    assert client.get_json(url(alarm, '/state')) == 'insufficient data'
    resp = client.put(url(alarm, '/state'), 'alarm', headers=ALICE)
    assert resp.status_code == 200
    assert resp.json() == 'alarm'
    got = client.get_json(url(alarm))
    assert got['state'] == 'alarm'
    assert got['state_timestamp'] > alarm['state_timestamp']
    assert got['timestamp'] == alarm['timestamp']
    assert client.get_json(url(alarm, '/state'), headers=ALICE) == 'alarm'


def test_invalid_state(client, alarm):
    resp = client.put(url(alarm, '/state'), 'not valid')
    assert resp.status_code == 400
    assert fault(resp) == 'state invalid'
    assert client.get_json(url(alarm, '/state')) == 'insufficient data'


def test_state_of_foreign_alarm(client, alarm):
    assert client.get(url(alarm, '/state'), headers=BOB).status_code == 404
    resp = client.put(url(alarm, '/state'), 'ok', headers=BOB)
    assert resp.status_code == 404
    assert client.get('/v2/alarms/nowhere/state').status_code == 404


# -- history ----------------------------------------------------------------

def test_creation_is_recorded(client, alarm):
    changes = history(client, alarm)
    assert len(changes) == 1
    change = changes[0]
    assert change['type'] == 'creation'
    assert (change['user_id'], change['project_id'],
            change['on_behalf_of']) == ('alice', 'proj-a', 'proj-a')
    assert change['alarm_id'] == alarm['alarm_id']
    assert change['event_id']
    detail = json.loads(change['detail'])
    assert detail['name'] == 'hot'
    assert detail['rule']['meter_name'] == 'cpu_util'
    assert detail['timestamp'] == alarm['timestamp']


def test_rule_change_records_only_what_changed(client, alarm):
    replace(client, alarm, severity='low')
    changes = history(client, alarm)
    assert [c['type'] for c in changes] == ['rule change', 'creation']
    assert changes[0]['detail'] == json.dumps({'severity': 'low'})
    # The same definition again changes nothing.
    replace(client, alarm, severity='low')
    assert len(history(client, alarm)) == 2


def test_state_transition_on_behalf_of_the_owner(client, alarm):
    client.put(url(alarm, '/state'), 'alarm', status=200)
    changes = history(client, alarm)
    assert changes[0]['type'] == 'state transition'
    assert changes[0]['detail'] == '{"state": "alarm"}'
    assert (changes[0]['user_id'], changes[0]['project_id'],
            changes[0]['on_behalf_of']) == ('admin-user', 'admin-proj',
                                            'proj-a')


def test_history_is_newest_first(client, alarm):
    for i in range(6):
        replace(client, alarm, name='name-%d' % i)
    changes = history(client, alarm)
    assert [json.loads(c['detail']).get('name') for c in changes[:6]] == [
        'name-%d' % i for i in range(5, -1, -1)]
    assert changes[-1]['type'] == 'creation'
    limited = history(client, alarm, limit=2)
    assert limited == changes[:2]
    oldest = history(client, alarm, sort=['timestamp:asc'], limit=1)
    assert oldest[0]['type'] == 'creation'


def test_history_survives_deletion(client, alarm):
    replace(client, alarm, name='renamed')
    client.delete(url(alarm), headers=ALICE, status=204)
    changes = history(client, alarm)
    assert [c['type'] for c in changes] == ['deletion', 'rule change',
                                            'creation']
    assert json.loads(changes[0]['detail'])['name'] == 'renamed'
    assert history(client, {'alarm_id': 'never-existed'}) == []


def test_history_is_scoped_by_on_behalf_of(client, alarm):
    assert history(client, alarm, headers=BOB) == []
    client.put(url(alarm, '/state'), 'ok', status=200)
    assert len(history(client, alarm, headers=ALICE)) == 2
    assert len(history(client, alarm)) == 2


def test_history_filters(client, alarm):
    replace(client, alarm, name='renamed')
    client.put(url(alarm, '/state'), 'ok', status=200)
    by_type = history(client, alarm, q=[{'field': 'type',
                                         'value': 'rule change'}])
    assert [c['type'] for c in by_type] == ['rule change']
    by_user = history(client, alarm, q=[{'field': 'user_id',
                                         'value': 'admin-user'}])
    assert [c['type'] for c in by_user] == ['state transition']
    by_project = history(client, alarm, q=[{'field': 'project',
                                            'value': 'proj-a'}])
    assert len(by_project) == 2


def test_history_by_timestamp(client, alarm):
    replace(client, alarm, name='renamed')
    later = (datetime.datetime.utcnow() +
             datetime.timedelta(seconds=1)).isoformat()
    q = [{'field': 'timestamp', 'op': 'gt', 'value': later}]
    assert history(client, alarm, q=q) == []
    q[0]['op'] = 'le'
    assert len(history(client, alarm, q=q)) == 2
    created = history(client, alarm)[-1]['timestamp']
    q = [{'field': 'timestamp', 'op': 'gt', 'value': created}]
    assert [c['type'] for c in history(client, alarm, q=q)] == [
        'rule change']


@pytest.mark.parametrize('field', ['alarm_id', 'abcd'])
def test_history_refuses_unknown_fields(client, alarm, field):
    resp = client.get(url(alarm, '/history'),
                      q=[{'field': field, 'value': 'x'}])
    assert resp.status_code == 400
    assert fault(resp) == (
        'Unknown argument: "%s": unrecognized field in query: '
        "[<Query '%s' eq 'x' Unset>], valid keys: ['project', "
        "'search_offset', 'severity', 'timestamp', 'type', 'user']"
        % (field, field))


def test_member_history_query_on_another_project(client, alarm):
    resp = client.get(url(alarm, '/history'), headers=ALICE,
                      q=[{'field': 'project_id', 'value': 'proj-b'}])
    assert resp.status_code == 401
