"""Resources and meters of a mixed cascade, as the regions hold them.

``[cascading] resource_source = regions``: ``GET /v2/resources`` and
``/v2/meters`` list what a v2 region and a Gnocchi region hold, each
compared with what that region says natively; python-ceilometerclient
2.9.0 lists and asks statistics through the same cascade.
"""

import datetime
import subprocess

import pytest

from tests import deployment
from tests.functional import test_ceilometerclient as cc
from tests import services
from ceilometer_proxy import utils

G = 'regionG'
V2 = 'regionOne'
T0 = utils.floor_to_period(utils.utcnow(), 3600) - datetime.timedelta(
    hours=3)
MEMBER = deployment.identity('p1')


@pytest.fixture(scope='module')
def cascade(mongodb_url, modern_region):
    built = deployment.Cascade(mongodb_url)
    built.add_v2_region(V2)
    built.add_gnocchi_region(G, None, modern_region=modern_region)
    try:
        built.start(extra={'cascading': {'resource_source': 'regions'}})
        yield built
    finally:
        built.cleanup()


@pytest.fixture(scope='module')
def held(cascade, modern_region):
    """Two resources in each region; one of each registered in the map."""
    cascade.reset()
    modern_region.create_resource(
        'gn-web', 'p1', 'u1', metrics=('cpu_util', 'memory.usage'),
        policy='cascade-test', resource_type='instance', unit='%',
        display_name='web', server_group='g1')
    modern_region.create_resource('gn-db', 'p2', 'u2', metrics=('cpu_util',),
                                  policy='cascade-test', unit='%')
    modern_region.post_measures({'gn-web': {'cpu_util': [
        (T0 + datetime.timedelta(minutes=m), float(m)) for m in (1, 2, 61)]}})
    cascade.seed(V2, [
        services.make_message('cpu_util', 5.0, 'c-app', T0,
                              project_id='p1', user_id='u1',
                              counter_unit='%',
                              resource_metadata={'display_name': 'app'}),
        services.make_message('disk.usage', 7.0, 'c-batch', T0,
                              project_id='p2', user_id='u2',
                              counter_unit='B')])
    cascade.register('vm-web', region=G, cascaded_id='gn-web',
                     project_id='p1', user_id='u1')
    cascade.register('vm-app', region=V2, cascaded_id='c-app',
                     project_id='p1', user_id='u1')
    modern_region.wait_for_processing()
    return cascade


def _by_id(items):
    return {item['resource_id']: item for item in items}


def test_resources_are_those_of_every_region(held, modern_region):
    listed = _by_id(held.client().get_json('/v2/resources'))
    assert set(listed) == {'vm-web', 'gn-db', 'vm-app', 'c-batch'}
    native = {r['original_resource_id']: r for r in modern_region.gnocchi(
        'POST', '/v1/search/resource/generic', {}, details='true')}
    for shown, cascaded in (('vm-web', 'gn-web'), ('gn-db', 'gn-db')):
        resource, doc = listed[shown], native[cascaded]
        assert (resource['project_id'], resource['user_id']) == (
            doc['project_id'], doc['user_id'])
        assert resource['metadata']['region'] == G
        assert resource['metadata']['cascaded_resource_id'] == cascaded
        assert resource['source'] == ''
        assert resource['first_sample_timestamp'] is None
        assert sorted(link['rel'] for link in resource['links']
                      if link['rel'] != 'self') == sorted(doc['metrics'])
    assert listed['vm-web']['metadata']['display_name'] == 'web'
    assert listed['vm-web']['metadata']['server_group'] == 'g1'
    region = _by_id(held.region_client(V2).get_json('/v2/resources'))
    assert listed['vm-app']['project_id'] == region['c-app']['project_id']
    assert listed['vm-app']['metadata']['display_name'] == 'app'
    assert listed['c-batch']['metadata']['region'] == V2


def test_members_see_their_project_and_no_routing(held):
    listed = held.client(MEMBER).get_json('/v2/resources')
    assert sorted(r['resource_id'] for r in listed) == ['vm-app', 'vm-web']
    assert 'gn-web' not in str(listed) and G not in str(listed)
    held.client(MEMBER).get('/v2/resources/gn-db', status=404)


def test_one_resource_from_its_region(held):
    client = held.client()
    web = client.get_json('/v2/resources/vm-web')
    assert web['metadata']['display_name'] == 'web'
    assert web['metadata']['cascaded_resource_id'] == 'gn-web'
    # Unregistered: found in the region that holds it, under its own id.
    assert client.get_json('/v2/resources/gn-db')['project_id'] == 'p2'
    client.get('/v2/resources/nowhere', status=404)


def test_metadata_filters_reach_both_kinds(held):
    client = held.client()
    found = client.get_json('/v2/resources', q=[
        {'field': 'metadata.display_name', 'value': 'web'}])
    assert [r['resource_id'] for r in found] == ['vm-web']
    by_group = client.get_json('/v2/resources', q=[
        {'field': 'metadata.user_metadata.server_group', 'value': 'g1'}])
    assert [r['resource_id'] for r in by_group] == ['vm-web']
    resp = client.get('/v2/resources', q=[
        {'field': 'timestamp', 'op': 'ge', 'value': T0.isoformat()}])
    assert resp.status_code == 400 and G in resp.text


def test_meters_are_those_of_every_region(held, modern_region):
    meters = held.client().get_json('/v2/meters')
    assert sorted((m['resource_id'], m['name'], m['unit']) for m in meters) \
        == [('c-batch', 'disk.usage', 'B'), ('gn-db', 'cpu_util', '%'),
            ('vm-app', 'cpu_util', '%'), ('vm-web', 'cpu_util', '%'),
            ('vm-web', 'memory.usage', '%')]
    member = held.client(MEMBER).get_json('/v2/meters')
    assert {m['project_id'] for m in member} == {'p1'}


@pytest.fixture(scope='module')
def ceilometer(held):
    out = subprocess.run([cc.BUILD_SCRIPT], check=True, timeout=900,
                         stdout=subprocess.PIPE, text=True).stdout
    return cc.Cli(out.strip().splitlines()[-1], held.url)


def test_python_ceilometerclient_lists_and_asks(ceilometer):
    rows = ceilometer.table('resource-list')
    assert sorted(r['Resource ID'] for r in rows) == [
        'c-batch', 'gn-db', 'vm-app', 'vm-web']
    meters = ceilometer.table('meter-list')
    assert ('vm-web', 'memory.usage') in {
        (r['Resource ID'], r['Name']) for r in meters}
    stats = ceilometer.table(
        'statistics', '-m', 'cpu_util', '-q',
        'resource_id=vm-web;timestamp>=%s' % T0.isoformat(), '-p', '3600')
    assert [(r['Count'], r['Sum'], r['Max']) for r in stats] == [
        ('2', '3.0', '2.0'), ('1', '61.0', '61.0')]
    failed = ceilometer.run('statistics', '-m', 'cpu_util', '-q',
                            'resource_id=vm-web', '-p', '90', ok=False)
    assert failed.returncode != 0 and G in failed.stderr
