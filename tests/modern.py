"""A modern telemetry region for tests: Gnocchi 4.7.1 and Aodh 23.0.0.

Both run from cached virtualenvs (``tools/build-peer-venv.sh gnocchi`` /
``aodh``) on one private PostgreSQL cluster (tests/postgres.py), without
Keystone:

- Gnocchi: ``[api] auth_mode = basic`` (the user name is the identity),
  file storage and incoming in a temporary directory, gunicorn serving
  the WSGI application (its module builds the configuration itself: the
  stock one parses the process's command line), ``gnocchi-metricd``
  aggregating within a second;
- Aodh: ``[api] auth_mode = noauth`` behind gunicorn, ``aodh-evaluator``
  reading Gnocchi with ``gnocchi-basic`` credentials every
  ``evaluation_interval`` seconds, and ``aodh-notifier`` running the
  actions; evaluator and notifier meet on a RabbitMQ broker when one is
  given (tests/rabbitmq.py), else the region has no evaluator.

ModernRegion also offers what the tests do to such a region natively:
resource types and resources, measures, waiting for metricd, alarms.
"""

import base64
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import requests

from tests import services

BUILD_SCRIPT = os.path.join(services.REPO, 'tools', 'build-peer-venv.sh')
GNOCCHI_USER = 'admin'
# The attributes Ceilometer's gnocchi_resources.yaml gives instances (the
# ones the tests filter on).
INSTANCE_ATTRIBUTES = ('display_name', 'flavor_id', 'host', 'image_ref',
                       'server_group')

# Archive policies of the tests: (name, [(granularity s, points)], methods
# or None for Gnocchi's default six). ``cascade-test`` keeps minutes for
# two days and hours for 30; ``short-minutes`` keeps minutes for ten
# minutes only (retention); ``means-only`` is Ceilometer's low policy.
TEST_POLICIES = (
    ('cascade-test', [(60, 2880), (3600, 720)], None),
    ('short-minutes', [(60, 10), (3600, 720)], None),
    ('means-only', [(300, 288)], ['mean']),
)

GNOCCHI_WSGI = '''\
from gnocchi import service
from gnocchi.rest import app

application = app.load_app(service.prepare_service(
    args=[], default_config_files=[%r]))
'''

AODH_WSGI = '''\
from aodh.api import app

application = app.build_wsgi_app(argv=['--config-file', %r])
'''


def peer_venv(name):
    out = subprocess.run([BUILD_SCRIPT, name], check=True, timeout=1200,
                         stdout=subprocess.PIPE, text=True).stdout
    return out.strip().splitlines()[-1]


def basic_auth(user=GNOCCHI_USER):
    return 'Basic ' + base64.b64encode(
        ('%s:' % user).encode()).decode('ascii')


def _env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('OS_', 'PYTHON'))}
    env['PYTHONWARNINGS'] = 'ignore'
    return env


class Process(object):
    """One peer process with its log."""

    def __init__(self, name, command, cwd, port=None):
        self.name = name
        self.command = command
        self.cwd = cwd
        self.port = port
        self.log_path = os.path.join(cwd, '%s.log' % name)
        self.proc = None

    def start(self):
        out = open(self.log_path, 'ab')
        self.proc = subprocess.Popen(self.command, cwd=self.cwd, env=_env(),
                                     stdout=out, stderr=out)
        if self.port:
            services.wait_for_port(self.port, timeout=120, proc=self.proc,
                                   log_path=self.log_path)
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            # gunicorn and cotyledon stop at once on SIGINT.
            self.proc.send_signal(signal.SIGINT)
        services.stop_process(self.proc)
        self.proc = None


