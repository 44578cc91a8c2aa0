"""Filling the resource map, and what resources and meters show from it.

Real processes: two local-mode regions and a cascading API in front
(tests/deployment.py).
"""

from tests import deployment

ADMIN = deployment.ADMIN
TENANT = deployment.identity('project-1', user='user-1')
OTHER = deployment.identity('project-2', user='user-2')


def _sample(resource_id, metadata, project='project-1', user='user-1',
            meter='instance'):
    return {'counter_name': meter, 'counter_type': 'gauge',
            'counter_unit': 'instance', 'counter_volume': 1,
            'resource_id': resource_id, 'project_id': project,
            'user_id': user, 'resource_metadata': metadata}


def _routing(region, cascaded, resource_type='nova.instance', **extra):
    return dict(extra, region=region, cascaded_resource_id=cascaded,
                type=resource_type)


def test_post_samples_registers_and_empty_metadata_deletes(env):
    admin = env.client()
    admin.post_json('/v2/meters/anything', [
        _sample('vm-1', _routing('regionTwo', 'c-vm-1', display_name='a')),
        _sample('vol-1', _routing('regionOne', 'c-vol-1', 'cinder.volume'),
                project='project-2', meter='volume')])
    shown = admin.get_json('/v2/resources/vm-1')
    assert shown['metadata'] == {'region': 'regionTwo',
                                 'cascaded_resource_id': 'c-vm-1',
                                 'region_driver': 'v2',
                                 'type': 'nova.instance',
                                 'display_name': 'a'}
    assert shown['project_id'] == 'project-1'
    # Last write wins: the resource moved.
    admin.post_json('/v2/meters/instance',
                    [_sample('vm-1', _routing('regionOne', 'c-vm-1b'))])
    assert admin.get_json('/v2/resources/vm-1')['metadata'][
        'region'] == 'regionOne'
    admin.post_json('/v2/meters/instance', [_sample('vm-1', {})])
    admin.get('/v2/resources/vm-1', status=404)
    assert [r['resource_id'] for r in admin.get_json('/v2/resources')] == [
        'vol-1']
    # Nothing reached the regions' stores.
    for region in env.region_names:
        assert env.region_client(region).get_json('/v2/samples') == []


def test_availability_zone_names_register_into_their_region(env):
    env.client().post_json('/v2/meters/instance',
                           [_sample('vm-az', _routing('nova', 'c-az'))])
    assert env.client().get_json('/v2/resources/vm-az')['metadata'][
        'region'] == 'regionOne'


def test_registration_is_for_admins_only(env):
    body = [_sample('vm-1', _routing('regionOne', 'c'))]
    tenant = env.client(TENANT)
    resp = tenant.post('/v2/meters/instance', body, status=401)
    assert 'administrators' in resp.json()['error_message']['faultstring']
    tenant.post('/v2/resources', {'resource_id': 'x', 'project_id': 'p',
                                  'user_id': 'u',
                                  'metadata': _routing('regionOne', 'c')},
                status=401)
    env.register('vm-2')
    tenant.delete('/v2/resources/vm-2', status=401)
    env.client().get('/v2/resources/vm-2', status=200)


def test_bad_registrations_are_refused_whole(env):
    admin = env.client()
    cases = [
        (_routing('regionOne', 'c', 'heat.stack'), 'unknown type'),
        (_routing('regionNine', 'c'), 'Unknown region'),
        ({'region': 'regionOne', 'type': 'nova.instance'},
         'cascaded_resource_id'),
    ]
    for metadata, message in cases:
        resp = admin.post('/v2/meters/instance',
                          [_sample('ok', _routing('regionOne', 'c-ok')),
                           _sample('bad', metadata)], status=400)
        assert message in resp.json()['error_message']['faultstring']
    resp = admin.post('/v2/meters/instance',
                      [_sample('bad', _routing('regionOne', 'c'),
                               project='')], status=400)
    assert 'project_id' in resp.json()['error_message']['faultstring']
    assert admin.get_json('/v2/resources') == []


