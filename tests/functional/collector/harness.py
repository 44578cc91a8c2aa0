"""A ceilometer-proxy-collector process and producers for its tests.

The collector runs as a real process with its own config file; its
counters are read from its stats file. Producers publish through
oslo.messaging exactly as Ceilometer's ``notifier://`` publisher does
(messagingv2 driver, ``sample`` priority, event type ``metering``).
"""

import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

from oslo_config import cfg
import oslo_messaging

from ceilometer_proxy import signing
from tests import services

SECRET = 'collector-test-secret'


def wait_until(predicate, timeout=60.0, interval=0.1, what='condition'):
    """Poll predicate() until it returns something true; return it."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('%s not reached after %ss' % (what, timeout))
        time.sleep(interval)


class Collector(object):
    """A collector process.

    :param db_url: MongoDB-wire URL with the database name.
    :param urls: transport URLs to collect from.
    :param extra: {section: {option: value}} merged into its config.
    """

    def __init__(self, db_url, urls, extra=None, udp_port=None):
        self.db_url = db_url
        self.urls = list(urls)
        self.extra = extra or {}
        self.udp_port = udp_port
        self.dir = tempfile.mkdtemp(prefix='ceilometer-proxy-collector-')
        self.conf_path = os.path.join(self.dir, 'collector.conf')
        self.log_path = os.path.join(self.dir, 'collector.log')
        self.stderr_path = os.path.join(self.dir, 'stderr.log')
        self.stats_path = os.path.join(self.dir, 'stats.json')
        self.proc = None

    def _config_text(self):
        sections = {
            'DEFAULT': {'log_file': self.log_path, 'debug': 'false'},
            'collector': {'batch_size': 100, 'batch_timeout': 0.2,
                          'stats_interval': 0.2,
                          'stats_file': self.stats_path,
                          'retry_backoff': 0.2, 'max_retry_backoff': 2,
                          'udp_address': '127.0.0.1' if self.udp_port
                          else ''},
            'database': {'connection': self.db_url, 'max_retries': 20,
                         'retry_interval': 0.5, 'server_timeout': 2},
            'publisher': {'telemetry_secret': SECRET},
            'oslo_messaging_rabbit': {'amqp_durable_queues': 'true'},
        }
        if self.udp_port:
            sections['collector']['udp_port'] = self.udp_port
        for section, values in self.extra.items():
            sections.setdefault(section, {}).update(values)
        lines = []
        for section, values in sections.items():
            lines.append('[%s]' % section)
            lines.extend('%s = %s' % item for item in values.items())
            if section == 'collector':
                lines.extend('messaging_urls = %s' % url
                             for url in self.urls)
            lines.append('')
        return '\n'.join(lines)

    def start(self, timeout=60):
        with open(self.conf_path, 'w') as f:
            f.write(self._config_text())
        out = open(self.stderr_path, 'ab')
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'ceilometer_proxy.cmd.collector',
             '--config-file', self.conf_path],
            stdout=out, stderr=out, cwd=services.REPO)
        wait_until(lambda: self._running(), timeout=timeout,
                   what='collector start-up')
        return self

    def _running(self):
        if self.proc.poll() is not None:
            raise RuntimeError('collector exited with %s: %s' % (
                self.proc.returncode, services._tail(self.stderr_path)))
        with open(self.stderr_path, 'rb') as f:
            return b'ceilometer-proxy-collector running' in f.read()

    def stats(self):
        try:
            with open(self.stats_path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return {}

    def wait_for_stats(self, predicate, timeout=60, what='counters'):
        try:
            return wait_until(lambda: predicate(self.stats()) and
                              self.stats(), timeout=timeout, what=what)
        except AssertionError:
            raise AssertionError('%s; counters %s; log:\n%s' % (
                what, self.stats(), self.log()))

    def terminate(self, timeout=60):
        """SIGTERM, and the exit status once it has stopped."""
        self.proc.terminate()
        return self.proc.wait(timeout)

    def stop(self):
        services.stop_process(self.proc, grace=30)
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self):
        return services._tail(self.log_path, 20000)


class Producer(object):
    """Sends metering notifications as Ceilometer's notifier:// does."""

    def __init__(self, url, publisher_id='telemetry.publisher.test-host',
                 topic='metering', exchange='ceilometer', durable=True):
        self.conf = cfg.ConfigOpts()
        self.conf([], project='collector-test-producer')
        oslo_messaging.set_transport_defaults(exchange)
        self.transport = oslo_messaging.get_notification_transport(
            self.conf, url=url)
        self.conf.set_override('amqp_durable_queues', durable,
                               group='oslo_messaging_rabbit')
        self.notifier = oslo_messaging.Notifier(
            self.transport, driver='messagingv2', publisher_id=publisher_id,
            topics=[topic], retry=-1)

    def send(self, payload):
        self.notifier.sample({}, event_type='metering', payload=payload)

    def close(self):
        self.transport.cleanup()


def juno_message(name, volume, resource_id, timestamp=None, secret=SECRET,
                 counter_type='gauge', unit='%', metadata=None,
                 project_id='project-1', user_id='user-1', source='openstack',
                 message_id=None):
    """A signed metering message with exactly the fields Juno sent."""
    timestamp = timestamp or datetime.datetime.utcnow()
    msg = {'source': source,
           'counter_name': name,
           'counter_type': counter_type,
           'counter_unit': unit,
           'counter_volume': volume,
           'user_id': user_id,
           'project_id': project_id,
           'resource_id': resource_id,
           'timestamp': timestamp.isoformat(),
           'resource_metadata': metadata if metadata is not None else {},
           'message_id': message_id or str(uuid.uuid1())}
    msg['message_signature'] = signing.compute_signature(msg, secret)
    return msg


def stored(conn, **query):
    """Stored sample documents of a database, by message_id."""
    return {doc['message_id']: doc for doc in conn.meter.find(query)}


def unacknowledged(node, queue='metering.sample'):
    """Messages of a queue delivered to a consumer and not yet acked."""
    out = node.ctl('list_queues', '-q', 'name',
                   'messages_unacknowledged').stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == queue:
            return int(parts[1])
    return 0
