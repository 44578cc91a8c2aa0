"""Alarms through a cascading API in front of two local-mode regions.

Every call is real HTTP: test -> cascading API -> RegionProxy -> region
API. The proxies count what the cascading level asks the regions, and the
regions are also read directly to see what was really created there.
"""

import json
import time
import uuid

import pytest

from tests import deployment
from tests import services

ADMIN = deployment.ADMIN
P1 = deployment.identity('p1')
P2 = deployment.identity('p2')


@pytest.fixture(scope='module')
def env(mongodb_url):
    with deployment.cascade(mongodb_url, proxied=True,
                            extra=deployment.ALARM_SETTINGS) as env:
        env.register_by_sample('vm-a', 'r1', 'r1-vm-a', project='p1')
        env.register_by_sample('vm-b', 'r2', 'r2-vm-b', project='p1')
        env.register_by_sample('vm-p2', 'r1', 'r1-vm-p2', project='p2')
        yield env


@pytest.fixture
def casc(env):
    for proxy in proxies(env):
        proxy.down = False
        proxy.reset()
    return env.client(P1)


def proxies(env):
    """The RegionProxy in front of each region."""
    return [region.proxy for region in env.regions.values()]


def unique(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


def threshold(name, query, **extra):
    body = {'name': name, 'type': 'threshold',
            'description': 'watch ' + name,
            'threshold_rule': {'meter_name': 'cpu_util', 'threshold': 70.0,
                               'comparison_operator': 'gt',
                               'query': query}}
    body.update(extra)
    return body


def q(field, value):
    return {'field': field, 'op': 'eq', 'value': value}


def region_alarms(env, region, name):
    return env.client(ADMIN, region=region).get_json(
        '/v2/alarms', q=[q('name', name)])


def test_a_resource_alarm_is_created_in_its_region(env, casc):
    name = unique('hot')
    created = casc.post_json('/v2/alarms', threshold(
        name, [q('resource_id', 'vm-a')]))
    [there] = region_alarms(env, 'r1', name)
    assert region_alarms(env, 'r2', name) == []
    assert created['alarm_id'] != there['alarm_id']
    assert created['description'] == there['description'] == 'watch ' + name
    assert created['project_id'] == there['project_id'] == 'p1'
    # The region evaluates the cascaded resource; the user sees theirs.
    region_query = {(x['field'], x['value'])
                    for x in there['threshold_rule']['query']}
    assert ('resource_id', 'r1-vm-a') in region_query
    # As in local mode, a scoped owner's project is added to the query.
    assert [(x['field'], x['value'])
            for x in created['threshold_rule']['query']] == [
        ('resource_id', 'vm-a'), ('project_id', 'p1')]
    shown = casc.get_json('/v2/alarms/%s' % created['alarm_id'])
    assert shown['alarm_id'] == created['alarm_id']
    assert [x['value'] for x in shown['threshold_rule']['query']
            if x['field'] == 'resource_id'] == ['vm-a']
    assert there['alarm_id'] not in json.dumps(shown)
    assert 'r1-vm-a' not in json.dumps(shown)


def test_the_region_key_routes_heat_alarms(env, casc):
    name = unique('stack')
    created = casc.post_json('/v2/alarms', threshold(name, [
        q('metadata.metering.region', 'az-r2'),
        q('metadata.metering.stack', 'st-1')]))
    [there] = region_alarms(env, 'r2', name)
    fields = [x['field'] for x in there['threshold_rule']['query']]
    assert 'metadata.metering.region' not in fields
    assert 'metadata.metering.stack' in fields
    assert [x['field'] for x in created['threshold_rule']['query']] == [
        'metadata.metering.region', 'metadata.metering.stack', 'project_id']


@pytest.mark.parametrize('query, status, text', [
    ([q('project_id', 'p1')], 400, 'metadata.metering.region'),
    ([q('resource_id', 'vm-zz')], 404, 'vm-zz'),
    ([q('resource_id', 'vm-p2')], 404, 'vm-p2'),     # another project's
    ([q('metadata.metering.region', 'mars')], 400, 'mars'),
    ([q('resource_id', 'vm-a'), q('metadata.metering.region', 'r2')], 400,
     'not in r2'),
])
def test_alarms_that_cannot_be_routed(env, casc, query, status, text):
    name = unique('bad')
    resp = casc.post('/v2/alarms', threshold(name, query))
    assert resp.status_code == status, resp.text
    assert text in resp.json()['error_message']['faultstring']
    assert region_alarms(env, 'r1', name) == region_alarms(
        env, 'r2', name) == []
    assert casc.get_json('/v2/alarms', q=[q('name', name)]) == []


def test_invalid_bodies_are_refused_before_any_region_call(env, casc):
    resp = casc.post('/v2/alarms', {'name': 'x', 'type': 'threshold'})
    assert resp.status_code == 400
    assert 'threshold_rule must be set' in resp.text
    assert sum(p.count() for p in proxies(env)) == 0


def test_names_are_unique_per_project(env, casc):
    name = unique('twice')
    casc.post_json('/v2/alarms', threshold(name, [q('resource_id', 'vm-a')]))
    resp = casc.post('/v2/alarms', threshold(name, [
        q('resource_id', 'vm-b')]))
    assert resp.status_code == 409
    assert region_alarms(env, 'r2', name) == []


def test_update_forwards_and_refuses_moves(env, casc):
    name = unique('upd')
    created = casc.post_json('/v2/alarms', threshold(
        name, [q('resource_id', 'vm-a')]))
    path = '/v2/alarms/%s' % created['alarm_id']
    changed = dict(created, threshold_rule=dict(created['threshold_rule'],
                                                threshold=90.0))
    updated = casc.put(path, changed, status=200).json()
    assert updated['threshold_rule']['threshold'] == 90.0
    assert updated['alarm_id'] == created['alarm_id']
    [there] = region_alarms(env, 'r1', name)
    assert there['threshold_rule']['threshold'] == 90.0

    moved = dict(changed, threshold_rule=dict(
        changed['threshold_rule'], query=[q('resource_id', 'vm-b')]))
    resp = casc.put(path, moved)
    assert resp.status_code == 400
    assert 'delete it and create a new one' in resp.text
    assert region_alarms(env, 'r2', name) == []


def test_state_and_history_are_proxied(env, casc):
    name = unique('st')
    created = casc.post_json('/v2/alarms', threshold(
        name, [q('resource_id', 'vm-a')]))
    path = '/v2/alarms/%s' % created['alarm_id']
    assert casc.put(path + '/state', 'alarm', status=200).json() == 'alarm'
    [there] = region_alarms(env, 'r1', name)
    assert there['state'] == 'alarm'
    assert casc.get_json(path + '/state') == 'alarm'
    assert casc.put(path + '/state', 'sleepy').status_code == 400

    history = casc.get_json(path + '/history')
    assert [h['type'] for h in history] == ['state transition', 'creation']
    assert {h['alarm_id'] for h in history} == {created['alarm_id']}
    text = json.dumps(history)
    assert there['alarm_id'] not in text and 'r1-vm-a' not in text
    creation = json.loads(history[1]['detail'])
    assert creation['alarm_id'] == created['alarm_id']
    only = casc.get_json(path + '/history',
                         q=[q('type', 'creation')])
    assert [h['type'] for h in only] == ['creation']


def test_delete_goes_to_the_region_first(env, casc):
    name = unique('del')
    created = casc.post_json('/v2/alarms', threshold(
        name, [q('resource_id', 'vm-b')]))
    path = '/v2/alarms/%s' % created['alarm_id']
    casc.delete(path, status=204)
    assert region_alarms(env, 'r2', name) == []
    assert casc.get(path).status_code == 404
    assert casc.get_json('/v2/alarms', q=[q('name', name)]) == []
    # The history outlives the alarm, as in local mode.
    assert [h['type'] for h in casc.get_json(path + '/history')] == [
        'deletion', 'creation']


def test_delete_of_an_alarm_the_region_lost(env, casc):
    name = unique('lost')
    created = casc.post_json('/v2/alarms', threshold(
        name, [q('resource_id', 'vm-a')]))
    [there] = region_alarms(env, 'r1', name)
    env.client(ADMIN, region='r1').delete(
        '/v2/alarms/%s' % there['alarm_id'], status=204)
    assert casc.get('/v2/alarms/%s' % created['alarm_id']).status_code == 404
    casc.delete('/v2/alarms/%s' % created['alarm_id'], status=204)
    assert casc.get_json('/v2/alarms', q=[q('name', name)]) == []


def test_list_syncs_states_with_one_call_per_region(env, casc):
    made = {}
    for n, resource in enumerate(['vm-a', 'vm-a', 'vm-a', 'vm-b', 'vm-b']):
        name = unique('list%d' % n)
        made[name] = casc.post_json('/v2/alarms', threshold(
            name, [q('resource_id', resource)]))
    # The regions' evaluators move states; here an admin does, directly.
    changed = {}
    for name in sorted(made)[::2]:
        region = 'r1' if made[name]['threshold_rule']['query'][0][
            'value'] == 'vm-a' else 'r2'
        [there] = region_alarms(env, region, name)
        env.client(ADMIN, region=region).put(
            '/v2/alarms/%s/state' % there['alarm_id'], 'alarm', status=200)
        changed[name] = 'alarm'
    for proxy in proxies(env):
        proxy.reset()

    listed = casc.get_json('/v2/alarms')
    states = {a['name']: a['state'] for a in listed if a['name'] in made}
    assert states == {n: changed.get(n, 'insufficient data') for n in made}
    for proxy in proxies(env):
        assert proxy.count() == 1
        assert proxy.count('GET', '/v2/alarms') == 1
    # A state filter applies to the refreshed states.
    alarmed = casc.get_json('/v2/alarms', q=[q('state', 'alarm')])
    assert set(changed) <= {a['name'] for a in alarmed}
    # And the table keeps them (saved behind the answer).
    client = services.mongo_client(env.mongodb_url)
    try:
        table = client[env.cascading.db_url.rsplit('/', 1)[1]][
            'cascading_alarm']
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            saved = {d['alarm']['name'] for d in table.find(
                {'alarm.name': {'$in': list(changed)},
                 'alarm.state': 'alarm'})}
            if saved == set(changed):
                break
            time.sleep(0.2)
        assert saved == set(changed)
    finally:
        client.close()


def test_list_fails_loudly_when_a_region_is_down(env, casc):
    casc.post_json('/v2/alarms', threshold(unique('down'), [
        q('resource_id', 'vm-b')]))
    env.regions['r2'].proxy.down = True
    resp = casc.get('/v2/alarms')
    assert resp.status_code == 503
    assert 'r2' in resp.json()['error_message']['faultstring']


def test_combination_alarms_translate_their_sub_alarms(env, casc):
    a1 = casc.post_json('/v2/alarms', threshold(unique('sub'), [
        q('resource_id', 'vm-a')]))
    a2 = casc.post_json('/v2/alarms', threshold(unique('sub'), [
        q('resource_id', 'vm-a')]))
    b1 = casc.post_json('/v2/alarms', threshold(unique('sub'), [
        q('resource_id', 'vm-b')]))
    name = unique('combo')
    combo = casc.post_json('/v2/alarms', {
        'name': name, 'type': 'combination',
        'combination_rule': {'operator': 'and', 'alarm_ids': [
            a1['alarm_id'], a2['alarm_id']]}})
    assert combo['combination_rule']['alarm_ids'] == [a1['alarm_id'],
                                                      a2['alarm_id']]
    [there] = region_alarms(env, 'r1', name)
    subs = {a['name']: a['alarm_id'] for a in env.client(
        ADMIN, region='r1').get_json('/v2/alarms')}
    assert there['combination_rule']['alarm_ids'] == [subs[a1['name']],
                                                      subs[a2['name']]]
    shown = casc.get_json('/v2/alarms/%s' % combo['alarm_id'])
    assert shown['combination_rule']['alarm_ids'] == [a1['alarm_id'],
                                                      a2['alarm_id']]

    resp = casc.post('/v2/alarms', {
        'name': unique('split'), 'type': 'combination',
        'combination_rule': {'alarm_ids': [a1['alarm_id'],
                                           b1['alarm_id']]}})
    assert resp.status_code == 400
    assert 'one region' in resp.text


def test_tenants_see_only_their_alarms_and_no_region_ids(env, casc):
    name = unique('mine')
    created = casc.post_json('/v2/alarms', threshold(
        name, [q('resource_id', 'vm-a')]))
    other = env.client(P2)
    path = '/v2/alarms/%s' % created['alarm_id']
    assert other.get(path).status_code == 404
    assert other.get(path + '/state').status_code == 404
    assert other.get(path + '/history').status_code == 404
    assert other.delete(path).status_code == 404
    assert name not in json.dumps(other.get_json('/v2/alarms'))
    # A combination cannot reach another tenant's alarm either.
    resp = other.post('/v2/alarms', {
        'name': unique('steal'), 'type': 'combination',
        'combination_rule': {'alarm_ids': [created['alarm_id'],
                                           created['alarm_id'] + 'x']}})
    assert resp.status_code == 404

    [there] = region_alarms(env, 'r1', name)
    seen = json.dumps([casc.get_json(path), casc.get_json('/v2/alarms'),
                       casc.get_json(path + '/history')])
    for secret in (there['alarm_id'], 'r1-vm-a', env.regions['r1'].proxy.url,
                   '"region"', 'cascaded'):
        assert secret not in seen


def test_python_ceilometerclient_alarm_commands(env, casc):
    import subprocess

    exe = subprocess.check_output(
        [services.REPO + '/tools/build-client-venv.sh'], text=True).strip()
    base = [exe, '--os-endpoint', env.cascading.url, '--os-token', 'x']
    name = unique('cli')

    def run(*args):
        return subprocess.run(base + list(args), capture_output=True,
                              text=True, timeout=120)

    out = run('alarm-threshold-create', '--name', name, '-m', 'cpu_util',
              '--threshold', '50', '--comparison-operator', 'gt',
              '-q', 'resource_id=vm-a')
    assert out.returncode == 0, out.stderr
    alarm_id = [line.split('|')[2].strip() for line in out.stdout.splitlines()
                if line.startswith('| alarm_id')][0]
    [there] = region_alarms(env, 'r1', name)
    assert there['alarm_id'] != alarm_id
    shown = run('alarm-show', '-a', alarm_id)
    assert shown.returncode == 0, shown.stderr
    assert name in shown.stdout and 'vm-a' in shown.stdout
    assert 'r1-vm-a' not in shown.stdout
    deleted = run('alarm-delete', '-a', alarm_id)
    assert deleted.returncode == 0, deleted.stderr
    assert region_alarms(env, 'r1', name) == []


def test_capabilities_name_the_alarm_features(env, casc):
    caps = casc.get_json('/v2/capabilities')
    assert caps['api']['alarms:query:simple'] is True
    assert caps['api']['alarms:history:query:simple'] is True
    assert caps['api']['alarms:query:complex'] is True
    # History lives in the regions: complex history queries are refused.
    assert caps['api']['alarms:history:query:complex'] is False


def test_complex_alarm_queries_answer_from_the_table(env, casc):
    name = unique('cq')
    created = casc.post_json('/v2/alarms', threshold(
        name, [q('resource_id', 'vm-a')]))
    query = {'filter': json.dumps({'=': {'name': name}})}
    [found] = casc.post_json('/v2/query/alarms', query, status=200)
    assert found['alarm_id'] == created['alarm_id']
    assert found['threshold_rule']['query'] == created['threshold_rule'][
        'query']
    assert found['threshold_rule']['query'][0]['value'] == 'vm-a'
    assert 'r1-vm-a' not in json.dumps(found)
    # Scoped: another tenant finds nothing, even by the exact name.
    assert env.client(P2).post_json('/v2/query/alarms', query,
                                    status=200) == []
    resp = casc.post('/v2/query/alarms/history', {'filter': json.dumps(
        {'=': {'alarm_id': created['alarm_id']}})})
    assert resp.status_code == 400, resp.text


def test_regions_name_where_each_alarm_lives_to_admins_only(env, casc):
    in_r1 = casc.post_json('/v2/alarms', threshold(
        unique('where'), [q('resource_id', 'vm-a')]))['alarm_id']
    in_r2 = casc.post_json('/v2/alarms', threshold(
        unique('where'), [q('resource_id', 'vm-b')]))['alarm_id']
    regions = env.client(ADMIN).get_json('/v2/regions')
    assert [r['name'] for r in regions] == ['r1', 'r2']
    assert {r['driver'] for r in regions} == {'v2'}
    by_name = {r['name']: set(r['alarm_ids']) for r in regions}
    assert in_r1 in by_name['r1'] and in_r1 not in by_name['r2']
    assert in_r2 in by_name['r2'] and in_r2 not in by_name['r1']
    # Only cascading ids: the regions' own ids never show.
    held = {a['alarm_id'] for a in env.region_client('r1').get_json(
        '/v2/alarms')}
    assert not held & by_name['r1']
    # A deleted alarm is no longer placed anywhere.
    casc.delete('/v2/alarms/' + in_r1, status=204)
    regions = env.client(ADMIN).get_json('/v2/regions')
    assert all(in_r1 not in r['alarm_ids'] for r in regions)
    resp = casc.get('/v2/regions')
    assert resp.status_code == 401
    assert resp.json()['error_message']['faultstring'] == (
        'Listing regions needs the admin role')
