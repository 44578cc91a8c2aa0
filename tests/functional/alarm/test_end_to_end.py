"""Alarms evaluated by a real evaluator process fire real webhooks.

An API process and an evaluator process (``evaluation_interval = 1``)
share one database; samples and alarms go in through the API, webhook
calls come out to a receiver on 127.0.0.1.
"""

import datetime
import time
import uuid

import pytest

from tests.functional.alarm import Evaluator
from tests.functional.alarm import Receiver
from tests import services

ADMIN = {'X-User-Id': 'admin-user', 'X-Project-Id': 'admin-proj',
         'X-Roles': 'admin'}
INTERVAL = 1
# Two evaluation intervals, plus the time of one cycle and the HTTP calls
# on a loaded machine.
WITHIN = 2 * INTERVAL + 3


@pytest.fixture(scope='module')
def receiver():
    server = Receiver().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope='module')
def evaluator(api_server):
    process = Evaluator(api_server.db_url)
    try:
        yield process.start()
    finally:
        process.cleanup()


@pytest.fixture
def client(api_server, evaluator):
    """An admin client on an alarm store emptied for this test."""
    from ceilometer_proxy.alarm import storage as alarm_storage
    from ceilometer_proxy import service

    conf = service.prepare_service([], config_files=[])
    conn = alarm_storage.get_connection_from_config(conf, api_server.db_url)
    conn.upgrade()
    conn.clear()
    conn.close()
    return services.Client(api_server.url, headers=dict(ADMIN))


def post_samples(client, resource, *volumes):
    stamp = (datetime.datetime.utcnow()
             - datetime.timedelta(seconds=1)).isoformat()
    client.post('/v2/meters/cpu_util', [
        {'counter_name': 'cpu_util', 'counter_type': 'gauge',
         'counter_unit': '%', 'counter_volume': v, 'resource_id': resource,
         'project_id': 'admin-proj', 'user_id': 'admin-user',
         'timestamp': stamp} for v in volumes], status=201)


def create_threshold(client, receiver, name, resource, **extra):
    body = {'name': name, 'type': 'threshold', 'severity': 'critical',
            'alarm_actions': [receiver.url('/alarm/%s' % name)],
            'ok_actions': [receiver.url('/ok/%s' % name)],
            'threshold_rule': {
                'meter_name': 'cpu_util', 'threshold': 70.0,
                'comparison_operator': 'gt', 'statistic': 'avg',
                'period': 60, 'evaluation_periods': 1,
                'query': [{'field': 'resource_id', 'op': 'eq',
                           'value': resource}]}}
    body.update(extra)
    return client.post_json('/v2/alarms', body)


