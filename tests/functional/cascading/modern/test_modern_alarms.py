"""v2 alarms at the cascading level, kept by a Gnocchi + Aodh region.

The cascade has a v2 region and a Gnocchi + Aodh region, each behind
counting proxies. Every alarm created through the cascading API is
checked in Aodh itself (its Gnocchi rule), read back in the v2 shape with
cascading ids only, and changed, asked and deleted through the cascade;
the Heat case fires its webhook from the region's own aodh-evaluator and
aodh-notifier.
"""

import datetime
import json
import subprocess
import threading
import time
import uuid

import pytest

from tests import deployment
from tests.functional.alarm import Receiver
from tests.functional import test_ceilometerclient as cc
from tests import services
from ceilometer_proxy import utils

G = 'regionG'
V2 = 'regionOne'
MEMBER = deployment.identity('p1', 'u1')
OTHER = deployment.identity('p2', 'u2')
ALARMS = '/v2/alarms'


@pytest.fixture(scope='module')
def cascade(mongodb_url, modern_region):
    built = deployment.Cascade(mongodb_url)
    built.add_v2_region(V2, proxied=True)
    built.add_gnocchi_region(G, None, modern_region=modern_region,
                             proxied=True)
    try:
        built.start(extra={'cascading': {'http_timeout': 20}})
        yield built
    finally:
        built.cleanup()


@pytest.fixture
def world(cascade, modern_region):
    """An emptied cascade with a Gnocchi instance registered as vm-g."""
    cascade.reset()
    modern_region.create_resource('gn-vm-g', 'p1', 'u1',
                                  metrics=('cpu_util',), policy='cascade-test',
                                  resource_type='instance', server_group='g0')
    cascade.register('vm-g', region=G, cascaded_id='gn-vm-g',
                     project_id='p1', user_id='u1')
    return cascade


@pytest.fixture(scope='module')
def receiver():
    server = Receiver().start()
    try:
        yield server
    finally:
        server.stop()


def threshold(name, query, **rule):
    body = {'meter_name': 'cpu_util', 'statistic': 'avg', 'period': 60,
            'evaluation_periods': 1, 'threshold': 50.0,
            'comparison_operator': 'gt', 'query': query}
    body.update(rule)
    return {'name': name, 'type': 'threshold', 'severity': 'critical',
            'repeat_actions': True, 'alarm_actions': ['http://hook/x'],
            'time_constraints': [{'name': 'nights', 'start': '0 23 * * *',
                                  'duration': 3600}],
            'threshold_rule': body}


def by_resource(resource='vm-g'):
    return [{'field': 'resource_id', 'op': 'eq', 'value': resource}]


def native(modern_region, alarm_name):
    found = modern_region.aodh('GET', ALARMS, params=[
        ('q.field', 'name'), ('q.op', 'eq'), ('q.value', alarm_name),
        ('q.field', 'all_projects'), ('q.op', 'eq'), ('q.value', 'true')])
    assert len(found) == 1, found
    return found[0]


def test_a_resource_alarm_is_a_gnocchi_resources_threshold(world,
                                                           modern_region):
    client = world.client(MEMBER)
    alarm = client.post_json(ALARMS, threshold('hot', by_resource()))
    there = native(modern_region, 'hot')
    assert there['type'] == 'gnocchi_resources_threshold'
    assert there['gnocchi_resources_threshold_rule'] == {
        'metric': 'cpu_util', 'resource_id': 'gn-vm-g',
        'resource_type': 'generic', 'aggregation_method': 'mean',
        'granularity': 60, 'comparison_operator': 'gt', 'threshold': 50.0,
        'evaluation_periods': 1}
    assert (there['project_id'], there['user_id']) == ('p1', 'u1')
    assert there['severity'] == 'critical' and there['repeat_actions']
    assert there['time_constraints'][0]['start'] == '0 23 * * *'
    # Shown as a v2 alarm, under cascading ids only.
    assert alarm['threshold_rule']['query'] == by_resource()
    assert alarm['threshold_rule']['statistic'] == 'avg'
    assert alarm['alarm_id'] != there['alarm_id']
    shown = client.get_json('%s/%s' % (ALARMS, alarm['alarm_id']))
    assert 'gn-vm-g' not in json.dumps(shown)
    assert there['alarm_id'] not in json.dumps(shown)
    assert shown['threshold_rule'] == alarm['threshold_rule']


