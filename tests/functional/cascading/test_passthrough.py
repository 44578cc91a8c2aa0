"""Single-resource samples and statistics passed through to the region.

Two cascading servers stand in front of the same two v2 regions and the
same resource map: one with ``[cascading] pass_through`` on (the default),
one with it off (every question through pecan, WSME and the general
path). Every question of the battery must get the same status and the
same body from both. A third part builds the PassThrough middleware in
this process, in front of a recorder instead of pecan, and checks which
questions it answered itself and which it handed on.
"""

import datetime
import io
import json
from urllib import parse

import pytest

from tests import deployment
from tests import region_proxy
from tests import services

METER = 'cpu_util'
T0 = datetime.datetime(2026, 3, 1, 12, 0, 0)
OWNER = deployment.identity('project-1', user='user-1')
STRANGER = deployment.identity('project-2', user='user-2')
STATS = '/v2/meters/%s/statistics' % METER
SAMPLES = '/v2/meters/%s' % METER


def _q(field, value, op='eq', kind=''):
    # Every part of every term, as python-ceilometerclient sends them.
    return {'field': field, 'op': op, 'value': value, 'type': kind}


VM = [_q('resource_id', 'vm-1')]
SINCE = [_q('timestamp', '2026-03-01T12:10:00', 'ge')]

# (name, path, params, headers or None for admin, answered without pecan?)
# A question the region refuses (the bad-* ones) is asked again through
# pecan, whose refusal names the caller's ids, not the region's.
QUESTIONS = [
    ('stats', STATS, {'q': VM}, None, True),
    ('stats by field resource', STATS,
     {'q': [_q('resource', 'vm-1')]}, None, True),
    ('stats period', STATS, {'q': VM, 'period': 600}, None, True),
    ('stats period since', STATS, {'q': VM + SINCE, 'period': 300}, None,
     True),
    ('stats search offset', STATS,
     {'q': VM + SINCE + [_q('search_offset', '5')], 'period': 300}, None,
     True),
    ('stats groupby resource', STATS,
     {'q': VM, 'groupby': ['resource_id', 'project_id']}, None, True),
    ('stats aggregates', STATS,
     {'q': VM, 'aggregate.func': ['max', 'cardinality'],
      'aggregate.param': ['', 'user_id']}, None, True),
    ('stats owner', STATS, {'q': VM}, OWNER, True),
    ('stats owner names own project', STATS,
     {'q': VM + [_q('project_id', 'project-1')]}, OWNER, True),
    ('stats metadata', STATS,
     {'q': VM + [_q('metadata.flavor', 'm1.small')]}, None, True),
    ('stats nothing matches', STATS,
     {'q': VM + [_q('timestamp', '2030-01-01T00:00:00', 'ge')]}, None,
     True),
    ('stats bad period', STATS, {'q': VM, 'period': -1}, None, False),
    ('stats bad groupby', STATS, {'q': VM, 'groupby': ['flavor']}, None,
     False),
    ('stats bad field', STATS, {'q': VM + [_q('colour', 'red')]}, None,
     False),
    ('stats bad timestamp', STATS,
     {'q': VM + [_q('timestamp', 'yesterday', 'ge')]}, None, False),
    ('stats stranger', STATS, {'q': VM}, STRANGER, False),
    ('stats owner names another project', STATS,
     {'q': VM + [_q('project_id', 'project-2')]}, OWNER, False),
    ('stats unknown resource', STATS, {'q': [_q('resource_id', 'nope')]},
     None, False),
    ('stats resource op ne', STATS,
     {'q': [_q('resource_id', 'vm-1', 'ne')]}, None, False),
    ('stats two resources', STATS,
     {'q': VM + [_q('resource_id', 'vm-2')]}, None, False),
    ('stats region term', STATS,
     {'q': VM + [_q('metadata.region', 'regionOne')]}, None, True),
    ('stats project wide', STATS, {'q': [_q('project_id', 'project-1')]},
     None, False),
    ('stats unknown parameter', STATS, {'q': VM, 'colour': 'red'}, None,
     False),
    ('stats ops do not pair', STATS,
     {'q': [{'field': 'resource_id', 'value': 'vm-1'},
            {'field': 'timestamp', 'op': 'ge',
             'value': '2026-03-01T12:10:00'}]}, None, False),
    ('samples', SAMPLES, {'q': VM}, None, True),
    ('samples limit', SAMPLES, {'q': VM, 'limit': 3}, None, True),
    ('samples since', SAMPLES, {'q': VM + SINCE}, None, True),
    ('samples owner', SAMPLES, {'q': VM, 'limit': 5}, OWNER, True),
    ('samples bad field', SAMPLES, {'q': VM + [_q('colour', 'red')]},
     None, False),
    ('samples limit zero', SAMPLES, {'q': VM, 'limit': 0}, None, False),
    ('samples limit text', SAMPLES, {'q': VM, 'limit': 'many'}, None,
     False),
    ('samples stranger', SAMPLES, {'q': VM}, STRANGER, False),
    ('samples other region resource', SAMPLES,
     {'q': [_q('resource_id', 'vm-2')]}, None, True),
]

# Questions whose answer is empty by design.
EMPTY = ('stats nothing matches', 'stats two resources')


def _messages(cascaded_id, count, project):
    return [services.make_message(
        METER, float(i * 7 % 13), cascaded_id,
        T0 + datetime.timedelta(seconds=45 * i), counter_unit='%',
        user_id='user-%d' % (i % 3), project_id=project,
        resource_metadata={'flavor': 'm1.small'},
        message_id='%s-%03d' % (cascaded_id, i)) for i in range(count)]


