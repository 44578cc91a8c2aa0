"""A ceilometer-proxy-collector process and producers for its tests.

The collector runs as a real process with its own config file; its
counters are read from its stats file. Producers publish through
oslo.messaging exactly as Ceilometer's ``notifier://`` publisher does
(messagingv2 driver, ``sample`` priority, event type ``metering``), and
ServiceNotifier as nova and the other services send their notifications.
Metering tests run the collector without event capture (``events=True``
turns it on), so that they neither need nor wait for the event queues.
"""

import datetime
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import kombu
from oslo_config import cfg
from oslo_context import context
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

    def __init__(self, db_url, urls, extra=None, udp_port=None,
                 events=False):
        self.db_url = db_url
        self.urls = list(urls)
        self.extra = extra or {}
        self.udp_port = udp_port
        self.events = events
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
                          'events': 'true' if self.events else 'false',
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


class ServiceNotifier(object):
    """Sends notifications as an OpenStack service does: an
    oslo_messaging.Notifier (messagingv2 driver) on the service's control
    exchange, e.g. nova's ``compute.<host>`` publisher on ``nova``."""

    def __init__(self, url, publisher_id='compute.host1',
                 topics=('notifications',), exchange='nova', durable=True):
        self.conf = cfg.ConfigOpts()
        self.conf([], project='collector-test-service')
        oslo_messaging.set_transport_defaults(exchange)
        self.transport = oslo_messaging.get_notification_transport(
            self.conf, url=url)
        self.conf.set_override('amqp_durable_queues', durable,
                               group='oslo_messaging_rabbit')
        self.notifier = oslo_messaging.Notifier(
            self.transport, driver='messagingv2', publisher_id=publisher_id,
            topics=list(topics), retry=-1)

    def send(self, event_type, payload, context, priority='info'):
        getattr(self.notifier, priority)(context, event_type, payload)

    def close(self):
        self.transport.cleanup()


_addresses = itertools.count(1)


class NovaContext(context.RequestContext):
    """A request context that serialises as nova's does: oslo.context's
    keys and nova's own (``user_id``, ``remote_address``, ``timestamp``
    ...). Notifiers send only a context object's ``redacted_copy()``; a
    plain dict would reach the bus as no context at all."""

    def __init__(self, remote_address=None, timestamp=None, **kwargs):
        super().__init__(**kwargs)
        self.remote_address = remote_address
        self.timestamp = timestamp or datetime.datetime.utcnow()

    def to_dict(self):
        values = super().to_dict()
        values.update(user_id=self.user_id, project_id=self.project_id,
                      user_name=self.user_name,
                      project_name=self.project_name,
                      remote_address=self.remote_address,
                      timestamp=self.timestamp.isoformat(),
                      read_deleted='no', quota_class=None,
                      service_catalog=[])
        return values


def nova_context(project_id='project-1', user_id='user-1'):
    """A nova request context whose request_id is new for every call
    (tests find events by it)."""
    return NovaContext(
        user_id=user_id, project_id=project_id, user_name='alice',
        project_name='demo', request_id='req-%s' % uuid.uuid4(),
        roles=['member', 'reader'], is_admin=False,
        auth_token='a-token-the-notifier-must-not-send',
        remote_address='10.0.0.%d' % (next(_addresses) % 250 + 1))


def nova_instance_payload(instance_id, state, host='host1',
                          project_id='project-1', user_id='user-1',
                          launched_at='', deleted_at='', **extra):
    """What nova's compute.instance.* notifications carry (legacy
    format)."""
    payload = {
        'tenant_id': project_id, 'user_id': user_id,
        'instance_id': instance_id, 'display_name': 'vm-%s' % instance_id[:8],
        'hostname': 'vm-%s' % instance_id[:8], 'reservation_id': 'r-1x2y3z4w',
        'instance_type': 'm1.small', 'instance_type_id': 2,
        'instance_flavor_id': '2', 'memory_mb': 2048, 'vcpus': 1,
        'root_gb': 20, 'disk_gb': 20, 'ephemeral_gb': 0,
        'host': host, 'node': '%s.example.org' % host,
        'availability_zone': 'nova', 'cell_name': '',
        'architecture': 'x86_64', 'os_type': 'linux',
        'kernel_id': '', 'ramdisk_id': '',
        'state': state, 'state_description': '', 'progress': '',
        'created_at': '2026-03-04 05:06:07+00:00',
        'launched_at': launched_at, 'terminated_at': deleted_at,
        'deleted_at': deleted_at,
        'image_ref_url': 'http://glance:9292/images/'
                         '0c2a8a26-4bd4-4ec6-a3b6-3f5bd3a1d7b1',
        'image_meta': {'base_image_ref':
                       '0c2a8a26-4bd4-4ec6-a3b6-3f5bd3a1d7b1',
                       'min_disk': '20', 'min_ram': '0',
                       'container_format': 'bare', 'disk_format': 'qcow2'},
        'metadata': {}, 'access_ip_v4': None, 'access_ip_v6': None,
        'audit_period_beginning': '2026-03-04 05:00:00',
        'audit_period_ending': '2026-03-04 05:06:07',
    }
    payload.update(extra)
    return payload


def instance_lifecycle(instance_id, host='host1'):
    """(event type, payload, priority) of one instance's create and
    delete, as a compute host sends them."""
    launched = '2026-03-04T05:06:30.000000'
    deleted = '2026-03-04T06:00:00.000000'
    return [
        ('compute.instance.create.start',
         nova_instance_payload(instance_id, 'building', host), 'info'),
        ('compute.instance.create.end',
         nova_instance_payload(instance_id, 'active', host,
                               launched_at=launched,
                               fixed_ips=[{'address': '192.168.0.7',
                                           'type': 'fixed', 'version': 4,
                                           'label': 'private'}],
                               message='Success'), 'info'),
        ('compute.instance.delete.end',
         nova_instance_payload(instance_id, 'deleted', host,
                               launched_at=launched, deleted_at=deleted),
         'info'),
    ]


def stored_events(event_conn, **filter_args):
    """Stored events by their request_id trait."""
    from ceilometer_proxy.event import storage as event_storage
    found = event_conn.get_events(event_storage.EventFilter(**filter_args))
    return {e.trait('request_id'): e for e in found}


def publish_raw(url, exchange, routing_key, body, durable=True):
    """Put a message on a topic exchange exactly as given (bytes), to
    show what a consumer does with one no oslo.messaging sent."""
    with kombu.Connection(url.replace('rabbit://', 'amqp://')) as conn:
        producer = conn.Producer(exchange=kombu.Exchange(
            exchange, type='topic', durable=durable))
        producer.publish(body, routing_key=routing_key,
                         content_type='application/json',
                         content_encoding='binary', declare=[
                             producer.exchange])


def delete_entities(url, exchanges=(), queues=()):
    """Delete exchanges and queues of a broker (those that exist)."""
    with kombu.Connection(url.replace('rabbit://', 'amqp://')) as conn:
        for name in queues:
            conn.default_channel.queue_delete(name)
        for name in exchanges:
            conn.default_channel.exchange_delete(name)
