"""Real services for functional tests and benchmarks.

FerretDB (built by tools/build-ferretdb.sh) is started on a free loopback
port; API servers are started as real processes with their own config file.
Set CEILOMETER_PROXY_TEST_MONGODB_URL (e.g. ``mongodb://127.0.0.1:27017``) to
run against a real MongoDB instead of FerretDB.
"""

import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import pymongo
import requests

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PASTE = os.path.join(REPO, 'etc', 'ceilometer-proxy', 'api_paste.ini')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout=60.0, proc=None, log_path=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(('127.0.0.1', port)) == 0:
                return
        if proc is not None and proc.poll() is not None:
            raise RuntimeError('process exited with %s: %s'
                               % (proc.returncode, _tail(log_path)))
        time.sleep(0.05)
    raise RuntimeError('port %d not open after %ss: %s'
                       % (port, timeout, _tail(log_path)))


def _tail(path, size=3000):
    if not path or not os.path.exists(path):
        return ''
    with open(path, 'rb') as f:
        f.seek(0, os.SEEK_END)
        f.seek(max(0, f.tell() - size))
        return f.read().decode('utf-8', 'replace')


def stop_process(proc, grace=10):
    """Terminate a child process, killing it if it lingers."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class FerretDB(object):
    """A FerretDB process with its own data directory (``binary``: the
    one tools/build-ferretdb.sh builds, unless another is given)."""

    def __init__(self, data_dir=None, port=None, binary=None):
        self.binary = binary
        self.own_dir = data_dir is None
        self.data_dir = data_dir or tempfile.mkdtemp(prefix='ferretdb-')
        self.port = port or free_port()
        self.proc = None
        self.log_path = os.path.join(self.data_dir, 'ferretdb.log')

    @property
    def url(self):
        return 'mongodb://127.0.0.1:%d' % self.port

    def start(self):
        binary = self.binary or subprocess.check_output(
            [os.path.join(REPO, 'tools', 'build-ferretdb.sh')],
            text=True).strip()
        log = open(self.log_path, 'ab')
        self.proc = subprocess.Popen(
            [binary, '-listen-addr', '127.0.0.1:%d' % self.port,
             '-data-dir', os.path.join(self.data_dir, 'data')],
            stdout=log, stderr=log)
        wait_for_port(self.port, proc=self.proc, log_path=self.log_path)
        return self

    def stop(self):
        stop_process(self.proc)
        self.proc = None

    def cleanup(self):
        self.stop()
        if self.own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def mongodb_base_url():
    """The URL of an external MongoDB to test against, if configured."""
    return os.environ.get('CEILOMETER_PROXY_TEST_MONGODB_URL')


def write_config(path, sections):
    with open(path, 'w') as f:
        for section, values in sections.items():
            f.write('[%s]\n' % section)
            for key, value in values.items():
                f.write('%s = %s\n' % (key, value))
            f.write('\n')


class ApiServer(object):
    """A ceilometer-proxy-api process on a free port.

    :param db_url: the MongoDB-wire URL including the database name.
    :param extra: {section: {option: value}} added to its config file.
    """

    def __init__(self, db_url, extra=None, auth_mode='noauth', args=()):
        self.db_url = db_url
        self.extra = extra or {}
        self.args = list(args)
        self.auth_mode = auth_mode
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix='ceilometer-proxy-api-')
        self.conf_path = os.path.join(self.dir, 'ceilometer-proxy.conf')
        self.log_path = os.path.join(self.dir, 'api.log')
        self.proc = None

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def config_sections(self):
        sections = {
            'DEFAULT': {'log_file': self.log_path},
            # One worker unless a test asks for more: tests count the
            # calls of one process's caches and pools.
            'api': {'host': '127.0.0.1', 'port': self.port,
                    'auth_mode': self.auth_mode, 'paste_config': PASTE,
                    'workers': 1, 'graceful_timeout': 5},
            'database': {'connection': self.db_url, 'max_retries': 3,
                         'retry_interval': 0.5},
        }
        for section, values in self.extra.items():
            sections.setdefault(section, {}).update(values)
        return sections

    def in_process_config(self, path):
        """Write this server's configuration for use in the test process
        (the same store and settings, logging left to the test: oslo.log
        would otherwise log into this server's directory, which goes away
        with it); returns the path."""
        sections = self.config_sections()
        sections['DEFAULT'].pop('log_file', None)
        write_config(path, sections)
        return path

    def start(self, timeout=60):
        write_config(self.conf_path, self.config_sections())
        out = open(os.path.join(self.dir, 'stderr.log'), 'ab')
        # A session of its own: kill() reaches gunicorn's workers too.
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'ceilometer_proxy.cmd.api',
             '--config-file', self.conf_path] + self.args,
            stdout=out, stderr=out, cwd=REPO, start_new_session=True)
        wait_for_port(self.port, timeout=timeout, proc=self.proc,
                      log_path=os.path.join(self.dir, 'stderr.log'))
        return self

    def stop(self):
        """Stop the master and its workers at once. A graceful gunicorn
        stop takes a second or more (its workers poll once a second), and
        the suite stops hundreds of servers; what the store holds is the
        same either way."""
        self.kill()

    def kill(self):
        """SIGKILL the master and its workers at once (a crash)."""
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
            # The workers must have let the port go too: one still dying
            # holds the listening socket, and a restart on the same port
            # would be answered by it.
            deadline = time.monotonic() + 10
            while not port_is_free(self.port) and (
                    time.monotonic() < deadline):
                time.sleep(0.01)
            self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self):
        return _tail(self.log_path, 20000)


def port_is_free(port):
    """Whether a server could listen on the loopback port now (with
    SO_REUSEADDR, as servers do)."""
    sock = socket.socket()
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(('127.0.0.1', port))
        return True
    except OSError:
        return False
    finally:
        sock.close()


def run_command(program, conf_path, *args, timeout=300):
    """Run one of this project's console scripts on a config file;
    (exit code, stdout, the last line of stdout or the tail of stderr)."""
    out = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), program),
         '--config-file', conf_path] + list(args),
        capture_output=True, text=True, timeout=timeout)
    lines = out.stdout.strip().splitlines()
    return (out.returncode, out.stdout,
            lines[-1] if lines else out.stderr[-2000:])


def unique_db_name(prefix='test'):
    return '%s_%s' % (prefix, uuid.uuid4().hex[:12])


def db_url(base, name):
    return '%s/%s' % (base.rstrip('/'), name)


def drop_database(base, name):
    """Drop database ``name`` of the MongoDB-wire server at ``base`` (a
    test's teardown)."""
    client = mongo_client(base)
    try:
        client.drop_database(name)
    finally:
        client.close()


def mongo_client(base):
    return pymongo.MongoClient(base, tz_aware=False,
                               serverSelectionTimeoutMS=5000)


class Client(object):
    """Small HTTP helper in the shape of Ceilometer's API tests.

    ``q`` is a list of {'field', 'op', 'value', 'type'} dicts and is sent
    as the parallel q.field/q.op/q.value/q.type parameters.
    """

    def __init__(self, base_url, headers=None):
        self.base_url = base_url.rstrip('/')
        self.session = requests.Session()
        self.headers = headers or {}

    @staticmethod
    def _params(q=None, **params):
        out = []
        for item in q or []:
            for key in ('field', 'op', 'value', 'type'):
                if key in item:
                    out.append(('q.%s' % key, item[key]))
        for key, value in params.items():
            if value is None:
                continue
            if isinstance(value, (list, tuple)):
                out.extend((key, v) for v in value)
            else:
                out.append((key, value))
        return out

    def request(self, method, path, q=None, body=None, headers=None,
                status=None, **params):
        all_headers = dict(self.headers)
        all_headers.update(headers or {})
        data = None
        if body is not None:
            data = json.dumps(body)
            all_headers.setdefault('Content-Type', 'application/json')
        resp = self.session.request(
            method, self.base_url + path, params=self._params(q, **params),
            data=data, headers=all_headers, timeout=60)
        if status is not None and resp.status_code != status:
            raise AssertionError('%s %s -> %s (expected %s): %s'
                                 % (method, path, resp.status_code, status,
                                    resp.text[:2000]))
        return resp

    def get(self, path, **kwargs):
        return self.request('GET', path, **kwargs)

    def post(self, path, body, **kwargs):
        return self.request('POST', path, body=body, **kwargs)

    def put(self, path, body, **kwargs):
        return self.request('PUT', path, body=body, **kwargs)

    def delete(self, path, **kwargs):
        return self.request('DELETE', path, **kwargs)

    def get_json(self, path, status=200, **kwargs):
        return self.get(path, status=status, **kwargs).json()

    def post_json(self, path, body, status=201, **kwargs):
        return self.post(path, body, status=status, **kwargs).json()


def make_message(counter_name, counter_volume, resource_id, timestamp,
                 counter_type='gauge', counter_unit='instance',
                 user_id='user-id', project_id='project-id',
                 source='test_source', resource_metadata=None,
                 message_id=None):
    """A metering message as stored by storage drivers (for seeding).

    ``timestamp`` may be a datetime or ISO text; message_id defaults to a
    fresh UUID.
    """
    if isinstance(timestamp, str):
        timestamp = datetime.datetime.fromisoformat(timestamp)
    return {'counter_name': counter_name,
            'counter_type': counter_type,
            'counter_unit': counter_unit,
            'counter_volume': counter_volume,
            'user_id': user_id,
            'project_id': project_id,
            'resource_id': resource_id,
            'timestamp': timestamp,
            'resource_metadata': resource_metadata or {},
            'source': source,
            'message_id': message_id or str(uuid.uuid4()),
            'message_signature': ''}


class RecordingApp(object):
    """A WSGI application that answers 204 and counts the requests that
    reach it: put behind a middleware, it tells which requests the
    middleware answered itself."""

    def __init__(self):
        self.seen = 0

    def __call__(self, environ, start_response):
        self.seen += 1
        start_response('204 No Content', [])
        return [b'']


def record_events(db_url, events):
    """Store models.Event through the event driver on ``db_url`` (seeding
    an API server's database); every one must be new."""
    from ceilometer_proxy.event import storage as event_storage
    from ceilometer_proxy import service

    conf = service.prepare_service([], config_files=[])
    conn = event_storage.get_connection_from_config(conf, db_url)
    try:
        conn.upgrade()
        assert conn.record_events(events) == len(events)
    finally:
        conn.close()
