"""Several gunicorn workers on one store, and on one set of regions.

ceilometer-proxy-api serves with ``[api] workers`` processes, each with
its own store connections and region pools. Concurrent clients, spread
over the workers by the kernel, must get the answers one process would
give: every posted sample counted once, every alarm created once with its
history, names unique per project across workers, and housekeeping
(ceilometer-proxy-housekeeping, one process for the deployment) seen by
every worker.
"""

import concurrent.futures
import datetime
import os
import signal
import subprocess
import time
import uuid

import pytest

from tests import deployment
from tests import services

WORKERS = 3
CLIENTS = 12
MEMBER = {'X-User-Id': 'u1', 'X-Project-Id': 'p1', 'X-Roles': 'member'}
ADMIN = {'X-User-Id': 'admin', 'X-Project-Id': 'admin', 'X-Roles': 'admin'}


def worker_pids(master_pid, expected):
    """The master's children, once ``expected`` of them run (the master
    forks them after it listens)."""
    deadline = time.monotonic() + 30
    while True:
        out = subprocess.run(['pgrep', '-P', str(master_pid)],
                             capture_output=True, text=True).stdout
        pids = {int(pid) for pid in out.split()}
        if len(pids) >= expected or time.monotonic() > deadline:
            return pids
        time.sleep(0.2)


def in_parallel(fn, items):
    with concurrent.futures.ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(fn, items))


@pytest.fixture(scope='module')
def served(mongodb_url):
    name = services.unique_db_name('workers')
    server = services.ApiServer(
        services.db_url(mongodb_url, name),
        extra={'api': {'workers': WORKERS, 'threads': 4},
               'database': {'metering_time_to_live': 86400,
                            'housekeeping_interval': 0}})
    server.start()
    try:
        yield server
    finally:
        server.cleanup()
        services.drop_database(mongodb_url, name)


def sample(resource, minutes_ago, volume=1.0):
    stamp = datetime.datetime.utcnow() - datetime.timedelta(
        minutes=minutes_ago)
    return {'counter_name': 'cpu_util', 'counter_type': 'gauge',
            'counter_unit': '%', 'counter_volume': volume,
            'resource_id': resource, 'project_id': 'p1', 'user_id': 'u1',
            'timestamp': stamp.isoformat()}


def test_the_api_runs_the_workers_it_is_given(served):
    assert len(worker_pids(served.proc.pid, WORKERS)) == WORKERS


def test_concurrent_posts_are_each_counted_once(served):
    resources = ['vm-%d' % i for i in range(CLIENTS)]

    def post(resource):
        client = services.Client(served.url, headers=ADMIN)
        for batch in range(5):
            client.post_json('/v2/meters/cpu_util', [
                sample(resource, batch * 10 + i) for i in range(4)])
        return resource

    in_parallel(post, resources)
    client = services.Client(served.url, headers=ADMIN)
    # Asked many times: each answer comes from whichever worker takes it.
    for _ in range(2 * WORKERS):
        stats = client.get_json('/v2/meters/cpu_util/statistics')
        assert stats[0]['count'] == CLIENTS * 20
        listed = client.get_json('/v2/resources')
        assert sorted(r['resource_id'] for r in listed) == sorted(resources)


def test_alarm_names_stay_unique_across_workers(served):
    name = 'race-%s' % uuid.uuid4().hex[:8]
    body = {'name': name, 'type': 'threshold',
            'threshold_rule': {'meter_name': 'cpu_util', 'threshold': 1.0}}

    def create(_):
        return services.Client(served.url, headers=MEMBER).post(
            '/v2/alarms', body).status_code

    statuses = in_parallel(create, range(CLIENTS))
    assert statuses.count(201) == 1, statuses
    assert set(statuses) == {201, 409}, statuses
    refused = services.Client(served.url, headers=MEMBER).post(
        '/v2/alarms', body)
    assert refused.json()['error_message']['faultstring'] == (
        'Alarm with name=%s exists' % name)
    client = services.Client(served.url, headers=MEMBER)
    found = client.get_json('/v2/alarms', q=[
        {'field': 'name', 'op': 'eq', 'value': name}])
    assert len(found) == 1
    history = client.get_json('/v2/alarms/%s/history'
                              % found[0]['alarm_id'])
    assert [change['type'] for change in history] == ['creation']


