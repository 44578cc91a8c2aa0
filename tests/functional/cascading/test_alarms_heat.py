"""The Heat case end to end: a stack alarm routed by metering.region.

Heat's OS::Ceilometer::Alarm turns ``matching_metadata`` into
``metadata.metering.*`` query terms. The cascading API routes the alarm to
the region named by ``metadata.metering.region`` (an availability zone
here), the region's own evaluator process evaluates it, and its webhook
fires when samples posted into that region cross the threshold.
"""

import datetime
import uuid

import pytest

from tests import deployment
from tests.functional.alarm import Evaluator
from tests.functional.alarm import Receiver

ADMIN = deployment.ADMIN
STACK = deployment.identity('stack-project', 'heat-user')


@pytest.fixture(scope='module')
def env(mongodb_url):
    with deployment.cascade(mongodb_url, proxied=True,
                            extra=deployment.ALARM_SETTINGS) as env:
        evaluator = Evaluator(env.regions['r2'].server.db_url).start()
        try:
            yield env
        finally:
            evaluator.cleanup()


@pytest.fixture(scope='module')
def receiver():
    server = Receiver().start()
    try:
        yield server
    finally:
        server.stop()


def post_region_samples(env, region, stack, *volumes):
    stamp = (datetime.datetime.utcnow()
             - datetime.timedelta(seconds=1)).isoformat()
    env.client(ADMIN, region=region).post('/v2/meters/cpu_util', [
        {'counter_name': 'cpu_util', 'counter_type': 'gauge',
         'counter_unit': '%', 'counter_volume': v,
         'resource_id': 'server-%d' % n, 'project_id': 'stack-project',
         'user_id': 'heat-user', 'timestamp': stamp,
         'resource_metadata': {'metering.stack': stack}}
        for n, v in enumerate(volumes)], status=201)


def test_a_stack_alarm_fires_its_webhook_from_the_region(env, receiver):
    stack = 'stack-%s' % uuid.uuid4().hex[:8]
    name = '%s-cpu-high' % stack
    hook = '/signal/%s' % stack
    casc = env.client(STACK)
    alarm = casc.post_json('/v2/alarms', {
        'name': name, 'type': 'threshold', 'repeat_actions': False,
        'alarm_actions': [receiver.url(hook)],
        'threshold_rule': {
            'meter_name': 'cpu_util', 'statistic': 'avg', 'period': 60,
            'evaluation_periods': 1, 'threshold': 50.0,
            'comparison_operator': 'gt',
            'query': [{'field': 'metadata.metering.region',
                       'value': 'az-r2'},
                      {'field': 'metadata.metering.stack', 'value': stack}]}})
    region = env.client(ADMIN, region='r2')
    [there] = region.get_json('/v2/alarms', q=[{'field': 'name',
                                                'value': name}])

    post_region_samples(env, 'r2', 'another-stack', 99.0)   # not this one
    post_region_samples(env, 'r2', stack, 20.0, 30.0)
    with pytest.raises(AssertionError):
        receiver.wait(hook, timeout=3)
    post_region_samples(env, 'r2', stack, 95.0, 97.0, 99.0)  # avg 68.2
    [fired] = receiver.wait(hook, timeout=15)
    # The region's evaluator calls the webhook: the URL is passed through
    # unchanged and the body names the region's alarm.
    assert fired['alarm_id'] == there['alarm_id']
    assert fired['alarm_name'] == name
    # The low samples were evaluated first: ok, then alarm.
    assert (fired['previous'], fired['current']) == ('ok', 'alarm')
    path = '/v2/alarms/%s' % alarm['alarm_id']
    assert casc.get_json(path + '/state') == 'alarm'
    listed = {a['alarm_id']: a['state'] for a in casc.get_json('/v2/alarms')}
    assert listed == {alarm['alarm_id']: 'alarm'}
