"""/v2/events and /v2/event_types through the cascading API.

Three local-mode regions keep events of their own (written through the
event store driver into each region's database); regionThree sits behind
a RegionProxy so that a test can take it down (503) or make it a region
without an events API (404 on /v2/events...). The cascading servers of
the module differ in ``[cascading] partial_results`` and in whether a
Gnocchi region (which keeps no events, so is never called for them) is
configured next to the v2 ones.
"""

import concurrent.futures
import contextlib
import datetime
import os

import pytest

from tests import deployment
from tests import region_proxy
from tests import services

HEADER = 'X-Cascading-Missing-Regions'
MEMBER_A = deployment.identity('proj-a', user='user-a')
T0 = datetime.datetime(2016, 5, 1, 8, 0, 0)
CREATE = 'compute.instance.create.end'
DELETE = 'compute.instance.delete.end'
IMAGE = 'image.upload'
ATTACH = 'volume.attach'
GNOCCHI = 'regionG'

# message id -> (region, event type, hours after T0, project or None,
#                traits (name, type name, value))
EVENTS = {
    'c-1': ('regionOne', CREATE, 0, 'proj-a', [
        ('flavor', 'string', 'm1.small'), ('vcpus', 'integer', 1),
        ('disk', 'integer', 20)]),
    'c-2': ('regionTwo', CREATE, 1, 'proj-b', [
        ('flavor', 'string', 'm1.large'), ('vcpus', 'integer', 4),
        ('disk', 'float', 80.5), ('ratio', 'float', 0.5)]),
    'c-3': ('regionThree', DELETE, 2, 'proj-a', [
        ('flavor', 'string', 'm1.small'),
        ('deleted_at', 'datetime', datetime.datetime(2016, 5, 1, 10, 0, 1))]),
    'c-4': ('regionOne', IMAGE, 3, None, [('size', 'integer', 4096)]),
    'c-5': ('regionTwo', ATTACH, 4, 'proj-a', [
        ('device', 'string', '/dev/vdb'),
        ('attached_at', 'datetime',
         datetime.datetime(2016, 5, 1, 12, 0, 0, 250000))]),
    'c-6': ('regionThree', DELETE, 5, 'proj-b', [
        ('flavor', 'string', 'm1.large'),
        ('deleted_at', 'datetime', datetime.datetime(2016, 5, 1, 13, 0))]),
    'c-7': ('regionOne', CREATE, 6, 'proj-a', [
        ('flavor', 'string', 'm1.medium'), ('vcpus', 'integer', 2),
        ('disk', 'integer', 40)]),
    # Generated at the same time as c-7: ties go by message id.
    'c-8': ('regionTwo', CREATE, 6, 'proj-b', [
        ('flavor', 'string', 'm1.tiny'), ('vcpus', 'integer', 1),
        ('disk', 'float', 1.0), ('ratio', 'float', 2.25)]),
}
NEWEST_FIRST = ['c-7', 'c-8', 'c-6', 'c-5', 'c-4', 'c-3', 'c-2', 'c-1']
REGIONS = ('regionOne', 'regionTwo', 'regionThree')


def make_events(region):
    from ceilometer_proxy.event import models

    out = []
    for message_id, (where, event_type, hours, project,
                     traits) in sorted(EVENTS.items()):
        if where != region:
            continue
        traits = list(traits)
        if project is not None:
            traits.append(('project_id', 'string', project))
        out.append(models.Event(
            message_id=message_id, event_type=event_type,
            generated=T0 + datetime.timedelta(hours=hours),
            traits=[models.Trait(name, models.Trait.get_type_by_name(kind),
                                 value) for name, kind, value in traits],
            raw={'region': region, 'id': message_id}))
    return out