def test_concurrent_alarm_changes_all_recorded(served):
    client = services.Client(served.url, headers=MEMBER)
    created = client.post_json('/v2/alarms', {
        'name': 'states-%s' % uuid.uuid4().hex[:8], 'type': 'threshold',
        'threshold_rule': {'meter_name': 'cpu_util', 'threshold': 1.0}})
    path = '/v2/alarms/%s' % created['alarm_id']
    states = ['ok', 'alarm', 'insufficient data'] * 4

    def set_state(state):
        return services.Client(served.url, headers=MEMBER).put(
            path + '/state', state).status_code

    assert set(in_parallel(set_state, states)) == {200}
    history = client.get_json(path + '/history')
    assert sorted(c['type'] for c in history) == (
        ['creation'] + ['state transition'] * len(states))


def test_housekeeping_once_for_all_workers(served):
    client = services.Client(served.url, headers=ADMIN)
    old = 'vm-old-%s' % uuid.uuid4().hex[:6]
    client.post_json('/v2/meters/cpu_util', [
        sample(old, 60 * 24 * 3 + i) for i in range(3)])
    q = [{'field': 'resource_id', 'op': 'eq', 'value': old}]
    assert len(client.get_json('/v2/meters/cpu_util', q=q)) == 3
    code, _out, last = services.run_command(
        'ceilometer-proxy-housekeeping', served.conf_path, '--once')
    assert code == 0, last
    assert last.endswith('expiry (samples: ttl 86400 s, events: ttl off) '
                         'and summary compaction done')
    for _ in range(2 * WORKERS):
        assert client.get_json('/v2/meters/cpu_util', q=q) == []
    # Younger samples are kept.
    assert client.get_json('/v2/meters/cpu_util/statistics')[0]['count'] \
        >= CLIENTS * 20


# -- cascading mode: two workers in front of the same regions -------------

@pytest.fixture(scope='module')
def cascade(mongodb_url):
    with deployment.cascade(mongodb_url, v2=('r1', 'r2'),
                            extra={'api': {'workers': 2}}) as built:
        for region in ('r1', 'r2'):
            built.register('vm-' + region, region=region,
                           project_id='p1', user_id='u1')
        yield built


def test_cascading_workers_create_each_alarm_once(cascade):
    assert len(worker_pids(cascade.cascading.proc.pid, 2)) == 2
    names = ['c-%s-%d' % (uuid.uuid4().hex[:6], i) for i in range(CLIENTS)]

    answers = []

    def create(index_name):
        index, name = index_name
        region = ('r1', 'r2')[index % 2]
        answer = cascade.client(MEMBER).post('/v2/alarms', {
            'name': name, 'type': 'threshold',
            'threshold_rule': {'meter_name': 'cpu_util', 'threshold': 1.0,
                               'query': [{'field': 'resource_id',
                                          'op': 'eq',
                                          'value': 'vm-' + region}]}})
        answers.append((answer.status_code, answer.text))
        return answer.status_code

    assert set(in_parallel(create, list(enumerate(names)))) == {201}, answers
    listed = {a['name'] for a in cascade.client(MEMBER).get_json(
        '/v2/alarms')}
    assert set(names) <= listed
    held = set()
    for region in ('r1', 'r2'):
        held |= {a['name'] for a in cascade.client(ADMIN, region=region)
                 .get_json('/v2/alarms')}
    assert set(names) <= held
    # Duplicates across workers are refused too, and of a name that is
    # new, exactly one create wins the race.
    again = in_parallel(create, [(0, names[0])] * 4)
    assert set(again) == {409}
    fresh = 'race-%s' % uuid.uuid4().hex[:6]
    raced = in_parallel(create, [(i, fresh) for i in range(CLIENTS)])
    assert raced.count(201) == 1, raced
    assert set(raced) == {201, 409}, raced


def test_sighup_replaces_the_workers_without_a_failed_request(served):
    before = worker_pids(served.proc.pid, WORKERS)
    client = services.Client(served.url, headers=ADMIN)
    os.kill(served.proc.pid, signal.SIGHUP)
    deadline = time.monotonic() + 60
    statuses = []
    while time.monotonic() < deadline:
        statuses.append(client.get('/v2/meters/cpu_util/statistics')
                        .status_code)
        now = worker_pids(served.proc.pid, WORKERS)
        if len(now) == WORKERS and not now & before:
            break
        time.sleep(0.1)
    assert not now & before, 'the workers were not replaced'
    assert set(statuses) == {200}
    assert served.proc.poll() is None