def unique(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


def transitions(client, alarm_id):
    history = client.get_json('/v2/alarms/%s/history' % alarm_id)
    return [h['detail'] for h in reversed(history)
            if h['type'] == 'state transition']


def test_threshold_alarm_fires_then_recovers(client, receiver):
    name, resource = unique('hot'), unique('vm')
    dead = 'http://127.0.0.1:%d/nobody' % services.free_port()
    alarm = create_threshold(client, receiver, name, resource)
    client.put('/v2/alarms/%s' % alarm['alarm_id'], dict(
        alarm, alarm_actions=[dead] + alarm['alarm_actions']), status=200)

    post_samples(client, resource, 90.0, 90.0, 90.0)
    # The dead webhook first: it delays nothing.
    [fired] = receiver.wait('/alarm/%s' % name, timeout=WITHIN)
    assert fired == {
        'alarm_id': alarm['alarm_id'], 'alarm_name': name,
        'severity': 'critical', 'previous': 'insufficient data',
        'current': 'alarm',
        'reason': 'Transition to alarm due to 1 samples outside threshold, '
                  'most recent: 90.0',
        'reason_data': {'type': 'threshold', 'disposition': 'outside',
                        'count': 1, 'most_recent': 90.0}}
    assert client.get_json('/v2/alarms/%s/state'
                           % alarm['alarm_id']) == 'alarm'

    post_samples(client, resource, *[10.0] * 12)       # avg 26
    [recovered] = receiver.wait('/ok/%s' % name, timeout=WITHIN)
    assert (recovered['previous'], recovered['current']) == ('alarm', 'ok')
    assert recovered['reason_data']['most_recent'] == 26.0
    assert recovered['reason_data']['disposition'] == 'inside'

    # Without repeat_actions, a state that holds is not notified again.
    [call] = receiver.wait('/ok/%s' % name, timeout=1)
    assert len(receiver.bodies('/alarm/%s' % name)) == 1
    assert transitions(client, alarm['alarm_id']) == [
        '{"state": "alarm"}', '{"state": "ok"}']
    stored = client.get_json('/v2/alarms/%s' % alarm['alarm_id'])
    assert stored['state'] == 'ok'
    assert stored['alarm_actions'][0] == dead     # the user's edit is kept


def test_repeat_actions_notify_every_cycle(client, receiver):
    name, resource = unique('repeat'), unique('vm')
    alarm = create_threshold(client, receiver, name, resource,
                             repeat_actions=True)
    post_samples(client, resource, 95.0)
    calls = receiver.wait('/alarm/%s' % name, count=3, timeout=WITHIN + 3)
    assert calls[0]['previous'] == 'insufficient data'
    assert [c['current'] for c in calls] == ['alarm'] * len(calls)
    assert calls[2]['previous'] == 'alarm'
    assert calls[2]['reason'].startswith('Remaining as alarm due to 1 '
                                         'samples outside threshold')
    assert transitions(client, alarm['alarm_id']) == ['{"state": "alarm"}']


def test_combination_alarm_fires_when_its_operands_do(client, receiver):
    r1, r2 = unique('vm'), unique('vm')
    a1 = create_threshold(client, receiver, unique('op'), r1)
    a2 = create_threshold(client, receiver, unique('op'), r2)
    name = unique('both')
    combo = client.post_json('/v2/alarms', {
        'name': name, 'type': 'combination',
        'alarm_actions': [receiver.url('/alarm/%s' % name)],
        'combination_rule': {'operator': 'and',
                             'alarm_ids': [a1['alarm_id'],
                                           a2['alarm_id']]}})
    post_samples(client, r1, 80.0)
    receiver.wait('/alarm/%s' % a1['name'], timeout=WITHIN)
    post_samples(client, r2, 85.0)
    receiver.wait('/alarm/%s' % a2['name'], timeout=WITHIN)
    [fired] = receiver.wait('/alarm/%s' % name, timeout=WITHIN)
    assert fired['alarm_id'] == combo['alarm_id']
    assert (fired['previous'], fired['current']) == ('insufficient data',
                                                     'alarm')
    assert fired['reason_data'] == {
        'type': 'combination',
        'alarm_ids': [a1['alarm_id'], a2['alarm_id']]}
    assert transitions(client, combo['alarm_id']) == ['{"state": "alarm"}']


def wait_for_log(process, text, timeout):
    deadline = time.monotonic() + timeout
    while text not in process.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    return text in process.log()


def test_log_action_writes_a_log_line(client, evaluator):
    name, resource = unique('logged'), unique('vm')
    alarm = client.post_json('/v2/alarms', {
        'name': name, 'type': 'threshold', 'alarm_actions': ['log://'],
        'threshold_rule': {
            'meter_name': 'cpu_util', 'threshold': 1.0,
            'comparison_operator': 'gt',
            'query': [{'field': 'resource_id', 'op': 'eq',
                       'value': resource}]}})
    post_samples(client, resource, 5.0)
    assert wait_for_log(evaluator, 'Notifying alarm %s %s of low priority '
                        'from insufficient data to alarm with action log://'
                        % (name, alarm['alarm_id']), WITHIN)


def test_sigterm_stops_after_the_cycle(api_server):
    process = Evaluator(api_server.db_url)
    try:
        process.start()
        assert wait_for_log(process, 'Evaluation cycle 1:', WITHIN)
        assert process.stop() == 0
        assert 'Alarm evaluator stopped after' in process.log()
    finally:
        process.cleanup()
