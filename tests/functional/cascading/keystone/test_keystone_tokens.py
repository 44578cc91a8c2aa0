"""Real Keystone tokens through the cascading level to the regions.

keystonemiddleware's auth_token stands in front of every server (two
regions and two cascading servers, ``[api] auth_mode = keystone``); the
cascading servers find the regions in the catalog. One cascading server
forwards the caller's token (``forward_user_token = true``), the other
calls the regions with the token of ``[service_credentials]``. The regions
log (debug) the identity keystonemiddleware validated for each request,
which tells whose token reached them.

Data: in each region, samples of a resource of project p1 and one of p2;
the resource map knows vm-p1-a (RegionOne), vm-p1-b (RegionTwo), vm-p2-a
(RegionOne) and vm-p2-b (RegionTwo), each under a different cascaded id.
"""

import concurrent.futures
import os
import re
import subprocess

import pytest

from tests import deployment as builder
from tests.functional import test_ceilometerclient as cli_helpers
from tests import services

METER = 'cpu_util'
# resource id -> (region, project, volumes)
RESOURCES = {
    'vm-p1-a': ('RegionOne', 'p1', [1.0, 2.0, 3.0]),
    'vm-p1-b': ('RegionTwo', 'p1', [10.0, 20.0]),
    'vm-p2-a': ('RegionOne', 'p2', [100.0]),
    'vm-p2-b': ('RegionTwo', 'p2', [1000.0, 2000.0]),
}
# keystonemiddleware logs the identity of each request at debug level.
LOG_LEVELS = ('keystonemiddleware.auth_token=DEBUG,keystonemiddleware=WARN,'
              'keystoneauth=WARN,urllib3=WARN,stevedore=WARN')
IDENTITY_LOG = re.compile(r'Received request from user: user_id (\w+), '
                          r'project_id (\w+), roles ([\w,]+)')


def cascaded_id(resource_id):
    return 'cascaded-%s' % resource_id


@pytest.fixture(scope='module')
def deployment(mongodb_url, keystone):
    """Regions and cascading servers behind keystonemiddleware."""
    servers = builder.Cascade(mongodb_url, auth_mode='keystone',
                              keystone=keystone)
    try:
        for name in ('RegionOne', 'RegionTwo'):
            servers.add_v2_region(name, extra={'DEFAULT': {
                'default_log_levels': LOG_LEVELS}})
        servers.user_tokens = _cascading(servers, forward_user_token=True)
        servers.service_tokens = _cascading(servers,
                                            forward_user_token=False)
        everything = [r.server for r in servers.regions.values()]
        everything += servers.servers
        with concurrent.futures.ThreadPoolExecutor(len(everything)) as pool:
            for future in [pool.submit(s.start) for s in everything]:
                future.result()
        keystone.set_region_urls({name: region.url for name, region
                                  in servers.regions.items()})
        _fill(servers, keystone)
        yield servers
    finally:
        servers.cleanup()


def _cascading(servers, **cascading_opts):
    """A cascading server (not started) reading the regions from the
    catalog, with [cascading] options over the builder's."""
    return servers.cascading_server({'cascading': cascading_opts},
                                    discovery='keystone')


def _fill(servers, keystone):
    per_region = {}
    for resource_id, (region, project, volumes) in RESOURCES.items():
        project_id = keystone.projects[project]
        per_region.setdefault(region, []).extend(
            services.make_message(METER, v, cascaded_id(resource_id),
                                  builder.at(i),
                                  project_id=project_id,
                                  user_id=keystone.users['member-' + project])
            for i, v in enumerate(volumes))
    for region, messages in per_region.items():
        servers.seed(region, messages)
    admin = {'X-Auth-Token': keystone.admin_token()}
    for server in servers.servers:
        client = services.Client(server.url, headers=admin)
        for resource_id, (region, project, _v) in RESOURCES.items():
            client.post('/v2/resources', {
                'resource_id': resource_id,
                'project_id': keystone.projects[project],
                'user_id': keystone.users['member-' + project],
                'metadata': {'region': region, 'type': 'nova.instance',
                             'cascaded_resource_id':
                                 cascaded_id(resource_id)}}, status=201)


@pytest.fixture(scope='module')
def tokens(keystone):
    return {'p1': keystone.member_token('p1'),
            'p2': keystone.member_token('p2'),
            'admin': keystone.admin_token()}


def client(server, token):
    return services.Client(server.url, headers={'X-Auth-Token': token})


def ids_of(project):
    return sorted(r for r, (_g, p, _v) in RESOURCES.items() if p == project)


def identities_logged(server, since):
    """(user_id, project_id, roles) keystonemiddleware logged after the
    log had ``since`` bytes."""
    with open(server.log_path, 'rb') as f:
        f.seek(since)
        text = f.read().decode('utf-8', 'replace')
    return [m.groups() for m in IDENTITY_LOG.finditer(text)]


