"""Real Ceilometer 27 agents for functional tests and benchmarks.

:class:`CeilometerAgents` writes ``ceilometer.conf``, ``polling.yaml`` and
``pipeline.yaml`` into a directory of its own and runs ``ceilometer-polling``
and ``ceilometer-agent-notification`` from the peer virtualenv that
``tools/build-peer-venv.sh ceilometer`` builds (cached; this repository is
installed in it, so its entry points load our pollsters from the working
tree). The polling agent sends what it polls over the transport to the
notification agent, whose pipeline sink publishes to the given publisher
URLs (``file_publisher(path)`` for a JSON-lines file, ``notifier://`` for
the metering topic, ...).
"""

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import yaml

from tests import services

BUILD_VENV = os.path.join(services.REPO, 'tools', 'build-peer-venv.sh')


def venv_path():
    """The ceilometer 27 virtualenv (built on first use)."""
    return subprocess.check_output([BUILD_VENV, 'ceilometer'],
                                   text=True).strip()


def file_publisher(path):
    """A publisher URL writing one JSON sample per line to ``path``."""
    return 'file://%s?json' % path


def read_published(path):
    """The samples a ``file_publisher`` wrote so far (dicts, in order)."""
    if not os.path.exists(path):
        return []
    samples = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line:
                samples.append(json.loads(line))
    return samples


class CeilometerAgents(object):
    """A polling agent and a notification agent on one transport.

    :param transport_url: oslo.messaging URL shared by both agents.
    :param pollsters: meter (entry point) names polled by the polling agent.
    :param interval: polling interval in seconds.
    :param publishers: publisher URLs of the notification agent's sink.
    :param conf: extra {section: {option: value}} for ceilometer.conf.
    :param namespaces: polling namespaces of ``ceilometer-polling``.
    :param meters: meters the notification pipeline's source accepts.
    """

    def __init__(self, transport_url, pollsters=(), interval=2,
                 publishers=(), conf=None, namespaces=('central',),
                 meters=('*',)):
        self.transport_url = transport_url
        self.pollsters = list(pollsters)
        self.interval = interval
        self.publishers = list(publishers)
        self.extra = conf or {}
        self.namespaces = list(namespaces)
        self.meters = list(meters)
        self.dir = tempfile.mkdtemp(prefix='ceilometer-agents-')
        self.conf_path = os.path.join(self.dir, 'ceilometer.conf')
        self.polling_log = os.path.join(self.dir, 'polling.log')
        self.notification_log = os.path.join(self.dir, 'notification.log')
        self.venv = None
        self.procs = {}

    def config_sections(self):
        sections = {
            'DEFAULT': {'transport_url': self.transport_url,
                        'pipeline_cfg_file': self._path('pipeline.yaml'),
                        'debug': 'false'},
            'polling': {'cfg_file': self._path('polling.yaml')},
            'notification': {'pipelines': 'meter', 'workers': 1},
            'oslo_concurrency': {'lock_path': self._path('locks')},
        }
        for section, values in self.extra.items():
            sections.setdefault(section, {}).update(values)
        return sections

    def _path(self, name):
        return os.path.join(self.dir, name)

    def write_config(self):
        services.write_config(self.conf_path, self.config_sections())
        polling = {'sources': [{'name': 'polling_source',
                                'interval': self.interval,
                                'meters': self.pollsters}]}
        pipeline = {'sources': [{'name': 'meter_source',
                                 'meters': self.meters,
                                 'sinks': ['meter_sink']}],
                    'sinks': [{'name': 'meter_sink',
                               'publishers': self.publishers}]}
        for name, content in (('polling.yaml', polling),
                              ('pipeline.yaml', pipeline)):
            with open(self._path(name), 'w') as f:
                yaml.safe_dump(content, f)

    def _start(self, name, args, log_path):
        if self.venv is None:
            self.venv = venv_path()
            self.write_config()
        out = open(log_path + '.stderr', 'ab')
        self.procs[name] = subprocess.Popen(
            [os.path.join(self.venv, 'bin', name),
             '--config-file', self.conf_path, '--log-file', log_path] + args,
            stdout=out, stderr=out, cwd=self.dir, start_new_session=True)
        return self.procs[name]

    def start_notification(self):
        self._start('ceilometer-agent-notification', [],
                    self.notification_log)
        return self

    def start_polling(self):
        self._start('ceilometer-polling',
                    ['--polling-namespaces'] + self.namespaces,
                    self.polling_log)
        return self

    def start(self):
        """Both agents, the notification agent first."""
        return self.start_notification().start_polling()

    def check_running(self):
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError('%s exited with %s: %s' % (
                    name, proc.returncode, self.log(name)))

    def wait_for_log(self, name, text, timeout=60):
        """Wait until ``text`` appears in an agent's log (its name)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.log(name, size=None):
                return
            self.check_running()
            time.sleep(0.2)
        raise AssertionError('%r not in the %s log after %ss:\n%s' % (
            text, name, timeout, self.log(name)))

    def log(self, name, size=20000):
        path = (self.polling_log if name == 'ceilometer-polling'
                else self.notification_log)
        if size is None:
            if not os.path.exists(path):
                return ''
            with open(path, encoding='utf-8', errors='replace') as f:
                return f.read()
        return (services._tail(path, size)
                + services._tail(path + '.stderr', size))

    def stop_polling(self):
        """Stop the polling agent only (e.g. to restart it reconfigured)."""
        self._stop('ceilometer-polling')

    def stop(self):
        # Polling first, so that nothing is sent to a stopped consumer.
        for name in ('ceilometer-polling', 'ceilometer-agent-notification'):
            self._stop(name)

    def _stop(self, name):
        proc = self.procs.pop(name, None)
        if proc is None:
            return
        services.stop_process(proc, grace=15)
        # cotyledon's workers are in the session the agent leads.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