def test_state_history_update_and_delete_go_to_aodh(world, modern_region):
    client = world.client(MEMBER)
    alarm = client.post_json(ALARMS, threshold('warm', by_resource()))
    path = '%s/%s' % (ALARMS, alarm['alarm_id'])
    assert client.get_json(path + '/state') == 'insufficient data'
    client.put(path + '/state', 'alarm', status=200)
    assert native(modern_region, 'warm')['state'] == 'alarm'
    assert client.get_json(path + '/state') == 'alarm'
    changed = threshold('warm', by_resource(), threshold=70.0,
                        statistic='max')
    updated = client.put(path, changed, status=200).json()
    assert updated['threshold_rule']['threshold'] == 70.0
    rule = native(modern_region, 'warm')['gnocchi_resources_threshold_rule']
    assert (rule['threshold'], rule['aggregation_method']) == (70.0, 'max')
    history = client.get_json(path + '/history')
    assert [h['type'] for h in history] == [
        'rule change', 'state transition', 'creation']
    assert {h['alarm_id'] for h in history} == {alarm['alarm_id']}
    creation = json.loads(history[-1]['detail'])
    assert creation['type'] == 'threshold'
    assert creation['rule']['query'] == alarm['threshold_rule']['query']
    assert 'gn-vm-g' not in json.dumps(history)
    only = client.get_json(path + '/history', q=[
        {'field': 'type', 'value': 'creation'}])
    assert [h['type'] for h in only] == ['creation']
    client.delete(path, status=204)
    assert modern_region.aodh('GET', ALARMS, params=[
        ('q.field', 'name'), ('q.op', 'eq'), ('q.value', 'warm')]) == []
    client.get(path, status=404)


def test_other_projects_cannot_see_it(world):
    alarm = world.client(MEMBER).post_json(ALARMS, threshold(
        'mine', by_resource()))
    other = world.client(OTHER)
    other.get('%s/%s' % (ALARMS, alarm['alarm_id']), status=404)
    assert other.get_json(ALARMS) == []
    # Nor may another project alarm on its resource.
    other.post(ALARMS, threshold('theirs', by_resource()), status=404)


def test_what_aodh_cannot_keep_is_refused_naming_the_region(world,
                                                            modern_region):
    client = world.client(MEMBER)
    resp = client.post(ALARMS, threshold('odd', by_resource(), period=90))
    assert resp.status_code == 400
    assert 'Region %s (Gnocchi) keeps granularity 60 s, 3600 s' % G \
        in resp.text
    resp = client.post(ALARMS, threshold('outliers', by_resource(),
                                         exclude_outliers=True))
    assert resp.status_code == 400 and 'outliers' in resp.text
    assert modern_region.aodh('GET', ALARMS, params=[
        ('q.field', 'all_projects'), ('q.op', 'eq'),
        ('q.value', 'true')]) == []


def test_a_combination_is_a_composite_of_the_sub_rules(world,
                                                       modern_region):
    client = world.client(MEMBER)
    one = client.post_json(ALARMS, threshold('one', by_resource()))
    two = client.post_json(ALARMS, threshold('two', by_resource(),
                                             statistic='max'))
    both = client.post_json(ALARMS, {
        'name': 'both', 'type': 'combination',
        'combination_rule': {'operator': 'and',
                             'alarm_ids': [one['alarm_id'],
                                           two['alarm_id']]}})
    there = native(modern_region, 'both')
    assert there['type'] == 'composite'
    rules = there['composite_rule']['and']
    assert [r['type'] for r in rules] == ['gnocchi_resources_threshold'] * 2
    assert [r['aggregation_method'] for r in rules] == ['mean', 'max']
    assert both['combination_rule'] == {
        'operator': 'and', 'alarm_ids': [one['alarm_id'], two['alarm_id']]}