@pytest.fixture(scope='module')
def world(mongodb_url):
    with deployment.cascade(mongodb_url, v2=('regionOne', 'regionTwo'),
                            extra=deployment.METERING_SETTINGS) as env:
        # The same map (database) and regions, pass-through off.
        extra = {section: dict(values)
                 for section, values in env.cascading.extra.items()}
        extra['cascading']['pass_through'] = False
        general = services.ApiServer(env.cascading.db_url, extra=extra)
        env.servers.append(general)
        general.start()
        env.register('vm-1', region='regionOne', cascaded_id='c-vm-1',
                     project_id='project-1')
        env.register('vm-2', region='regionTwo', cascaded_id='c-vm-2',
                     project_id='project-1')
        env.seed('regionOne', _messages('c-vm-1', 40, 'project-1'))
        env.seed('regionTwo', _messages('c-vm-2', 25, 'project-1'))
        yield env, general


def _ask(url, path, params, headers):
    client = services.Client(url, headers=dict(headers or deployment.ADMIN))
    params = dict(params)
    return client.get(path, q=params.pop('q', None), **params)


@pytest.mark.parametrize('name,path,params,headers,answered', QUESTIONS,
                         ids=[q[0] for q in QUESTIONS])
def test_same_answer_with_and_without_pass_through(world, name, path,
                                                   params, headers,
                                                   answered):
    env, general = world
    fast = _ask(env.url, path, params, headers)
    slow = _ask(general.url, path, params, headers)
    assert fast.status_code == slow.status_code, (fast.text, slow.text)
    assert fast.headers['Content-Type'].startswith('application/json')
    assert fast.json() == slow.json()
    if fast.status_code == 200 and name not in EMPTY:
        assert fast.json(), 'an empty answer proves little'
    if fast.status_code == 200 and path == SAMPLES:
        assert {s['resource_id'] for s in fast.json()} <= {'vm-1', 'vm-2'}


def test_the_resource_id_is_put_back_in_groups_and_samples(world):
    env, _general = world
    groups = _ask(env.url, STATS, {'q': VM, 'groupby': ['resource_id']},
                  None).json()
    assert [g['groupby'] for g in groups] == [{'resource_id': 'vm-1'}]
    assert groups[0]['count'] == 40
    samples = _ask(env.url, SAMPLES, {'q': VM, 'limit': 100}, None).json()
    assert len(samples) == 40
    assert {s['resource_id'] for s in samples} == {'vm-1'}
    stamps = [s['timestamp'] for s in samples]
    assert stamps == sorted(stamps, reverse=True)


def test_xml_is_left_to_pecan(world):
    env, general = world
    for url in (env.url, general.url):
        resp = services.Client(url, headers=deployment.ADMIN).get(
            STATS, q=VM, headers={'Accept': 'application/xml'})
        assert resp.status_code == 200
        assert resp.headers['Content-Type'].startswith('application/xml')
        assert b'<count>40</count>' in resp.content


def test_a_region_answering_garbage_is_a_503(mongodb_url):
    with deployment.cascade(mongodb_url, v2=('regionOne',), proxied=True,
                            extra=deployment.METERING_SETTINGS) as env:
        env.register('vm-1', region='regionOne', cascaded_id='c-vm-1')
        env.seed('regionOne', _messages('c-vm-1', 5, 'project-1'))
        proxy = env.regions['regionOne'].proxy
        for body in (b'<html>oops</html>', b'{}', b'[1, 2]',
                     b'[{"groupby": "x"}]'):
            proxy.inject(region_proxy.Fault('GET', '/v2/meters/',
                                            status=200, body=body))
            resp = _ask(env.url, STATS, {'q': VM}, None)
            assert resp.status_code == 503, (body, resp.text)
            assert 'regionOne' in resp.json()['error_message'][
                'faultstring']
        assert _ask(env.url, STATS, {'q': VM}, None).json()[0]['count'] == 5


@pytest.fixture(scope='module')
def middleware(world, tmp_path_factory):
    from ceilometer_proxy.api import app
    from ceilometer_proxy.api import passthrough
    from ceilometer_proxy import service

    env, _general = world
    path = env.cascading.in_process_config(
        str(tmp_path_factory.mktemp('passthrough') / 'in-process.conf'))
    conf = service.prepare_service([], config_files=[path])
    backend = app.load_backend(conf)
    recorder = services.RecordingApp()
    yield passthrough.PassThrough(recorder, conf, backend), recorder
    backend.close()


@pytest.mark.parametrize('name,path,params,headers,answered', QUESTIONS,
                         ids=[q[0] for q in QUESTIONS])
def test_which_questions_the_middleware_answers(middleware, name, path,
                                                params, headers, answered):
    fast, recorder = middleware
    params = dict(params)
    query = services.Client._params(params.pop('q', None), **params)
    environ = {'REQUEST_METHOD': 'GET', 'PATH_INFO': path,
               'QUERY_STRING': parse.urlencode(query),
               'wsgi.input': io.BytesIO(b''), 'SERVER_NAME': 'localhost',
               'SERVER_PORT': '80', 'wsgi.url_scheme': 'http'}
    for key, value in (headers or deployment.ADMIN).items():
        environ['HTTP_' + key.upper().replace('-', '_')] = value
    statuses = []
    seen = recorder.seen
    body = b''.join(fast(environ, lambda s, h, e=None: statuses.append(s)))
    assert (recorder.seen == seen) is answered, statuses
    if answered and statuses[0].startswith('200'):
        json.loads(body)