def test_resources_route_registers_and_deletes(env):
    admin = env.client()
    rid = env.register(region='regionTwo', cascaded_id='c-r',
                       resource_type='glance.image')
    assert admin.get_json('/v2/resources/' + rid)['metadata'][
        'cascaded_resource_id'] == 'c-r'
    admin.delete('/v2/resources/' + rid, status=204)
    admin.delete('/v2/resources/' + rid, status=404)
    admin.get('/v2/resources/' + rid, status=404)


def test_tenants_see_their_own_resources_without_routing(env):
    env.register('vm-mine', region='regionTwo', cascaded_id='c-mine',
                 metadata={'display_name': 'mine'})
    env.register('vm-theirs', region='regionOne', cascaded_id='c-theirs',
                 project_id='project-2')
    tenant = env.client(TENANT)
    listed = tenant.get_json('/v2/resources')
    assert [r['resource_id'] for r in listed] == ['vm-mine']
    assert listed[0]['metadata'] == {'display_name': 'mine',
                                     'type': 'nova.instance'}
    shown = tenant.get_json('/v2/resources/vm-mine')
    assert 'c-mine' not in str(shown) and 'regionTwo' not in str(shown)
    tenant.get('/v2/resources/vm-theirs', status=404)
    # The routing keys do not work as filters for tenants either.
    assert tenant.get_json('/v2/resources', q=[
        {'field': 'metadata.region', 'value': 'regionTwo'}]) == []
    tenant.get('/v2/resources', q=[{'field': 'project_id',
                                    'value': 'project-2'}], status=401)
    meters = tenant.get_json('/v2/meters')
    assert {m['resource_id'] for m in meters} == {'vm-mine'}
    assert 'c-mine' not in str(meters)


def test_admins_filter_resources_by_region(env):
    env.register('a', region='regionOne')
    env.register('b', region='regionTwo')
    env.register('c', region='regionTwo', project_id='project-2')
    admin = env.client()
    by_region = admin.get_json('/v2/resources', q=[
        {'field': 'metadata.region', 'value': 'regionTwo'}])
    assert [r['resource_id'] for r in by_region] == ['b', 'c']
    by_project = admin.get_json('/v2/resources', q=[
        {'field': 'project_id', 'value': 'project-2'}])
    assert [r['resource_id'] for r in by_project] == ['c']
    by_cascaded = admin.get_json('/v2/resources', q=[
        {'field': 'metadata.cascaded_resource_id', 'value': 'c-b'}])
    assert [r['resource_id'] for r in by_cascaded] == ['b']
    # Registration times bound the resources' time span.
    assert admin.get_json('/v2/resources', q=[
        {'field': 'timestamp', 'op': 'ge', 'value': '2100-01-01T00:00:00'}
    ]) == []
    assert len(admin.get_json('/v2/resources', q=[
        {'field': 'timestamp', 'op': 'lt', 'value': '2100-01-01T00:00:00'}
    ])) == 3


def test_meters_are_synthesised_from_the_resource_types(env):
    env.register('vol', resource_type='cinder.volume')
    env.register('img', resource_type='glance.image', project_id='p2')
    admin = env.client()
    meters = admin.get_json('/v2/meters', q=[{'field': 'resource_id',
                                              'value': 'vol'}])
    assert sorted(m['name'] for m in meters) == ['volume', 'volume.size']
    assert all(m['resource_id'] == 'vol' for m in meters)
    assert len(admin.get_json('/v2/meters')) == 2 + 7
    assert len(admin.get_json('/v2/meters', limit=3)) == 3
    links = admin.get_json('/v2/resources/vol')['links']
    assert [link['rel'] for link in links] == ['self', 'volume',
                                               'volume.size']


def test_capabilities_and_complex_queries(env):
    caps = env.client().get_json('/v2/capabilities')
    assert caps['api']['statistics:groupby'] is True
    assert caps['api']['statistics:aggregation:selectable:stddev'] is True
    assert caps['storage'] == {'storage:production_ready': True}
    resp = env.client().post('/v2/query/samples', {'filter': '{}'},
                             status=400)
    assert 'cascading' in resp.json()['error_message']['faultstring']