def gnocchi_settings(env, partial):
    """Cascading settings naming the v2 regions plus a Gnocchi region.

    Nothing listens at its endpoints: a region kind that keeps no events
    must not even be called for them.
    """
    dead = 'http://127.0.0.1:%d' % services.free_port()
    entries = [env.regions[name].config()[0] for name in sorted(env.regions)]
    return {'cascading': {'regions': ','.join(entries + [GNOCCHI]),
                          'partial_results': str(partial).lower()},
            'region:' + GNOCCHI: {'driver': 'gnocchi',
                                  'metric_endpoint': dead,
                                  'alarming_endpoint': dead}}


class World(object):
    """The cascade and its cascading servers' clients."""

    def __init__(self, env, servers):
        self.env = env
        self.servers = servers

    def client(self, which='strict', headers=None):
        return services.Client(self.servers[which].url,
                               headers=dict(headers or deployment.ADMIN))

    @property
    def proxy(self):
        return self.env.regions['regionThree'].proxy


@pytest.fixture(scope='module')
def world(mongodb_url):
    env = deployment.Cascade(mongodb_url)
    try:
        env.add_v2_region('regionOne')
        env.add_v2_region('regionTwo')
        env.add_v2_region('regionThree', proxied=True)
        env.start(cascading=False)
        servers = {
            'strict': env.cascading_server(),
            'partial': env.cascading_server(
                {'cascading': {'partial_results': 'true'}}),
            'gnocchi': env.cascading_server(gnocchi_settings(env, False)),
            'gnocchi-partial': env.cascading_server(
                gnocchi_settings(env, True)),
        }
        with concurrent.futures.ThreadPoolExecutor(len(servers)) as pool:
            for future in [pool.submit(s.start) for s in servers.values()]:
                future.result()
        # One more, in a time zone with summer time (its clock jumps from
        # 02:00 to 03:00 on 2016-03-27).
        servers['paris'] = env.cascading_server()
        with time_zone('Europe/Paris'):
            servers['paris'].start()
        for region in REGIONS:
            services.record_events(env.regions[region].server.db_url,
                                   make_events(region))
        yield World(env, servers)
    finally:
        env.cleanup()


@contextlib.contextmanager
def time_zone(name):
    """TZ=name for the processes started meanwhile."""
    saved = os.environ.get('TZ')
    os.environ['TZ'] = name
    try:
        yield
    finally:
        if saved is None:
            del os.environ['TZ']
        else:
            os.environ['TZ'] = saved


@pytest.fixture
def world_ok(world):
    """The world with regionThree answering normally."""
    world.proxy.down = False
    world.proxy.clear_faults()
    yield world
    world.proxy.down = False
    world.proxy.clear_faults()


@contextlib.contextmanager
def region_three_down(world):
    world.proxy.down = True
    try:
        yield
    finally:
        world.proxy.down = False


@contextlib.contextmanager
def region_three_without_events(world, calls=4):
    """regionThree answers 404 to its next ``calls`` events API calls, as
    a v2 region predating the events API would."""
    for _ in range(calls):
        world.proxy.inject(region_proxy.Fault(
            'GET', '/v2/event', forward=False, status=404,
            body=b'{"error_message": {"faultcode": "Client", '
                 b'"faultstring": "Not Found"}}'))
    try:
        yield
    finally:
        world.proxy.clear_faults()


def ids(events):
    return [e['message_id'] for e in events]


def listed(client, *q, **params):
    return ids(client.get_json('/v2/events', q=list(q), **params))


def term(field, value, type_name='', op='eq'):
    return {'field': field, 'op': op, 'value': value, 'type': type_name}


def fault(resp, status):
    assert resp.status_code == status, (resp.status_code, resp.text)
    return resp.json()['error_message']['faultstring']


# -- merging -----------------------------------------------------------------

def test_events_of_every_region_are_merged_newest_first(world_ok):
    client = world_ok.client()
    resp = client.get('/v2/events', status=200)
    assert HEADER not in resp.headers
    events = resp.json()
    assert ids(events) == NEWEST_FIRST
    # Each event is the one its region shows, unchanged.
    for name, region in world_ok.env.region_clients().items():
        own = {e['message_id']: e for e in region.get_json('/v2/events')}
        assert sorted(own) == sorted(m for m, e in EVENTS.items()
                                     if e[0] == name)
        for event in events:
            if event['message_id'] in own:
                assert event == own[event['message_id']]


