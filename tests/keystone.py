"""A real Keystone for functional tests.

Keystone 30.0.0 (virtualenv from ``tools/build-peer-venv.sh keystone``)
runs on SQLite in a temporary directory and is served by gunicorn on a free
loopback port. After ``keystone-manage bootstrap`` the fixture creates,
through the v3 API, what the cascading tests need: regions ``RegionOne`` and
``RegionTwo``, a ``metering`` service with public, internal and admin
endpoints in each region, and these identities (all in the Default domain):

- ``admin`` (from bootstrap), admin of project ``admin``;
- ``member-p1`` / ``member-p2``, role ``member`` in projects ``p1`` / ``p2``;
- ``ceilometer``, role ``admin`` in project ``service`` (the account of
  ``[service_credentials]`` and of keystonemiddleware).

Keystone 30 ships no WSGI script and its config parser reads the process's
command line, so the gunicorn application module resets ``sys.argv`` before
building the application.
"""

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
REGIONS = ('RegionOne', 'RegionTwo')
INTERFACES = ('public', 'internal', 'admin')
SERVICE_TYPE = 'metering'
ADMIN_PASSWORD = 'admin-secret'
PASSWORD = 'secret'
DOMAIN = 'Default'

WSGI_MODULE = '''\
import sys

sys.argv = sys.argv[:1]

from keystone.server import wsgi  # noqa: E402

application = wsgi.initialize_public_application()
'''

# keystone-manage takes ~4 s to start: run its set-up commands in one process.
MANAGE_MODULE = '''\
import json
import sys

from keystone.cmd import cli

for step in json.loads(sys.argv[1]):
    cli.CONF.reset()
    cli.main(argv=['keystone-manage'] + step)
'''


def peer_venv():
    """Path of the cached Keystone virtualenv (built on first use)."""
    out = subprocess.run([BUILD_SCRIPT, 'keystone'], check=True,
                         timeout=900, stdout=subprocess.PIPE,
                         text=True).stdout
    return out.strip().splitlines()[-1]


