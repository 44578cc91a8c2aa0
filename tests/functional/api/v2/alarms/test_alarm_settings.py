"""``[alarm]`` settings: quotas, history recording, action limits and
trust actions, each on an API server of its own configuration."""

import pytest

from tests.functional.api.v2.alarms.conftest import ALICE
from tests.functional.api.v2.alarms.conftest import fault
from tests.functional.api.v2.alarms.conftest import threshold_alarm
from tests import services

CAROL = {'X-User-Id': 'carol', 'X-Project-Id': 'proj-a',
         'X-Roles': 'member'}


@pytest.fixture(scope='module')
def tuned(api_server):
    """A second API server on the same database, with [alarm] settings."""
    server = services.ApiServer(api_server.db_url, extra={'alarm': {
        'user_alarm_quota': 2, 'project_alarm_quota': 3,
        'record_history': False, 'alarm_max_actions': 2,
        'allow_trust_actions': True}})
    server.start()
    try:
        yield services.Client(server.url, headers=dict(ALICE))
    finally:
        server.cleanup()


def test_user_and_project_quotas(tuned):
    for name in ('one', 'two'):
        tuned.post_json('/v2/alarms', threshold_alarm(name))
    resp = tuned.post('/v2/alarms', threshold_alarm('three'))
    assert resp.status_code == 403
    assert fault(resp) == ('Alarm quota exceeded for user alice on project '
                           'proj-a')
    tuned.post_json('/v2/alarms', threshold_alarm('three'), headers=CAROL)
    resp = tuned.post('/v2/alarms', threshold_alarm('four'), headers=CAROL)
    assert resp.status_code == 403
    assert fault(resp) == ('Alarm quota exceeded for user carol on project '
                           'proj-a')


def test_history_recording_can_be_off(tuned, client):
    alarm = tuned.post_json('/v2/alarms', threshold_alarm('quiet'))
    tuned.put('/v2/alarms/%s/state' % alarm['alarm_id'], 'alarm',
              status=200)
    assert tuned.get_json('/v2/alarms/%s/history' % alarm['alarm_id']) == []
    # The default server records the next change.
    client.put('/v2/alarms/%s/state' % alarm['alarm_id'], 'ok', status=200)
    changes = client.get_json('/v2/alarms/%s/history' % alarm['alarm_id'])
    assert [c['type'] for c in changes] == ['state transition']


def test_action_count_limit(tuned):
    resp = tuned.post('/v2/alarms', threshold_alarm(
        'noisy', alarm_actions=['http://a/1', 'http://a/2', 'http://a/3']))
    assert resp.status_code == 400
    assert fault(resp) == 'alarm_actions count exceeds maximum value 2'


def test_trust_actions_when_allowed(tuned, client):
    body = threshold_alarm('trusty', alarm_actions=['trust+https://hook/a'])
    alarm = tuned.post_json('/v2/alarms', body)
    assert alarm['alarm_actions'] == ['trust+https://hook/a']
    body['name'] = 'other'
    assert client.post('/v2/alarms', body, headers=ALICE).status_code == 400
