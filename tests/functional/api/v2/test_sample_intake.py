"""JSON POSTs of samples read in front of pecan (api/intake.py).

Every body of the battery is posted twice to one local-mode server: as it
is, which the intake reads, and with ``?direct=true``, which the intake
leaves to pecan and WSME (the controller accepts that parameter and
nothing else changes). Both must answer the same status and body, and
store the same samples. A second part runs the middleware in this
process in front of a recorder, on the server's store, and checks which
bodies it stored itself and which it handed on.
"""

import copy
import io
import json
import math

import pytest

from tests import services


METER = 'apples'
ADMIN = {'X-User-Id': 'admin-u', 'X-Project-Id': 'admin-p',
         'X-Roles': 'admin'}
MEMBER = {'X-User-Id': 'member-u', 'X-Project-Id': 'member-p',
          'X-Roles': 'member'}


def _sample(**overrides):
    base = {'counter_name': METER, 'counter_type': 'gauge',
            'counter_unit': 'apple', 'counter_volume': 3,
            'resource_id': 'tree-1', 'project_id': 'p1', 'user_id': 'u1',
            'timestamp': '2026-05-01T10:00:00',
            'resource_metadata': {'colour': 'red'}}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not DROP}


DROP = object()

# (name, body, headers or None for admin, read by the intake?)
BODIES = [
    ('plain', [_sample()], None, True),
    ('a thousand', [_sample(counter_volume=i, resource_id='tree-%d' % (i % 7),
                            timestamp='2026-05-01T10:%02d:%02d.%03d'
                            % (i // 60 % 60, i % 60, i))
                    for i in range(1000)], None, True),
    ('no timestamp', [_sample(timestamp=DROP)], None, True),
    ('zulu', [_sample(timestamp='2026-05-01T10:00:00.123456Z')], None,
     True),
    ('offset', [_sample(timestamp='2026-05-01T12:00:00.5+02:00')], None,
     True),
    ('float volume', [_sample(counter_volume=0.1)], None, True),
    ('big volume', [_sample(counter_volume=1e300)], None, True),
    ('nested metadata', [_sample(resource_metadata={
        'a': {'b': {'c': 1}}, 'n': 2.5, 't': True, 'l': [1, 'x'],
        'z': None, 'dotted.key': 'v'})], None, True),
    ('no metadata', [_sample(resource_metadata=DROP)], None, True),
    ('null metadata', [_sample(resource_metadata=None)], None, True),
    ('no user or project', [_sample(user_id=DROP, project_id=DROP)], None,
     True),
    ('null user', [_sample(user_id=None)], None, True),
    ('source', [_sample(source='agent-7')], None, True),
    ('empty source', [_sample(source='')], None, True),
    ('member, own project', [_sample(project_id='member-p')], MEMBER,
     True),
    ('member, project left out', [_sample(project_id=DROP)], MEMBER, True),
    ('every type', [_sample(counter_type=t) for t in
                    ('gauge', 'delta', 'cumulative')], None, True),
    ('text volume', [_sample(counter_volume='4.5')], None, False),
    ('spaced timestamp', [_sample(timestamp='2026-05-01 10:00:00')], None,
     False),
    ('long fraction', [_sample(timestamp='2026-05-01T10:00:00.1234567')],
     None, False),
    ('date only', [_sample(timestamp='2026-05-01')], None, False),
    ('member, other project', [_sample(project_id='p9')], MEMBER, False),
    ('other meter', [_sample(counter_name='pears')], None, False),
    ('message id', [_sample(message_id='m-1')], None, False),
    ('recorded at', [_sample(recorded_at='2026-05-01T10:00:00')], None,
     False),
    ('bad type', [_sample(counter_type='rate')], None, False),
    ('no unit', [_sample(counter_unit=DROP)], None, False),
    ('null volume', [_sample(counter_volume=None)], None, False),
    ('boolean volume', [_sample(counter_volume=True)], None, False),
    ('numeric resource id', [_sample(resource_id=7)], None, False),
    ('unknown field', [_sample(colour='red')], None, False),
    ('metadata a list', [_sample(resource_metadata=['a'])], None, False),
    ('empty list', [], None, False),
    ('an object', _sample(), None, False),
    ('one bad of two', [_sample(), _sample(counter_type='rate')], None,
     False),
]


@pytest.fixture
def server(api):
    return api


def _post(client, body, headers, direct):
    path = '/v2/meters/%s' % METER + ('?direct=true' if direct else '')
    return client.session.post(client.base_url + path, data=json.dumps(body),
                               headers=dict(headers or ADMIN, **{
                                   'Content-Type': 'application/json'}),
                               timeout=60)


def _comparable(samples):
    """Answers with what differs by nature between two posts left out
    (message ids; the time of the request for samples without one)."""
    out = []
    for s in samples:
        s = dict(s)
        s.pop('message_id', None)
        s.pop('id', None)
        s.pop('recorded_at', None)
        out.append(s)
    return out


def _stored(client, headers):
    got = client.get_json('/v2/meters/%s' % METER, headers=headers or ADMIN,
                          limit=5000)
    return sorted(_comparable(got), key=lambda s: json.dumps(s,
                                                             sort_keys=True))


@pytest.mark.parametrize('name,body,headers,read', BODIES,
                         ids=[b[0] for b in BODIES])
def test_same_answer_and_samples_as_through_wsme(server, store, name, body,
                                                 headers, read):
    fast = _post(server, body, headers, direct=False)
    fast_stored = _stored(server, headers)
    store.meter.delete_many({})
    store.resource.delete_many({})
    slow = _post(server, body, headers, direct=True)
    slow_stored = _stored(server, headers)
    assert fast.status_code == slow.status_code, (fast.text, slow.text)
    assert fast.headers['Content-Type'].startswith('application/json')
    if fast.status_code != 201:
        assert fast.json() == slow.json()
        assert fast_stored == slow_stored == []
        return
    fast_answer, slow_answer = fast.json(), slow.json()
    assert [list(s) for s in fast_answer] == [list(s) for s in slow_answer]
    assert all(s['message_id'] for s in fast_answer)
    if name == 'no timestamp':
        for answers in (fast_answer, slow_answer, fast_stored, slow_stored):
            for s in answers:
                s.pop('timestamp')
    assert _comparable(fast_answer) == _comparable(slow_answer)
    assert fast_stored == slow_stored
    assert len(fast_stored) == len(body)


def test_the_answer_names_what_was_stored(server):
    posted = _post(server, [_sample(), _sample(resource_id='tree-2')],
                   None, direct=False).json()
    for s in posted:
        one = server.get_json('/v2/samples/' + s['message_id'],
                              headers=ADMIN)
        assert one['resource_id'] == s['resource_id']
        assert one['timestamp'] == s['timestamp']
        assert math.isclose(one['volume'], s['counter_volume'])


@pytest.fixture(scope='module')
def middleware(api_server, tmp_path_factory):
    from ceilometer_proxy.api import guards
    from ceilometer_proxy.api import intake
    from ceilometer_proxy import service
    from ceilometer_proxy import storage

    path = api_server.in_process_config(
        str(tmp_path_factory.mktemp('intake') / 'in-process.conf'))
    conf = service.prepare_service([], config_files=[path])
    backend = storage.get_connection_from_config(conf)
    recorder = services.RecordingApp()
    yield guards.RequestLimits(intake.SampleIntake(recorder, conf, backend),
                               conf), recorder
    backend.close()


@pytest.mark.parametrize('name,body,headers,read', BODIES,
                         ids=[b[0] for b in BODIES])
def test_which_bodies_the_intake_reads(middleware, api, name, body, headers,
                                       read):
    fast, recorder = middleware
    data = json.dumps(copy.deepcopy(body)).encode()
    environ = {'REQUEST_METHOD': 'POST', 'PATH_INFO': '/v2/meters/' + METER,
               'QUERY_STRING': '', 'CONTENT_TYPE': 'application/json',
               'CONTENT_LENGTH': str(len(data)),
               'wsgi.input': io.BytesIO(data), 'SERVER_NAME': 'localhost',
               'SERVER_PORT': '80', 'wsgi.url_scheme': 'http'}
    for key, value in (headers or ADMIN).items():
        environ['HTTP_' + key.upper().replace('-', '_')] = value
    seen = recorder.seen
    statuses = []
    b''.join(fast(environ, lambda s, h, e=None: statuses.append(s)))
    assert (recorder.seen == seen) is read, statuses
    if read:
        assert statuses == ['201 Created']
        stored = api.get_json('/v2/meters/' + METER,
                              headers=headers or ADMIN, limit=5000)
        assert len(stored) == len(body)
    else:
        assert api.get_json('/v2/meters/' + METER, headers=ADMIN) == []