class ModernRegion(object):
    """Gnocchi + Aodh of one region on a started tests.postgres cluster.

    :param postgres: the PostgreSQL cluster (databases are created on it).
    :param transport_url: RabbitMQ URL for Aodh's evaluator and notifier,
        or None (no evaluation).
    :param evaluation_interval: seconds between two evaluations.
    """

    def __init__(self, postgres, transport_url=None, evaluation_interval=2):
        self.postgres = postgres
        self.transport_url = transport_url
        self.evaluation_interval = evaluation_interval
        self.dir = tempfile.mkdtemp(prefix='modern-region-')
        self.gnocchi_port = services.free_port()
        self.aodh_port = services.free_port()
        self.processes = []
        self.http = requests.Session()
        self.http.trust_env = False
        suffix = os.path.basename(self.dir).replace('-', '_').lower()
        self.gnocchi_db = 'gnocchi_' + suffix
        self.aodh_db = 'aodh_' + suffix

    @property
    def gnocchi_url(self):
        return 'http://127.0.0.1:%d' % self.gnocchi_port

    @property
    def aodh_url(self):
        return 'http://127.0.0.1:%d' % self.aodh_port

    # -- life cycle -----------------------------------------------------------

    def start(self):
        gnocchi_venv, aodh_venv = peer_venv('gnocchi'), peer_venv('aodh')
        self.postgres.create_database(self.gnocchi_db)
        self.postgres.create_database(self.aodh_db)
        gnocchi_conf = self._write_gnocchi_config()
        aodh_conf = self._write_aodh_config()
        self._run(gnocchi_venv, 'gnocchi-upgrade', gnocchi_conf)
        self._run(aodh_venv, 'aodh-dbsync', aodh_conf)
        self._spawn('gnocchi-api', self._gunicorn(
            gnocchi_venv, 'gnocchi_wsgi', self.gnocchi_port),
            self.gnocchi_port)
        self._spawn('gnocchi-metricd', [
            os.path.join(gnocchi_venv, 'bin', 'gnocchi-metricd'),
            '--config-file', gnocchi_conf])
        self._spawn('aodh-api', self._gunicorn(aodh_venv, 'aodh_wsgi',
                                               self.aodh_port),
                    self.aodh_port)
        if self.transport_url:
            for service in ('aodh-evaluator', 'aodh-notifier'):
                self._spawn(service, [os.path.join(aodh_venv, 'bin', service),
                                      '--config-file', aodh_conf])
        self._wait_for(self.gnocchi_url + '/v1/archive_policy',
                       self.gnocchi_headers())
        self._wait_for(self.aodh_url + '/v2/alarms', self.aodh_headers())
        return self

    def _gunicorn(self, venv, module, port):
        return [os.path.join(venv, 'bin', 'gunicorn'), '--no-control-socket',
                '--chdir', self.dir, '--bind', '127.0.0.1:%d' % port,
                '--workers', '1', '--threads', '8', '--timeout', '120',
                module + ':application']

    def _spawn(self, name, command, port=None):
        self.processes.append(Process(name, command, self.dir, port).start())

    def _run(self, venv, command, conf):
        proc = subprocess.run([os.path.join(venv, 'bin', command),
                               '--config-file', conf], cwd=self.dir,
                              env=_env(), timeout=300,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            raise RuntimeError('%s failed: %s' % (command,
                                                  proc.stdout[-3000:]))

    def _wait_for(self, url, headers, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.http.get(url, headers=headers,
                                 timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError('%s did not answer: %s' % (url,
                                                              self.logs()))
            time.sleep(0.1)

    def _write_gnocchi_config(self):
        path = os.path.join(self.dir, 'gnocchi.conf')
        storage = os.path.join(self.dir, 'gnocchi-storage')
        services.write_config(path, {
            'DEFAULT': {'log_file': os.path.join(self.dir, 'gnocchi.log')},
            'api': {'auth_mode': 'basic'},
            'indexer': {'url': self.postgres.url(self.gnocchi_db)},
            'storage': {'driver': 'file', 'file_basepath': storage},
            'incoming': {'driver': 'file', 'file_basepath': storage},
            'metricd': {'metric_processing_delay': 1, 'workers': 1},
        })
        with open(os.path.join(self.dir, 'gnocchi_wsgi.py'), 'w') as f:
            f.write(GNOCCHI_WSGI % path)
        return path

    def _write_aodh_config(self):
        path = os.path.join(self.dir, 'aodh.conf')
        services.write_config(path, {
            'DEFAULT': {'log_file': os.path.join(self.dir, 'aodh.log'),
                        'transport_url': self.transport_url or 'fake://'},
            'api': {'auth_mode': 'noauth'},
            'database': {'connection': self.postgres.url(self.aodh_db)},
            'service_credentials': {'auth_type': 'gnocchi-basic',
                                    'user': GNOCCHI_USER,
                                    'endpoint': self.gnocchi_url,
                                    'interface': 'public'},
            'evaluator': {'evaluation_interval': self.evaluation_interval},
        })
        with open(os.path.join(self.dir, 'aodh_wsgi.py'), 'w') as f:
            f.write(AODH_WSGI % path)
        return path

    def stop(self):
        for process in reversed(self.processes):
            process.stop()
        self.processes = []
        self.http.close()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def logs(self, size=4000):
        return '\n'.join('== %s ==\n%s' % (p.name, services._tail(
            p.log_path, size)) for p in self.processes)

    # -- native calls ---------------------------------------------------------

    @staticmethod
    def gnocchi_headers():
        return {'Authorization': basic_auth(), 'Accept': 'application/json'}

    @staticmethod
    def aodh_headers(project='admin-project', user='admin-user'):
        return {'X-User-Id': user, 'X-Project-Id': project,
                'X-Roles': 'admin', 'Accept': 'application/json'}

    def gnocchi(self, method, path, body=None, status=None, **params):
        resp = self.http.request(method, self.gnocchi_url + path, json=body,
                                 params=params or None,
                                 headers=self.gnocchi_headers(), timeout=60)
        if status is not None and resp.status_code != status:
            raise AssertionError('Gnocchi %s %s -> %s: %s' % (
                method, path, resp.status_code, resp.text[:2000]))
        return resp.json() if resp.content else None

    def aodh(self, method, path, body=None, status=None, params=None,
             headers=None):
        resp = self.http.request(method, self.aodh_url + path, json=body,
                                 params=params,
                                 headers=headers or self.aodh_headers(),
                                 timeout=60)
        if status is not None and resp.status_code != status:
            raise AssertionError('Aodh %s %s -> %s: %s' % (
                method, path, resp.status_code, resp.text[:2000]))
        return resp.json() if resp.content else None

    def ensure_instance_type(self):
        """The ``instance`` resource type, as ceilometer-upgrade makes it
        (the attributes the tests use)."""
        types = {t['name'] for t in self.gnocchi('GET', '/v1/resource_type')}
        if 'instance' not in types:
            self.gnocchi('POST', '/v1/resource_type', {
                'name': 'instance', 'attributes': {
                    name: {'type': 'string', 'required': False}
                    for name in INSTANCE_ATTRIBUTES}}, status=201)

    def add_policy(self, name, definition, methods=None):
        """An archive policy, e.g. [(60, 1440), (3600, 720)] as
        (granularity seconds, points)."""
        body = {'name': name, 'back_window': 0, 'definition': [
            {'granularity': '%ds' % g, 'points': p} for g, p in definition]}
        if methods is not None:
            body['aggregation_methods'] = list(methods)
        self.gnocchi('POST', '/v1/archive_policy', body, status=201)

    def create_resource(self, resource_id, project_id, user_id,
                        metrics=('cpu_util',), policy='medium',
                        resource_type='generic', unit='%', **attributes):
        body = dict(attributes, id=resource_id, project_id=project_id,
                    user_id=user_id, metrics={
                        name: {'archive_policy_name': policy, 'unit': unit}
                        for name in metrics})
        return self.gnocchi('POST', '/v1/resource/%s' % resource_type, body,
                            status=201)

    def post_measures(self, measures):
        """{resource id: {metric: [(datetime or ISO text, value), ...]}}."""
        body = {rid: {metric: [{'timestamp': _iso(t), 'value': v}
                               for t, v in points]
                      for metric, points in by_metric.items()}
                for rid, by_metric in measures.items()}
        self.gnocchi('POST', '/v1/batch/resources/metrics/measures', body,
                     status=202)

    def wait_for_processing(self, timeout=60):
        """Until metricd has aggregated every measure posted so far."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.gnocchi('GET', '/v1/status', details='false')
            if status['storage']['summary']['measures'] == 0:
                return
            if time.monotonic() > deadline:
                raise RuntimeError('metricd backlog %s: %s'
                                   % (status, self.logs()))
            time.sleep(0.2)

    def reset(self):
        """Delete every resource (their metrics go with them) and alarm."""
        self.gnocchi('DELETE', '/v1/resource/generic',
                     {'like': {'original_resource_id': '%'}}, status=200)
        for alarm in self.aodh('GET', '/v2/alarms', params=[
                ('q.field', 'all_projects'), ('q.op', 'eq'),
                ('q.value', 'true')]) or []:
            self.aodh('DELETE', '/v2/alarms/%s' % alarm['alarm_id'])


def _iso(moment):
    return moment if isinstance(moment, str) else moment.isoformat()


def dumps(value):
    return json.dumps(value, sort_keys=True)