def log_sizes(deployment):
    return {name: os.path.getsize(r.server.log_path)
            for name, r in deployment.regions.items()}


# -- keystonemiddleware at both levels ----------------------------------------

def test_bad_or_missing_token_is_refused(deployment, keystone):
    for server in [deployment.user_tokens] + [
            r.server for r in deployment.regions.values()]:
        for headers in ({'X-Auth-Token': 'not-a-token'}, {}):
            resp = services.Client(server.url, headers=headers).get(
                '/v2/resources')
            assert resp.status_code == 401, resp.text
            assert keystone.url in resp.headers['WWW-Authenticate']
            assert resp.json()['error_message']['faultstring']


def test_member_sees_its_own_resources_only(deployment, tokens):
    member = client(deployment.user_tokens, tokens['p1'])
    resources = member.get_json('/v2/resources')
    assert sorted(r['resource_id'] for r in resources) == ids_of('p1')
    for resource in resources:
        assert 'region' not in resource['metadata']
        assert 'cascaded_resource_id' not in resource['metadata']
        assert 'cascaded' not in str(resource)
    assert member.get('/v2/resources/vm-p2-a').status_code == 404
    # The admin sees every project and where each resource lives.
    admin = client(deployment.user_tokens, tokens['admin'])
    every = {r['resource_id']: r for r in admin.get_json('/v2/resources')}
    assert sorted(every) == sorted(RESOURCES)
    assert every['vm-p2-b']['metadata']['region'] == 'RegionTwo'


def test_member_statistics_of_its_resource(deployment, tokens, keystone):
    member = client(deployment.user_tokens, tokens['p1'])
    before = log_sizes(deployment)
    stats = member.get_json('/v2/meters/%s/statistics' % METER, q=[
        {'field': 'resource_id', 'op': 'eq', 'value': 'vm-p1-a'}])
    assert [(s['count'], s['sum'], s['max']) for s in stats] == [(3, 6, 3)]
    # The region validated the member's own token.
    seen = identities_logged(deployment.regions['RegionOne'].server,
                             before['RegionOne'])
    assert seen, 'RegionOne logged no identity'
    assert {(u, p) for u, p, _r in seen} == {
        (keystone.users['member-p1'], keystone.projects['p1'])}
    assert all('admin' not in r.split(',') for _u, _p, r in seen)
    resp = member.get('/v2/meters/%s/statistics' % METER, q=[
        {'field': 'resource_id', 'op': 'eq', 'value': 'vm-p2-b'}])
    assert resp.status_code == 404, resp.text


def test_member_project_wide_samples(deployment, tokens, keystone):
    """A fan-out with the member's token: each region scopes it."""
    member = client(deployment.user_tokens, tokens['p2'])
    samples = member.get_json('/v2/meters/%s' % METER)
    assert sorted(s['resource_id'] for s in samples) == [
        'vm-p2-a', 'vm-p2-b', 'vm-p2-b']
    assert {s['project_id'] for s in samples} == {keystone.projects['p2']}


# -- forward_user_token = false -----------------------------------------------

def test_service_token_reaches_the_regions(deployment, tokens, keystone):
    member = client(deployment.service_tokens, tokens['p1'])
    before = log_sizes(deployment)
    stats = member.get_json('/v2/meters/%s/statistics' % METER, q=[
        {'field': 'resource_id', 'op': 'eq', 'value': 'vm-p1-b'}])
    assert [(s['count'], s['sum']) for s in stats] == [(2, 30)]
    seen = identities_logged(deployment.regions['RegionTwo'].server,
                             before['RegionTwo'])
    users = {u for u, _p, _r in seen}
    assert users == {keystone.users['ceilometer']}, seen
    assert all(p == keystone.projects['service'] and 'admin' in r.split(',')
               for _u, p, r in seen)
    # Still the member's view: another project's resource is unknown.
    resp = member.get('/v2/meters/%s/statistics' % METER, q=[
        {'field': 'resource_id', 'op': 'eq', 'value': 'vm-p2-a'}])
    assert resp.status_code == 404, resp.text


def test_service_token_keeps_tenants_apart(deployment, tokens, keystone):
    """The regions see an admin token: the cascading level itself must
    keep a member's project-wide query to the member's project."""
    member = client(deployment.service_tokens, tokens['p1'])
    samples = member.get_json('/v2/meters/%s' % METER)
    assert {s['project_id'] for s in samples} == {keystone.projects['p1']}
    assert sorted(s['resource_id'] for s in samples) == sorted(
        ['vm-p1-a'] * 3 + ['vm-p1-b'] * 2)
    stats = member.get_json('/v2/meters/%s/statistics' % METER)
    assert [(s['count'], s['sum']) for s in stats] == [(5, 36)]
    everything = member.get_json('/v2/samples')
    assert {s['project_id'] for s in everything} == {keystone.projects['p1']}


