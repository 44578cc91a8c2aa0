"""A private PostgreSQL cluster for the Gnocchi and Aodh peers of tests.

The server binaries come from Debian's ``postgresql`` package (installed
by .ci/run). ``initdb -A trust`` in a temporary directory, a free loopback
port and a socket directory of its own: nothing is shared with a system
cluster. PostgreSQL refuses to run as root, so under root the cluster is
owned and run by the package's ``postgres`` user.
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile

from tests import services

USER = 'postgres'


def bin_dir():
    """The newest installed PostgreSQL server's bin directory."""
    found = sorted(glob.glob('/usr/lib/postgresql/*/bin/initdb'),
                   key=lambda p: int(p.split('/')[4]))
    if not found:
        raise RuntimeError('PostgreSQL is not installed (apt-get install '
                           'postgresql; .ci/run does it)')
    return os.path.dirname(found[-1])


class PostgreSQL(object):
    """A started cluster; ``url(db)`` gives a SQLAlchemy URL of a database
    created with ``create_database``."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='postgres-')
        self.data = os.path.join(self.dir, 'data')
        self.port = services.free_port()
        self.log_path = os.path.join(self.dir, 'postgres.log')
        self.bin = bin_dir()
        self.as_root = os.getuid() == 0

    def _run(self, *args, check=True):
        command = [os.path.join(self.bin, args[0])] + list(args[1:])
        if self.as_root:
            command = ['runuser', '-u', USER, '--'] + command
        proc = subprocess.run(command, timeout=120, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
        if check and proc.returncode != 0:
            raise RuntimeError('%s exited %s: %s %s' % (
                args[0], proc.returncode, proc.stdout[-2000:],
                services._tail(self.log_path)))
        return proc

    def start(self):
        if self.as_root:
            owner = pwd.getpwnam(USER)
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
        self._run('initdb', '-A', 'trust', '-U', USER, '-D', self.data,
                  '-E', 'UTF8', '--no-sync')
        options = ('-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off '
                   '-c synchronous_commit=off -c full_page_writes=off '
                   '-c max_connections=200' % (self.port, self.dir))
        proc = self._run('pg_ctl', '-D', self.data, '-o', options, '-l',
                         self.log_path, '-w', '-t', '60', 'start',
                         check=False)
        if proc.returncode != 0:
            raise RuntimeError('PostgreSQL did not start: %s %s'
                               % (proc.stdout, services._tail(
                                   self.log_path)))
        return self

    def create_database(self, name):
        self._run('createdb', '-h', '127.0.0.1', '-p', str(self.port),
                  '-U', USER, name)
        return self.url(name)

    def url(self, name, driver=''):
        scheme = 'postgresql' + ('+' + driver if driver else '')
        return '%s://%s@127.0.0.1:%d/%s' % (scheme, USER, self.port, name)

    def stop(self):
        if os.path.exists(os.path.join(self.data, 'postmaster.pid')):
            self._run('pg_ctl', '-D', self.data, '-m', 'immediate', '-w',
                      'stop', check=False)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