@pytest.mark.parametrize('limit', [1, 2, 3, 5, 8, 50])
def test_the_limit_is_applied_to_the_merge(world_ok, limit):
    assert listed(world_ok.client(), limit=limit) == NEWEST_FIRST[:limit]


@pytest.mark.parametrize('limit', ['0', '-1'])
def test_a_limit_that_is_not_positive_is_a_400(world_ok, limit):
    resp = world_ok.client().get('/v2/events', limit=limit)
    assert 'Limit must be positive' in fault(resp, 400)


def test_filters_are_asked_of_every_region(world_ok):
    client = world_ok.client()
    assert listed(client, term('event_type', CREATE)) == [
        'c-7', 'c-8', 'c-2', 'c-1']
    assert listed(client, term('flavor', 'm1.small')) == ['c-3', 'c-1']
    assert listed(client, term('vcpus', '2', 'integer', 'ge')) == [
        'c-7', 'c-2']
    assert listed(client, term('vcpus', '2', 'integer', 'lt'),
                  limit=1) == ['c-8']
    assert listed(client, term('ratio', '1', 'float', 'gt')) == ['c-8']
    assert listed(client, term('deleted_at', '2016-05-01T12:00:00+01:00',
                               'datetime', 'le')) == ['c-3']
    assert listed(client, term('attached_at', '2016-05-01T12:00:00.250000',
                               'datetime')) == ['c-5']
    assert listed(client, term('message_id', 'c-6')) == ['c-6']
    start = (T0 + datetime.timedelta(hours=2)).isoformat()
    end = (T0 + datetime.timedelta(hours=5)).isoformat()
    assert listed(client, term('start_timestamp', start, op='ge'),
                  term('end_timestamp', end, op='le')) == [
        'c-6', 'c-5', 'c-4', 'c-3']
    # A trait asked under another type than the stored one.
    assert listed(client, term('disk', '20', 'float')) == []
    assert listed(client, term('disk', '20', 'integer')) == ['c-1']


def test_integers_beyond_64_bits_are_asked_as_in_local_mode(world_ok):
    # Local mode compares them as numbers (tests/functional/api/v2/
    # test_events.py); the regions must be asked for the same.
    client = world_ok.client()
    huge = '99999999999999999999'
    assert listed(client, term('vcpus', huge, 'integer', 'lt')) == [
        'c-7', 'c-8', 'c-2', 'c-1']
    assert listed(client, term('vcpus', huge, 'integer')) == []


def test_bad_input_is_refused_as_in_local_mode(world_ok):
    client = world_ok.client()
    resp = client.get('/v2/events', q=[term('vcpus', 'two', 'integer')])
    assert fault(resp, 400) == ('Unable to convert the value two to the '
                                'expected data type integer.')
    resp = client.get('/v2/events', q=[term('vcpus', '2', 'boolean')])
    assert 'boolean is not supported' in fault(resp, 400)
    resp = client.get('/v2/events', q=[term('event_type', CREATE, op='ne')])
    fault(resp, 400)


# -- one event ---------------------------------------------------------------

def test_one_event_is_found_in_whichever_region_has_it(world_ok):
    client = world_ok.client()
    region = world_ok.env.region_client('regionTwo')
    event = client.get_json('/v2/events/c-5')
    assert event == region.get_json('/v2/events/c-5')
    assert event['raw'] == {'region': 'regionTwo', 'id': 'c-5'}
    assert {t['name']: t['value'] for t in event['traits']} == {
        'device': '/dev/vdb', 'attached_at': '2016-05-01T12:00:00.250000',
        'project_id': 'proj-a'}
    assert client.get_json('/v2/events/c-6')['event_type'] == DELETE
    resp = client.get('/v2/events/c-404')
    assert fault(resp, 404) == 'Event c-404 Not Found'


