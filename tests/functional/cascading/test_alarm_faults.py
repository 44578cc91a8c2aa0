"""Randomised faults around every alarm call of the cascading level.

A hundred runs, each one alarm operation (create, update, delete, state,
get, list) of a plain member while one thing goes wrong on the way:

- the region does the work, then its answer is lost: a 5xx, garbage (not
  JSON, or JSON of the wrong shape), a dropped connection, or an answer
  slower than ``[cascading] http_timeout``;
- the region answers a 5xx or garbage without doing anything;
- the alarm table's store stops after the region answered.

Every answer must be a clear one (2xx, 4xx or 503 with Ceilometer's error
body, never a 500). At the end, after the reconciler, neither side holds
an orphan: the alarms the regions hold are exactly those the table's
active rows point at, and no intent or unfinished delete is left.
"""

import os
import random
import threading
import time
import uuid

import pymongo
import pytest

from tests import deployment
from tests.fuzz import harness
from tests import region_proxy
from tests import services

ADMIN = deployment.ADMIN
MEMBER = deployment.identity('p-faults', 'u-faults')
TIMEOUT = 1.0
RUNS = 100
SEED = int(os.environ.get('CEILOMETER_PROXY_FAULT_SEED', 20261207))
REGIONS = ('r1', 'r2')
GARBAGE = [
    (200, b'<html>not json</html>', 'text/html'),
    (200, b'{"alarm_id": ', 'application/json'),
    (200, b'[]', 'application/json'),
    (200, b'{}', 'application/json'),
    (200, b'null', 'application/json'),
    (200, b'"ok"', 'application/json'),
    (200, b'[1, 2, 3]', 'application/json'),
    (200, b'{"alarm_id": 7, "state": [], "name": {}}', 'application/json'),
    (201, b'\xff\xfe\x00', 'application/json'),
]
SERVER_ERRORS = [
    (500, b'{"error_message": {"faultstring": "boom"}}', 'application/json'),
    (502, b'<html>Bad Gateway</html>', 'text/html'),
    (503, b'', 'text/plain'),
]


@pytest.fixture(scope='module')
def env(mongodb_url):
    table_store = services.FerretDB().start()
    extra = {'cascading': {'http_timeout': TIMEOUT, 'region_backoff': 0,
                           'reconcile_interval': 0,
                           'alarm_connection': table_store.url + '/table'},
             'database': {'server_timeout': 1, 'socket_timeout': 2}}
    try:
        with deployment.cascade(mongodb_url, v2=REGIONS, proxied=True,
                                extra=extra) as built:
            for name in REGIONS:
                built.register('vm-' + name, region=name,
                               project_id=MEMBER['X-Project-Id'],
                               user_id=MEMBER['X-User-Id'])
            yield built, built.cascading, table_store
    finally:
        table_store.cleanup()


def body(name, region, threshold=1.0):
    return {'name': name, 'type': 'threshold',
            'threshold_rule': {
                'meter_name': 'cpu_util', 'threshold': threshold,
                'query': [{'field': 'resource_id', 'op': 'eq',
                           'value': 'vm-' + region}]}}


class Runs(object):
    """What the runs did: the alarms believed to exist, by cascading id."""

    def __init__(self, built, casc, table_store, rnd):
        self.built = built
        self.casc = casc
        self.table_store = table_store
        self.rnd = rnd
        self.client = services.Client(casc.url, headers=MEMBER)
        self.known = {}          # cascading id -> region
        self.answers = []

    def proxy(self, region):
        return self.built.regions[region].proxy

    def operation(self):
        """(method, path, body, region, region method, region prefix)."""
        choice = self.rnd.choice(['create'] * 4 + ['update', 'delete'] * 2
                                 + ['state', 'get', 'list'])
        if choice != 'create' and not self.known:
            choice = 'create'
        if choice == 'create':
            region = self.rnd.choice(REGIONS)
            name = 'f-%s' % uuid.uuid4().hex[:10]
            return ('POST', '/v2/alarms', body(name, region), region,
                    'POST', '/v2/alarms')
        if choice == 'list':
            region = self.rnd.choice(REGIONS)
            return 'GET', '/v2/alarms', None, region, 'GET', '/v2/alarms'
        alarm_id = self.rnd.choice(sorted(self.known))
        region = self.known[alarm_id]
        path = '/v2/alarms/' + alarm_id
        if choice == 'update':
            name = 'u-%s' % uuid.uuid4().hex[:10]
            return ('PUT', path, body(name, region, 2.0), region, 'PUT',
                    '/v2/alarms/')
        if choice == 'delete':
            return 'DELETE', path, None, region, 'DELETE', '/v2/alarms/'
        if choice == 'state':
            return ('PUT', path + '/state', 'alarm', region, 'PUT',
                    '/v2/alarms/')
        return 'GET', path, None, region, 'GET', '/v2/alarms/'

    def fault(self, method, prefix):
        kind = self.rnd.choice(['none', 'after-error', 'after-garbage',
                                'after-drop', 'slow', 'instead-error',
                                'instead-garbage', 'store'])
        if kind in ('none', 'store'):
            return kind, None
        if kind == 'after-drop':
            return kind, region_proxy.Fault(method, prefix, drop=True)
        if kind == 'slow':
            return kind, region_proxy.Fault(method, prefix,
                                            delay=TIMEOUT + 0.5)
        status, content, content_type = self.rnd.choice(
            GARBAGE if kind.endswith('garbage') else SERVER_ERRORS)
        return kind, region_proxy.Fault(
            method, prefix, forward=kind.startswith('after'), status=status,
            body=content, content_type=content_type)

    def run(self):
        method, path, data, region, r_method, r_prefix = self.operation()
        kind, fault = self.fault(r_method, r_prefix)
        proxy = self.proxy(region)
        if fault is not None:
            proxy.inject(fault)
        hold = None
        if kind == 'store':
            hold = proxy.hold(r_method, r_prefix, prefix=True)
            resp_holder = {}
            thread = threading.Thread(target=lambda: resp_holder.setdefault(
                'resp', self.send(method, path, data)), daemon=True)
            thread.start()
            if hold.reached.wait(20):
                self.table_store.stop()
            hold.release()
            thread.join(60)
            self.table_store.start()
            resp = resp_holder.get('resp')
            assert resp is not None, 'no answer to %s %s' % (method, path)
        else:
            resp = self.send(method, path, data)
        proxy.clear_faults()
        self.answers.append((kind, method, path, resp.status_code))
        self.check(kind, method, path, resp)
        if method == 'POST' and resp.status_code == 201:
            self.known[resp.json()['alarm_id']] = region
        elif method == 'DELETE' and resp.status_code in (204, 404):
            self.known.pop(path.rsplit('/', 1)[1], None)

    def send(self, method, path, data):
        return self.client.request(method, path, body=data)

    @staticmethod
    def check(kind, method, path, resp):
        where = '%s (%s %s) answered %d: %s' % (
            kind, method, path, resp.status_code, resp.text[:500])
        assert resp.status_code < 500 or resp.status_code == 503, where
        if resp.status_code >= 400:
            assert harness.error_body_problem(resp) is None, where
        assert not harness.TRACEBACK.search(resp.text), where