def test_bad_token_with_service_credentials(deployment):
    resp = services.Client(deployment.service_tokens.url, headers={
        'X-Auth-Token': 'not-a-token'}).get('/v2/meters/%s' % METER)
    assert resp.status_code == 401, resp.text


# -- python-ceilometerclient with a Keystone token ----------------------------

@pytest.fixture(scope='module')
def ceilometer_bin():
    out = subprocess.run([cli_helpers.BUILD_SCRIPT], check=True,
                         timeout=900, stdout=subprocess.PIPE,
                         text=True).stdout
    return out.strip().splitlines()[-1]


def run_cli(binary, server, token, *args, ok=True):
    proc = subprocess.run(
        [binary, '--os-endpoint', server.url, '--os-token', token]
        + list(args), env=cli_helpers._client_env(), timeout=120,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if ok:
        assert proc.returncode == 0, (args, proc.stdout, proc.stderr)
    return proc


def test_ceilometerclient_with_a_member_token(deployment, tokens,
                                              ceilometer_bin):
    server = deployment.user_tokens
    rows = cli_helpers.parse_table(run_cli(
        ceilometer_bin, server, tokens['p1'], 'resource-list').stdout)
    assert sorted(r['Resource ID'] for r in rows) == ids_of('p1')
    rows = cli_helpers.parse_table(run_cli(
        ceilometer_bin, server, tokens['p1'], 'statistics', '-m', METER,
        '-q', 'resource_id=vm-p1-b').stdout)
    assert [(int(r['Count']), float(r['Sum'])) for r in rows] == [(2, 30.0)]
    refused = run_cli(ceilometer_bin, server, 'not-a-token',
                      'resource-list', ok=False)
    assert refused.returncode != 0


def test_ceilometerclient_alarm_round_trip(deployment, tokens,
                                           ceilometer_bin):
    server = deployment.user_tokens

    def cli(*args, ok=True):
        return run_cli(ceilometer_bin, server, tokens['p1'], *args, ok=ok)

    shown = cli_helpers.parse_mapping(cli(
        'alarm-threshold-create', '--name', 'cpu-high', '-m', METER,
        '--threshold', '70', '--comparison-operator', 'gt',
        '--statistic', 'avg', '--period', '600', '--evaluation-periods',
        '3', '-q', 'resource_id=vm-p1-b').stdout)
    alarm_id = shown['alarm_id']
    assert 'cascaded' not in str(shown)
    assert 'vm-p1-b' in shown['query']
    again = cli_helpers.parse_mapping(cli('alarm-show', alarm_id).stdout)
    assert again['alarm_id'] == alarm_id
    assert again['name'] == 'cpu-high'
    # The alarm lives in the resource's region, under the cascaded id.
    region_alarms = services.Client(
        deployment.regions['RegionTwo'].url,
        headers={'X-Auth-Token': tokens['p1']}).get_json('/v2/alarms')
    assert [a['threshold_rule']['query'][0]['value']
            for a in region_alarms] == [cascaded_id('vm-p1-b')]
    # Another project cannot see it.
    other = run_cli(ceilometer_bin, server, tokens['p2'], 'alarm-show',
                    alarm_id, ok=False)
    assert other.returncode != 0
    cli('alarm-delete', alarm_id)
    assert cli('alarm-show', alarm_id, ok=False).returncode != 0
    assert services.Client(
        deployment.regions['RegionTwo'].url,
        headers={'X-Auth-Token': tokens['p1']}).get_json('/v2/alarms') == []


def test_alarm_through_service_token_keeps_the_owner(deployment, tokens,
                                                     keystone):
    """The region gets the service token, yet the alarm it stores belongs
    to the member who created it (and the member's project scopes it)."""
    member = client(deployment.service_tokens, tokens['p1'])
    alarm = member.post_json('/v2/alarms', {
        'name': 'svc-cpu-high', 'type': 'threshold',
        'threshold_rule': {
            'meter_name': METER, 'threshold': 70.0,
            'comparison_operator': 'gt', 'statistic': 'avg',
            'period': 600, 'evaluation_periods': 1,
            'query': [{'field': 'resource_id', 'op': 'eq',
                       'value': 'vm-p1-a'}]}})
    try:
        assert alarm['project_id'] == keystone.projects['p1']
        assert alarm['user_id'] == keystone.users['member-p1']
        in_region = services.Client(
            deployment.regions['RegionOne'].url,
            headers={'X-Auth-Token': tokens['p1']}).get_json('/v2/alarms')
        assert [(a['name'], a['project_id']) for a in in_region] == [
            ('svc-cpu-high', keystone.projects['p1'])]
    finally:
        member.delete('/v2/alarms/%s' % alarm['alarm_id'])