def test_listing_syncs_states_with_one_call_per_region(world):
    client = world.client(MEMBER)
    ids = [client.post_json(ALARMS, threshold('a%d' % i, by_resource())
                            )['alarm_id'] for i in range(5)]
    client.put('%s/%s/state' % (ALARMS, ids[2]), 'alarm', status=200)
    aodh = world.regions[G].proxies['alarming']
    aodh.reset()
    listed = {a['alarm_id']: a['state'] for a in client.get_json(ALARMS)}
    assert listed[ids[2]] == 'alarm' and len(listed) == 5
    assert aodh.count('GET', ALARMS) == 1
    assert aodh.count() == 1


def test_reconciler_removes_what_aodh_holds_for_nobody(world,
                                                       modern_region):
    """A cascading API killed after Aodh made the alarm, before its row was
    written, leaves an intent; the operator's reconcile command deletes the
    orphan in Aodh."""
    casc = world.cascading
    hold = world.regions[G].proxies['alarming'].hold('POST', ALARMS)
    outcome = {}

    def create():
        try:
            outcome['resp'] = world.client(MEMBER).post(
                ALARMS, threshold('lost', by_resource()))
        except Exception as err:  # the server is killed under it
            outcome['error'] = err

    thread = threading.Thread(target=create, daemon=True)
    thread.start()
    assert hold.reached.wait(30) and hold.status == 201
    casc.kill()                  # the master and its workers at once
    hold.release()
    thread.join(30)
    assert 'resp' not in outcome
    assert native(modern_region, 'lost')['project_id'] == 'p1'
    casc.start()
    code, out, last = services.run_command(
        'ceilometer-proxy-cascading-reconcile', casc.conf_path,
        '--min-age', '0')
    assert code == 0, out + last
    assert '1 orphan region alarm(s) found, 1 removed' in out
    assert modern_region.aodh('GET', ALARMS, params=[
        ('q.field', 'name'), ('q.op', 'eq'), ('q.value', 'lost'),
        ('q.field', 'all_projects'), ('q.op', 'eq'),
        ('q.value', 'true')]) == []


# -- Heat, end to end ---------------------------------------------------------

def _post_now(modern_region, values):
    """Measures a second ago: {resource id: [value, ...]}."""
    stamp = utils.utcnow() - datetime.timedelta(seconds=1)
    modern_region.post_measures({rid: {'cpu_util': [(stamp, v)
                                                    for v in volumes]}
                                 for rid, volumes in values.items()})


def _wait_state(client, path, state, timeout=60):
    deadline = time.monotonic() + timeout
    while client.get_json(path + '/state') != state:
        assert time.monotonic() < deadline, 'alarm never became ' + state
        time.sleep(0.5)


def test_a_heat_alarm_fires_from_the_regions_evaluator(world, modern_region,
                                                       receiver):
    group = 'group-%s' % uuid.uuid4().hex[:8]
    stack = deployment.identity('stack-project', 'heat-user')
    for n in range(2):
        modern_region.create_resource(
            'server-%d-%s' % (n, group), 'stack-project', 'heat-user',
            metrics=('cpu_util',), policy='cascade-test',
            resource_type='instance', server_group=group)
    modern_region.create_resource(
        'server-x-%s' % group, 'stack-project', 'heat-user',
        metrics=('cpu_util',), policy='cascade-test',
        resource_type='instance', server_group='another-group')
    hook = '/signal/%s' % group
    client = world.client(stack)
    alarm = client.post_json(ALARMS, dict(threshold(
        'scale-up-' + group, [
            {'field': 'metadata.metering.region', 'value': 'az-' + G},
            {'field': 'metadata.user_metadata.server_group',
             'value': group}]), alarm_actions=[receiver.url(hook)],
        repeat_actions=False, time_constraints=[]))
    there = native(modern_region, 'scale-up-' + group)
    rule = there['gnocchi_aggregation_by_resources_threshold_rule']
    assert rule['resource_type'] == 'instance'
    assert json.loads(rule['query']) == {'and': [
        {'=': {'server_group': group}},
        {'=': {'project_id': 'stack-project'}}]}
    path = '%s/%s' % (ALARMS, alarm['alarm_id'])
    _post_now(modern_region, {'server-x-%s' % group: [99.0],
                              'server-0-%s' % group: [20.0],
                              'server-1-%s' % group: [30.0]})
    _wait_state(client, path, 'ok')
    assert receiver.bodies(hook) == []
    _post_now(modern_region, {'server-0-%s' % group: [95.0, 99.0],
                              'server-1-%s' % group: [97.0]})
    [fired] = receiver.wait(hook, timeout=60)
    # Aodh's notifier calls the webhook as it was given, naming its alarm.
    assert fired['alarm_id'] == there['alarm_id']
    assert fired['alarm_name'] == 'scale-up-' + group
    assert (fired['previous'], fired['current']) == ('ok', 'alarm')
    assert client.get_json(path + '/state') == 'alarm'