class Keystone(object):
    """A bootstrapped Keystone process and an admin API client on it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='keystone-')
        self.port = services.free_port()
        self.venv = None
        self.proc = None
        self.conf_path = os.path.join(self.dir, 'keystone.conf')
        self.log_path = os.path.join(self.dir, 'keystone.log')
        self.http = requests.Session()
        self.users = {}
        self.projects = {}
        self.endpoints = {}

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    @property
    def auth_url(self):
        return self.url + '/v3'

    # -- process ------------------------------------------------------------

    def start(self):
        self.venv = peer_venv()
        self._write_config()
        self._manage([['db_sync'],
                      ['fernet_setup'] + self._owner(),
                      ['credential_setup'] + self._owner(),
                      self._bootstrap_args()])
        self._serve()
        self._populate()
        return self

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            # SIGINT is gunicorn's quick shutdown (SIGTERM waits for
            # workers to finish for up to the graceful timeout).
            self.proc.send_signal(signal.SIGINT)
        services.stop_process(self.proc)
        self.proc = None
        self.http.close()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self):
        return services._tail(self.log_path, 20000)

    def _write_config(self):
        services.write_config(self.conf_path, {
            'DEFAULT': {'log_file': self.log_path},
            'database': {'connection': 'sqlite:///%s' % os.path.join(
                self.dir, 'keystone.db')},
            'fernet_tokens': {'key_repository': self._subdir('fernet')},
            'fernet_receipts': {'key_repository': self._subdir('receipts')},
            'credential': {'key_repository': self._subdir('credential')},
            'token': {'expiration': 7200},
            # The default bcrypt cost makes every password check ~0.3 s.
            'identity': {'password_hash_rounds': 4},
            'cache': {'enabled': 'true', 'backend': 'dogpile.cache.memory'},
            'oslo_policy': {'enforce_new_defaults': True,
                            'enforce_scope': True},
        })
        with open(os.path.join(self.dir, 'keystone_wsgi.py'), 'w') as f:
            f.write(WSGI_MODULE)

    def _subdir(self, name):
        path = os.path.join(self.dir, name)
        os.makedirs(path, exist_ok=True)
        return path

    @staticmethod
    def _owner():
        import grp
        import pwd

        return ['--keystone-user', pwd.getpwuid(os.getuid()).pw_name,
                '--keystone-group', grp.getgrgid(os.getgid()).gr_name]

    def _bootstrap_args(self):
        url = self.auth_url + '/'
        return ['bootstrap', '--bootstrap-password', ADMIN_PASSWORD,
                '--bootstrap-admin-url', url,
                '--bootstrap-internal-url', url,
                '--bootstrap-public-url', url,
                '--bootstrap-region-id', REGIONS[0]]

    def _env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(('OS_', 'PYTHON'))}
        env['OS_KEYSTONE_CONFIG_FILES'] = self.conf_path
        env['PYTHONWARNINGS'] = 'ignore'
        return env

    def _manage(self, steps):
        """Run keystone-manage commands (lists of arguments) in order."""
        steps = [['--config-file', self.conf_path] + step for step in steps]
        proc = subprocess.run(
            [os.path.join(self.venv, 'bin', 'python'), '-c', MANAGE_MODULE,
             json.dumps(steps)],
            env=self._env(), timeout=300, cwd=self.dir,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            raise RuntimeError('keystone-manage failed: %s\n%s'
                               % (proc.stdout[-3000:], self.log()))

    def _serve(self):
        out = open(os.path.join(self.dir, 'gunicorn.log'), 'ab')
        self.proc = subprocess.Popen(
            [os.path.join(self.venv, 'bin', 'gunicorn'),
             '--no-control-socket', '--chdir', self.dir,
             '--bind', '127.0.0.1:%d' % self.port,
             '--workers', '1', '--threads', '8', '--timeout', '120',
             'keystone_wsgi:application'],
            env=self._env(), cwd=self.dir, stdout=out, stderr=out)
        services.wait_for_port(self.port, timeout=120, proc=self.proc,
                               log_path=os.path.join(self.dir,
                                                     'gunicorn.log'))
        self._wait_for_api()

    def _wait_for_api(self, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self.http.get(self.auth_url + '/',
                                 timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError('keystone did not answer on %s: %s'
                                   % (self.auth_url, self.log()))
            time.sleep(0.1)

    # -- tokens ---------------------------------------------------------------

    def token(self, username, password=PASSWORD, project=None):
        """A project-scoped token of a user (admin: ``admin`` project)."""
        if project is None:
            project = 'admin' if username == 'admin' else None
        body = {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': username, 'domain': {'name': DOMAIN},
                'password': password}}},
            'scope': {'project': {'name': project,
                                  'domain': {'name': DOMAIN}}}}}
        resp = self.http.post(self.auth_url + '/auth/tokens', json=body,
                              timeout=30)
        if resp.status_code != 201:
            raise RuntimeError('token for %s: %s %s'
                               % (username, resp.status_code, resp.text))
        return resp.headers['X-Subject-Token']

    def admin_token(self):
        return self.token('admin', ADMIN_PASSWORD, 'admin')

    def member_token(self, project):
        """Token of the member user of project ``p1`` or ``p2``."""
        return self.token('member-%s' % project, project=project)

    def service_token(self):
        return self.token('ceilometer', project='service')

    # -- v3 admin calls -------------------------------------------------------

    def _call(self, method, path, body=None, expect=(200, 201, 204)):
        resp = self.http.request(
            method, self.auth_url + path, json=body, timeout=30,
            headers={'X-Auth-Token': self._admin})
        if resp.status_code not in expect:
            raise RuntimeError('%s %s: %s %s' % (method, path,
                                                 resp.status_code, resp.text))
        return resp.json() if resp.content else None

    def _id_of(self, collection, name):
        found = self._call('GET', '/%s?name=%s' % (collection, name))
        return found[collection][0]['id']

    def _populate(self):
        self._admin = self.admin_token()
        for region in REGIONS[1:]:
            self.create_region(region)
        service = self._call('POST', '/services', {'service': {
            'type': SERVICE_TYPE, 'name': 'ceilometer',
            'enabled': True}})['service']
        self.service_id = service['id']
        for region in REGIONS:
            for interface in INTERFACES:
                self.add_endpoint(region, interface,
                                  'http://127.0.0.1:1/%s' % region.lower())
        roles = {name: self._id_of('roles', name)
                 for name in ('admin', 'member')}
        self.projects['admin'] = self._id_of('projects', 'admin')
        for project, user, role in (('p1', 'member-p1', 'member'),
                                    ('p2', 'member-p2', 'member'),
                                    ('service', 'ceilometer', 'admin')):
            self._create_identity(project, user, roles[role])
        self.users['admin'] = self._id_of('users', 'admin')

    def _create_identity(self, project, user, role_id):
        project_id = self._call('POST', '/projects', {'project': {
            'name': project, 'domain_id': 'default'}})['project']['id']
        user_id = self._call('POST', '/users', {'user': {
            'name': user, 'domain_id': 'default',
            'password': PASSWORD}})['user']['id']
        self._call('PUT', '/projects/%s/users/%s/roles/%s'
                   % (project_id, user_id, role_id))
        self.projects[project] = project_id
        self.users[user] = user_id

    # -- catalog --------------------------------------------------------------

    def create_region(self, region):
        self._call('POST', '/regions', {'region': {'id': region}})

    def delete_region(self, region):
        self._call('DELETE', '/regions/%s' % region)

    def delete_endpoint(self, endpoint_id):
        self._call('DELETE', '/endpoints/%s' % endpoint_id)
        for key, value in list(self.endpoints.items()):
            if value == endpoint_id:
                del self.endpoints[key]

    def add_endpoint(self, region, interface, url, service_id=None):
        endpoint = self._call('POST', '/endpoints', {'endpoint': {
            'service_id': service_id or self.service_id, 'region_id': region,
            'interface': interface, 'url': url}})['endpoint']
        if service_id is None:
            self.endpoints[(region, interface)] = endpoint['id']
        return endpoint['id']

    def add_service(self, service_type, name):
        """A catalog service of another type (``metric``, ``alarming``);
        its id."""
        return self._call('POST', '/services', {'service': {
            'type': service_type, 'name': name,
            'enabled': True}})['service']['id']

    def delete_service(self, service_id):
        """Delete a service added by add_service (its endpoints too)."""
        self._call('DELETE', '/services/%s' % service_id)

    def set_endpoint(self, region, url, interfaces=INTERFACES):
        """Point the metering endpoints of a region at ``url``."""
        for interface in interfaces:
            self._call('PATCH', '/endpoints/%s'
                       % self.endpoints[(region, interface)],
                       {'endpoint': {'url': url}})

    def set_region_urls(self, urls):
        """{region: url} for every interface of each region."""
        for region, url in urls.items():
            self.set_endpoint(region, url)

    # -- configuration of our services ----------------------------------------

    def authtoken_section(self):
        """[keystone_authtoken] for keystonemiddleware in front of an API."""
        return {'www_authenticate_uri': self.auth_url,
                'auth_url': self.auth_url,
                'auth_type': 'password',
                'username': 'ceilometer', 'password': PASSWORD,
                'project_name': 'service',
                'user_domain_name': DOMAIN,
                'project_domain_name': DOMAIN,
                'region_name': REGIONS[0],
                'interface': 'public'}

    def service_credentials_section(self):
        """[service_credentials] of the cascading level."""
        return {'auth_type': 'password', 'auth_url': self.auth_url,
                'username': 'ceilometer', 'password': PASSWORD,
                'project_name': 'service',
                'user_domain_name': DOMAIN,
                'project_domain_name': DOMAIN,
                'region_name': REGIONS[0],
                'interface': 'public'}