# -- event types and traits ---------------------------------------------------

def test_event_types_are_the_union_of_the_regions(world_ok):
    assert world_ok.client().get_json('/v2/event_types') == sorted(
        [ATTACH, CREATE, DELETE, IMAGE])


def test_trait_descriptions_are_the_union_of_the_regions(world_ok):
    client = world_ok.client()
    got = client.get_json('/v2/event_types/%s/traits' % CREATE)
    assert sorted((t['name'], t['type']) for t in got) == [
        ('disk', 'float'), ('disk', 'integer'), ('flavor', 'string'),
        ('project_id', 'string'), ('ratio', 'float'),
        ('vcpus', 'integer')]
    got = client.get_json('/v2/event_types/%s/traits' % DELETE)
    assert sorted((t['name'], t['type']) for t in got) == [
        ('deleted_at', 'datetime'), ('flavor', 'string'),
        ('project_id', 'string')]
    assert client.get_json('/v2/event_types/no.such/traits') == []


def test_trait_values_come_from_every_region(world_ok):
    client = world_ok.client()
    got = client.get_json('/v2/event_types/%s/traits/vcpus' % CREATE)
    assert sorted(t['value'] for t in got) == ['1', '1', '2', '4']
    assert {t['type'] for t in got} == {'integer'}
    got = client.get_json('/v2/event_types/%s/traits/disk' % CREATE)
    assert sorted((t['type'], t['value']) for t in got) == [
        ('float', '1.0'), ('float', '80.5'), ('integer', '20'),
        ('integer', '40')]
    got = client.get_json('/v2/event_types/%s/traits/deleted_at' % DELETE)
    assert sorted(t['value'] for t in got) == [
        '2016-05-01T10:00:01', '2016-05-01T13:00:00']
    assert client.get_json(
        '/v2/event_types/%s/traits/nothing' % CREATE) == []


# -- project scoping ---------------------------------------------------------

def test_a_member_sees_its_project_events_of_every_region(world_ok):
    member = world_ok.client(headers=MEMBER_A)
    assert listed(member) == ['c-7', 'c-5', 'c-3', 'c-1']
    assert listed(member, limit=2) == ['c-7', 'c-5']
    assert listed(member, term('flavor', 'm1.large')) == []
    assert listed(member, term('project_id', 'proj-b')) == []
    assert member.get_json('/v2/events/c-5')['event_type'] == ATTACH
    for other in ('c-2', 'c-4', 'c-6'):
        assert fault(member.get('/v2/events/' + other), 404) == (
            'Event %s Not Found' % other)


@pytest.mark.parametrize('path', [
    '/v2/event_types', '/v2/event_types/%s/traits' % CREATE,
    '/v2/event_types/%s/traits/flavor' % CREATE])
def test_event_types_and_traits_are_for_admins(world_ok, path):
    resp = world_ok.client(headers=MEMBER_A).get(path)
    assert 'proj-a' in fault(resp, 401)


# -- a region down -----------------------------------------------------------

def test_a_region_down_is_a_503_naming_it(world_ok):
    client = world_ok.client()
    with region_three_down(world_ok):
        for path in ('/v2/events', '/v2/events/c-1', '/v2/event_types',
                     '/v2/event_types/%s/traits' % DELETE,
                     '/v2/event_types/%s/traits/flavor' % DELETE):
            resp = client.get(path)
            assert resp.status_code == 503, (path, resp.text)
            body = resp.json()['error_message']
            assert 'regionThree' in body['faultstring'], path
            assert 'regionOne' not in body['faultstring'], path