# -- python-ceilometerclient -------------------------------------------------

@pytest.fixture(scope='module')
def ceilometer(cascade):
    out = subprocess.run([cc.BUILD_SCRIPT], check=True, timeout=900,
                         stdout=subprocess.PIPE, text=True).stdout
    return cc.Cli(out.strip().splitlines()[-1], cascade.url)


def test_python_ceilometerclient_manages_the_alarm(world, ceilometer,
                                                   modern_region):
    created = ceilometer.mapping(
        'alarm-threshold-create', '--name', 'cli-hot', '-m', 'cpu_util',
        '--threshold', '80', '--period', '60', '--statistic', 'max',
        '--comparison-operator', 'ge', '-q', 'resource_id=vm-g')
    alarm_id = created['alarm_id']
    assert native(modern_region, 'cli-hot')[
        'gnocchi_resources_threshold_rule']['aggregation_method'] == 'max'
    shown = ceilometer.mapping('alarm-show', alarm_id)
    assert shown['name'] == 'cli-hot' and 'vm-g' in shown['query']
    ceilometer.run('alarm-update', alarm_id, '--threshold', '90')
    assert native(modern_region, 'cli-hot')[
        'gnocchi_resources_threshold_rule']['threshold'] == 90.0
    ceilometer.run('alarm-state-set', alarm_id, '--state', 'ok')
    assert ceilometer.run('alarm-state-get', alarm_id).stdout.count('ok')
    history = ceilometer.table('alarm-history', alarm_id)
    # (Long details wrap onto rows of their own, with no type.)
    assert [h['Type'] for h in history if h['Type']] == [
        'state transition', 'rule change', 'creation']
    ceilometer.run('alarm-delete', alarm_id)
    failed = ceilometer.run('alarm-show', alarm_id, ok=False)
    assert failed.returncode != 0


def test_warm_statistics_cost_one_gnocchi_call(world, modern_region):
    """Once a meter's archive policies are known, a project-wide question
    is one aggregates call to Gnocchi (a lone resource's too)."""
    start = utils.floor_to_period(utils.utcnow(), 3600) - datetime.timedelta(
        hours=1)
    modern_region.post_measures({'gn-vm-g': {'cpu_util': [
        (start + datetime.timedelta(minutes=5), 42.0)]}})
    modern_region.wait_for_processing()
    gnocchi = world.regions[G].proxies['metric']
    client = world.client()
    path = '/v2/meters/cpu_util/statistics'
    since = [{'field': 'timestamp', 'op': 'ge', 'value': start.isoformat()}]
    for query in (since, since + by_resource()):
        # The known policies and types are read again every [gnocchi]
        # cache_ttl (10 s): on a loaded machine that moment can fall
        # between the warming call and the measured one, so the pair is
        # tried again (a refresh cannot come twice in a row).
        for _attempt in range(3):
            client.get_json(path, q=query, period=3600)
            gnocchi.reset()
            stats = client.get_json(path, q=query, period=3600)
            assert [(s['count'], s['max']) for s in stats] == [(1, 42.0)]
            if gnocchi.count() == 1:
                break
        assert gnocchi.count() == 1, gnocchi.calls
        assert gnocchi.count('POST', '/v1/aggregates') == 1
