"""A private RabbitMQ node for functional tests and benchmarks.

Each :class:`RabbitMQ` is its own Erlang node (own name, AMQP port,
distribution port, data and log directories, no plugins), so tests can run
two brokers side by side, stop and restart one, and never touch a system
broker. ``rabbitmq-server`` comes from Debian (``.ci/run`` installs it).
Set CEILOMETER_PROXY_TEST_RABBIT_URL to use an existing broker instead.
"""

import os
import shutil
import subprocess
import tempfile
import time
import uuid

from tests import services

SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server'
CTL = '/usr/lib/rabbitmq/bin/rabbitmqctl'


def available():
    return os.path.exists(SERVER) or bool(external_url())


def external_url():
    return os.environ.get('CEILOMETER_PROXY_TEST_RABBIT_URL')


class RabbitMQ(object):
    """One RabbitMQ node on free loopback ports; ``url`` is its transport."""

    def __init__(self, port=None):
        self.base = tempfile.mkdtemp(prefix='rabbitmq-')
        self.port = port or services.free_port()
        self.dist_port = services.free_port()
        self.node = 'cpt%s@localhost' % uuid.uuid4().hex[:8]
        self.log_path = os.path.join(self.base, 'server.log')

    @property
    def url(self):
        return 'rabbit://guest:guest@127.0.0.1:%d/' % self.port

    def _env(self):
        env = dict(os.environ)
        plugins = os.path.join(self.base, 'enabled_plugins')
        if not os.path.exists(plugins):
            with open(plugins, 'w') as f:
                f.write('[].\n')
        env.update({
            'RABBITMQ_NODENAME': self.node,
            'RABBITMQ_NODE_IP_ADDRESS': '127.0.0.1',
            'RABBITMQ_NODE_PORT': str(self.port),
            'RABBITMQ_DIST_PORT': str(self.dist_port),
            'RABBITMQ_MNESIA_BASE': os.path.join(self.base, 'mnesia'),
            'RABBITMQ_LOG_BASE': os.path.join(self.base, 'log'),
            'RABBITMQ_PID_FILE': os.path.join(self.base, 'node.pid'),
            'RABBITMQ_ENABLED_PLUGINS_FILE': plugins,
            'RABBITMQ_CONFIG_FILE': os.path.join(self.base, 'rabbitmq'),
            # guest may log in from 127.0.0.1 only: fine, we listen there.
        })
        return env

    def ctl(self, *args, timeout=60, check=True):
        return subprocess.run([CTL, '-n', self.node] + list(args),
                              env=self._env(), capture_output=True,
                              text=True, timeout=timeout, check=check)

    def start(self, timeout=90):
        with open(self.log_path, 'ab') as log:
            subprocess.run([SERVER, '-detached'], env=self._env(),
                           stdout=log, stderr=log, check=True)
        deadline = time.monotonic() + timeout
        while True:
            res = self.ctl('await_startup', timeout=timeout, check=False)
            if res.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError('RabbitMQ %s did not start: %s\n%s' % (
                    self.node, res.stderr, services._tail(self.log_path)))
            time.sleep(0.5)
        services.wait_for_port(self.port, timeout=timeout)
        return self

    def stop(self):
        self.ctl('stop', check=False, timeout=60)

    def restart(self):
        """Stop the node and start it again on the same ports and data."""
        self.stop()
        self.start()

    def queue_depths(self):
        """{queue name: messages ready + unacknowledged}."""
        out = self.ctl('list_queues', '-q', 'name', 'messages').stdout
        depths = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                depths[parts[0]] = int(parts[1])
        return depths

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)