def test_partial_results_answer_without_the_region_down(world_ok):
    client = world_ok.client('partial')
    without_three = [m for m in NEWEST_FIRST
                     if EVENTS[m][0] != 'regionThree']
    with region_three_down(world_ok):
        resp = client.get('/v2/events', status=200)
        assert resp.headers[HEADER] == 'regionThree'
        assert ids(resp.json()) == without_three
        resp = client.get('/v2/events', limit=3, status=200)
        assert ids(resp.json()) == without_three[:3]
        resp = client.get('/v2/events/c-2', status=200)
        assert resp.json()['message_id'] == 'c-2'
        resp = client.get('/v2/event_types', status=200)
        assert resp.headers[HEADER] == 'regionThree'
        assert resp.json() == sorted([ATTACH, CREATE, IMAGE])
        resp = client.get('/v2/event_types/%s/traits' % DELETE, status=200)
        assert resp.headers[HEADER] == 'regionThree'
        assert resp.json() == []
    resp = client.get('/v2/events', status=200)
    assert HEADER not in resp.headers
    assert ids(resp.json()) == NEWEST_FIRST


# -- a region without an events API ------------------------------------------

def test_a_v2_region_without_events_cannot_answer(world_ok):
    client = world_ok.client()
    with region_three_without_events(world_ok):
        resp = client.get('/v2/events')
        message = fault(resp, 400)
        assert 'regionThree' in message and 'cannot answer' in message
        assert 'regionOne' not in message
    with region_three_without_events(world_ok):
        resp = client.get('/v2/event_types')
        assert 'regionThree' in fault(resp, 400)


def test_a_v2_region_without_events_is_left_out_under_partial(world_ok):
    client = world_ok.client('partial')
    with region_three_without_events(world_ok):
        resp = client.get('/v2/events', status=200)
        assert resp.headers[HEADER] == 'regionThree'
        assert ids(resp.json()) == [m for m in NEWEST_FIRST
                                    if EVENTS[m][0] != 'regionThree']
    with region_three_without_events(world_ok):
        resp = client.get('/v2/event_types', status=200)
        assert resp.headers[HEADER] == 'regionThree'
        assert resp.json() == sorted([ATTACH, CREATE, IMAGE])


def test_a_gnocchi_region_cannot_answer_for_events(world_ok):
    client = world_ok.client('gnocchi')
    for path in ('/v2/events', '/v2/events/c-1', '/v2/event_types',
                 '/v2/event_types/%s/traits' % CREATE):
        resp = client.get(path)
        message = fault(resp, 400)
        assert GNOCCHI in message and 'cannot answer' in message, path
        assert 'regionOne' not in message


def test_a_gnocchi_region_is_left_out_under_partial(world_ok):
    client = world_ok.client('gnocchi-partial')
    resp = client.get('/v2/events', status=200)
    assert resp.headers[HEADER] == GNOCCHI
    assert ids(resp.json()) == NEWEST_FIRST
    resp = client.get('/v2/events/c-3', status=200)
    assert resp.json()['event_type'] == DELETE
    resp = client.get('/v2/event_types/%s/traits' % DELETE, status=200)
    assert resp.headers[HEADER] == GNOCCHI
    assert sorted(t['name'] for t in resp.json()) == [
        'deleted_at', 'flavor', 'project_id']


# -- time zones --------------------------------------------------------------

def test_the_merge_order_does_not_depend_on_the_server_time_zone(world_ok):
    from ceilometer_proxy.event import models
    from ceilometer_proxy.event import storage as event_storage
    from ceilometer_proxy import service

    # UTC times that are no local time in Paris (02:00-03:00 that day)
    # and the ones just around them, spread over two regions.
    when = {'d-1': ('regionOne', datetime.datetime(2016, 3, 27, 1, 50)),
            'd-2': ('regionTwo', datetime.datetime(2016, 3, 27, 2, 30)),
            'd-3': ('regionOne', datetime.datetime(2016, 3, 27, 3, 10)),
            'd-4': ('regionTwo', datetime.datetime(2016, 3, 27, 3, 40))}
    conf = service.prepare_service([], config_files=[])
    conns = {region: event_storage.get_connection_from_config(
        conf, world_ok.env.regions[region].server.db_url)
        for region in ('regionOne', 'regionTwo')}
    try:
        for message_id, (region, generated) in when.items():
            conns[region].record_events([models.Event(
                message_id=message_id, event_type='dst.probe',
                generated=generated, traits=[], raw={})])
        q = [term('event_type', 'dst.probe')]
        for which in ('strict', 'paris'):
            assert listed(world_ok.client(which), *q) == [
                'd-4', 'd-3', 'd-2', 'd-1'], which
    finally:
        for conn in conns.values():
            conn.event.delete_many({'event_type': 'dst.probe'})
            conn.db.event_type.delete_many({'_id': 'dst.probe'})
            conn.close()