def reconcile(conf_path):
    code, out, last = services.run_command(
        'ceilometer-proxy-cascading-reconcile', conf_path, '--min-age', '0')
    return code, out or last


def region_alarms(built):
    """{(region, alarm id): name} of the member's region alarms."""
    found = {}
    for name in REGIONS:
        for alarm in built.client(ADMIN, region=name).get_json(
                '/v2/alarms'):
            if alarm['project_id'] == MEMBER['X-Project-Id']:
                found[name, alarm['alarm_id']] = alarm['name']
    return found


def test_faults_leave_no_orphan_and_no_500(env):
    built, casc, table_store = env
    runs = Runs(built, casc, table_store, random.Random(SEED))
    for _ in range(RUNS):
        runs.run()
    for name in REGIONS:
        assert runs.proxy(name).idle(), 'a slow answer never finished'
    time.sleep(TIMEOUT)
    code, output = reconcile(casc.conf_path)
    assert code == 0, output

    rows = pymongo.MongoClient(table_store.url).table.cascading_alarm
    statuses = {row['status'] for row in rows.find()}
    assert statuses <= {'active', 'deleted'}, (statuses, output)
    pointed = {(row['region'], row['cascaded_alarm_id'])
               for row in rows.find({'status': 'active'})}
    names = region_alarms(built)
    held = set(names)
    assert held == pointed, (
        'region only: %s, table only: %s\n%s\nruns:\n%s\nrows:\n%s'
        % (sorted((k, names[k]) for k in held - pointed),
           sorted(pointed - held), output,
           '\n'.join(map(str, runs.answers)),
           '\n'.join(str(row) for row in rows.find(
               {}, {'alarm': 0, 'routing': 0}))))
    # And what the API lists is what the table holds, each alarm readable.
    listed = services.Client(casc.url, headers=MEMBER).get_json('/v2/alarms')
    assert len(listed) == len(pointed)
    for alarm in listed:
        services.Client(casc.url, headers=MEMBER).get_json(
            '/v2/alarms/' + alarm['alarm_id'])
    kinds = {kind for kind, _, _, _ in runs.answers}
    assert kinds >= {'after-error', 'after-garbage', 'after-drop', 'slow',
                     'instead-error', 'instead-garbage', 'store'}


# The calls a region answers (resources and meters come from the map).
ONE = '?q.field=resource_id&q.op=eq&q.value=vm-r1'
METERING_CALLS = [
    ('/v2/meters/cpu_util', '/v2/meters/cpu_util'),
    ('/v2/meters/cpu_util' + ONE, '/v2/meters/cpu_util'),
    ('/v2/meters/cpu_util/statistics', '/v2/meters/cpu_util/statistics'),
    ('/v2/meters/cpu_util/statistics' + ONE + '&period=60',
     '/v2/meters/cpu_util/statistics'),
    ('/v2/samples', '/v2/samples'),
    ('/v2/samples' + ONE, '/v2/samples'),
]


@pytest.mark.parametrize('status,content,content_type',
                         GARBAGE + SERVER_ERRORS)
def test_metering_survives_a_region_answering_garbage(env, status, content,
                                                      content_type):
    built, casc, _store = env
    client = services.Client(casc.url, headers=MEMBER)
    missed = []
    for path, region_prefix in METERING_CALLS:
        fault = built.regions['r1'].proxy.inject(region_proxy.Fault(
            'GET', region_prefix, forward=False, status=status,
            body=content, content_type=content_type))
        resp = client.get(path)
        if not fault.hit.is_set():
            missed.append(path)
        built.regions['r1'].proxy.clear_faults()
        Runs.check('garbage %d %r' % (status, content[:20]), 'GET', path,
                   resp)
        assert resp.status_code in (200, 404, 503), resp.text
    assert missed == []