# -- capabilities ------------------------------------------------------------

def test_capabilities_report_events(world_ok):
    caps = world_ok.client().get_json('/v2/capabilities')
    assert caps['api']['events:query:simple'] is True
    assert caps['event_storage'] == {'storage:production_ready': True}


def test_resource_ids_in_traits_are_the_cascading_ones(world_ok):
    """A region's notifications name its own ids: instance_id (and the
    other [cascading] event_resource_traits) show the resource map's
    cascading id, and a filter on the cascading id asks the resource's
    region for its own. An id the map does not know stays as it is.
    (Last: it adds events, and removes them again.)"""
    from ceilometer_proxy.event import models

    admin = world_ok.client('strict')
    admin.post('/v2/resources', {
        'resource_id': 'vm-casc', 'project_id': 'proj-a',
        'user_id': 'user-a',
        'metadata': {'region': 'regionTwo', 'cascaded_resource_id': 'r2-vm',
                     'type': 'nova.instance'}}, status=201)
    update = 'compute.instance.update'

    def event(message_id, hours, instance_id):
        return models.Event(
            message_id=message_id, event_type=update,
            generated=T0 + datetime.timedelta(hours=hours),
            traits=[models.Trait('instance_id', models.Trait.TEXT_TYPE,
                                 instance_id),
                    models.Trait('host', models.Trait.TEXT_TYPE, 'r2-vm'),
                    models.Trait('project_id', models.Trait.TEXT_TYPE,
                                 'proj-a')], raw={})
    added = {'regionTwo': [event('u-1', 7, 'r2-vm'),
                           event('u-2', 8, 'r2-unknown')],
             # regionOne's own r2-vm is another resource altogether.
             'regionOne': [event('u-3', 9, 'r2-vm')]}
    for region, events in added.items():
        services.record_events(world_ok.env.regions[region].server.db_url,
                               events)
    try:
        by_type = [{'field': 'event_type', 'value': update}]
        shown = {e['message_id']: {t['name']: t['value'] for t in e['traits']}
                 for e in admin.get_json('/v2/events', q=by_type)}
        assert {m: t['instance_id'] for m, t in shown.items()} == {
            'u-1': 'vm-casc', 'u-2': 'r2-unknown', 'u-3': 'r2-vm'}
        # Only the resource-id traits: a host named like an id is kept.
        assert shown['u-1']['host'] == 'r2-vm'
        found = admin.get_json('/v2/events', q=by_type + [
            {'field': 'instance_id', 'type': 'string', 'value': 'vm-casc'}])
        assert [e['message_id'] for e in found] == ['u-1']
        one = admin.get_json('/v2/events/u-1')
        assert {t['name']: t['value'] for t in one['traits']}[
            'instance_id'] == 'vm-casc'
        # A member of the project finds it by the id it knows too.
        member = world_ok.client('strict', MEMBER_A)
        assert [e['message_id'] for e in member.get_json(
            '/v2/events', q=[{'field': 'instance_id', 'type': 'string',
                              'value': 'vm-casc'}])] == ['u-1']
    finally:
        for region, events in added.items():
            client = services.mongo_client(
                world_ok.env.regions[region].server.db_url.rsplit('/', 1)[0])
            try:
                client[world_ok.env.regions[region].server.db_url.rsplit(
                    '/', 1)[1]].event.delete_many(
                        {'_id': {'$in': [e.message_id for e in events]}})
            finally:
                client.close()
        admin.delete('/v2/resources/vm-casc', status=204)
