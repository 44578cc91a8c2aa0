"""Event capture on real RabbitMQ brokers into the real event store.

Services' notifications (nova-shaped, sent by oslo_messaging.Notifier
objects as nova sends them) become events with their traits, from two
brokers, with their origin; a malformed notification is dropped and
counted while the rest of its batch is stored; a broker restart and a
store outage lose nothing; and a StackTach deployments file is consumed as
it is, queue names apart from routing keys.
"""

import datetime
import json
import textwrap
import threading
import time
import uuid

import pytest

from ceilometer_proxy.event import storage as event_storage

from tests.functional.collector import conftest
from tests.functional.collector import harness
from tests import services

# The collector's own definitions: the tests check traits they chose.
DEFINITIONS = textwrap.dedent('''\
    - event_type: compute.instance.*
      traits: &instance
        instance_id:
          fields: payload.instance_id
        state:
          fields: payload.state
        host:
          fields: payload.host
        memory_mb:
          type: int
          fields: payload.memory_mb
        launched_at:
          type: datetime
          fields: payload.launched_at
        deleted_at:
          type: datetime
          fields: payload.deleted_at
    - event_type: compute.instance.create.end
      traits:
        <<: *instance
        fixed_ip:
          fields: payload.fixed_ips[0].address
    - event_type: compute.instance.create.error
      traits:
        <<: *instance
        fault:
          fields: payload.message
    - event_type: image.*
      traits:
        image_id:
          fields: payload.id
        status:
          fields: payload.status
    ''')


def event_collector(db_url, urls, tmp_path, collector=None, **sections):
    """A collector keeping events, with DEFINITIONS; ``collector`` and
    the other keyword arguments are more options of those sections."""
    path = tmp_path / 'event_definitions.yaml'
    path.write_text(DEFINITIONS)
    extra = {'collector': dict(collector or {}),
             'event': {'definitions_cfg_file': str(path)}}
    for section, values in sections.items():
        extra.setdefault(section, {}).update(values)
    return harness.Collector(db_url, urls, extra=extra, events=True)


def send_lifecycle(notifier, instance_id, host):
    """Create and delete one instance; {request_id: event type}."""
    sent = {}
    for event_type, payload, priority in harness.instance_lifecycle(
            instance_id, host):
        context = harness.nova_context()
        notifier.send(event_type, payload, context, priority)
        sent[context.request_id] = event_type
    return sent


def send_build_error(notifier, instance_id, host):
    context = harness.nova_context()
    payload = harness.nova_instance_payload(
        instance_id, 'error', host,
        message='Build of instance %s aborted: No valid host' % instance_id,
        code=500)
    notifier.send('compute.instance.create.error', payload, context,
                  priority='error')
    return {context.request_id: 'compute.instance.create.error'}


def test_nova_notifications_from_two_brokers(rabbit, second_rabbit,
                                             event_store, tmp_path):
    db_url, events = event_store
    collector = event_collector(db_url, [rabbit.url, second_rabbit.url],
                                tmp_path, {'record_origin': 'true'})
    notifiers = []
    try:
        collector.start()
        sent = {}
        for n, node in enumerate((rabbit, second_rabbit), 1):
            notifier = harness.ServiceNotifier(
                node.url, publisher_id='compute.host%d' % n)
            notifiers.append(notifier)
            instance_id = str(uuid.uuid4())
            for request_id, event_type in send_lifecycle(
                    notifier, instance_id, 'host%d' % n).items():
                sent[request_id] = (event_type, instance_id, node)
            for request_id, event_type in send_build_error(
                    notifier, instance_id, 'host%d' % n).items():
                sent[request_id] = (event_type, instance_id, node)
        stats = collector.wait_for_stats(
            lambda s: s.get('events.stored') == 8, what='8 events stored')
        assert stats['events.received'] == 8
        assert stats['received'] == 0  # nothing on the metering topic
        stored = harness.stored_events(events)
        assert set(stored) == set(sent)
        for request_id, (event_type, instance_id, node) in sent.items():
            event = stored[request_id]
            host = 'host%d' % (1 if node is rabbit else 2)
            assert event.event_type == event_type
            assert event.trait('instance_id') == instance_id
            assert event.trait('host') == host
            assert event.trait('service') == 'compute.%s' % host
            assert event.trait('project_id') == 'project-1'
            assert event.trait('user_id') == 'user-1'
            assert event.trait('memory_mb') == 2048
            assert event.trait('origin') == \
                'rabbit://127.0.0.1:%d/' % node.port
            assert abs(event.generated - datetime.datetime.utcnow()) < \
                datetime.timedelta(minutes=5)
        by_type = {}
        for event in stored.values():
            by_type.setdefault(event.event_type, []).append(event)
        assert sorted(e.trait('state') for e in by_type[
            'compute.instance.create.start']) == ['building', 'building']
        created = by_type['compute.instance.create.end'][0]
        assert created.trait('fixed_ip') == '192.168.0.7'
        assert created.trait('launched_at') == \
            datetime.datetime(2026, 3, 4, 5, 6, 30)
        assert created.trait('deleted_at') is None  # nova sends ''
        deleted = by_type['compute.instance.delete.end'][0]
        assert deleted.trait('deleted_at') == \
            datetime.datetime(2026, 3, 4, 6, 0)
        failed = by_type['compute.instance.create.error']
        assert len(failed) == 2
        assert failed[0].trait('fault').startswith('Build of instance')
        assert 'guest' not in repr(list(stored.values()))
        # Every notification was acknowledged.
        harness.wait_until(lambda: not any(
            harness.unacknowledged(node, 'notifications.%s' % priority)
            for node in (rabbit, second_rabbit)
            for priority in ('info', 'error')), what='all acknowledged')
        assert rabbit.queue_depths().get('notifications.info') == 0
    finally:
        for notifier in notifiers:
            notifier.close()
        collector.cleanup()


def test_malformed_notification_is_dropped_alone(rabbit, event_store,
                                                 tmp_path):
    db_url, events = event_store
    # A batch timeout long enough for the five to make one batch.
    collector = event_collector(db_url, [rabbit.url], tmp_path,
                                {'batch_timeout': 1.5})
    notifier = harness.ServiceNotifier(rabbit.url)
    try:
        collector.start()
        good = {}
        for n in range(2):
            context = harness.nova_context()
            notifier.send('compute.instance.update',
                          harness.nova_instance_payload(
                              str(uuid.uuid4()), 'active'), context)
            good[context.request_id] = context
        # A payload that is no mapping, and no event type at all.
        notifier.send('compute.instance.update', 'not a mapping',
                      harness.nova_context())
        notifier.send(None, {'instance_id': 'x'}, harness.nova_context())
        context = harness.nova_context()
        notifier.send('compute.instance.update',
                      harness.nova_instance_payload(str(uuid.uuid4()),
                                                    'stopped'), context)
        good[context.request_id] = context
        stats = collector.wait_for_stats(
            lambda s: s.get('events.received') == 5 and
            s.get('events.stored') == 3, what='5 received, 3 stored')
        assert stats['events.dropped.malformed'] == 2
        assert set(harness.stored_events(events)) == set(good)
        assert 'Dropped a notification (malformed)' in collector.log()
        harness.wait_until(
            lambda: rabbit.queue_depths().get('notifications.info') == 0,
            what='the malformed ones acknowledged too')
    finally:
        notifier.close()
        collector.cleanup()


class Stream(threading.Thread):
    """Sends ``count`` nova notifications, ``pause`` seconds apart."""

    def __init__(self, url, count, topic='notifications', pause=0.01):
        super().__init__(daemon=True)
        self.notifier = harness.ServiceNotifier(url, topics=[topic])
        self.count = count
        self.pause = pause
        self.sent = []
        self.error = None

    def run(self):
        try:
            for n in range(self.count):
                context = harness.nova_context()
                self.notifier.send('compute.instance.update',
                                   harness.nova_instance_payload(
                                       'instance-%04d' % n, 'active'),
                                   context)
                self.sent.append(context.request_id)
                time.sleep(self.pause)
        except Exception as err:  # reported by the test
            self.error = err
        finally:
            self.notifier.close()


def deployment(name, node, topics, durable):
    """A deployment entry as StackTach's sample worker config has them."""
    return {'name': name, 'durable_queue': durable,
            'rabbit_host': '127.0.0.1', 'rabbit_port': node.port,
            'rabbit_userid': 'guest', 'rabbit_password': 'guest',
            'rabbit_virtual_host': '/', 'exit_on_exception': False,
            'queue_name': 'stacktach', 'topics': topics}


def write_deployments(tmp_path, *entries):
    path = tmp_path / 'stacktach_worker_config.json'
    path.write_text(json.dumps({'deployments': list(entries)}, indent=4))
    return str(path)


def test_broker_restart_loses_nothing(rabbit, event_store, tmp_path):
    """The bus listener and a deployments-file consumer on one broker,
    which restarts while notifications stream in."""
    db_url, events = event_store
    path = write_deployments(tmp_path, deployment(
        'restart.prod', rabbit, {'nova': [
            {'queue': 'restart.monitor.info',
             'routing_key': 'restart_monitor.info'}]}, durable=True))
    collector = event_collector(
        db_url, [rabbit.url], tmp_path,
        {'deployments_file': path, 'batch_size': 20,
         'batch_timeout': 0.3})
    collector.start()
    harness.wait_until(
        lambda: 'restart.monitor.info' in rabbit.queue_depths(),
        what='the deployment queue declared')
    streams = [Stream(rabbit.url, 300),
               Stream(rabbit.url, 300, topic='restart_monitor')]
    try:
        for stream in streams:
            stream.start()
        harness.wait_until(lambda: all(len(s.sent) >= 100 for s in streams),
                           what='a third sent')
        rabbit.restart()
        for stream in streams:
            stream.join(120)
            assert stream.error is None and len(stream.sent) == 300
        sent = set(streams[0].sent) | set(streams[1].sent)
        harness.wait_until(
            lambda: len(harness.stored_events(events)) == len(sent),
            timeout=90, interval=0.5, what='all stored')
        stored = list(events.get_events(event_storage.EventFilter()))
        assert sorted(e.trait('request_id') for e in stored) == sorted(sent)
        assert len({e.message_id for e in stored}) == 600
        # The deployment's queue is drained; what the broker delivered
        # twice was recognised by its message id.
        harness.wait_until(
            lambda: rabbit.queue_depths().get('restart.monitor.info') == 0,
            what='the deployment queue drained')
        stats = collector.stats()
        assert stats['events.stored'] == 600
        # Deliveries in hand when the connection went are received again.
        assert stats['events.received'] >= 600
        assert not [k for k in stats if k.startswith('events.dropped')]
        with open(collector.log_path) as f:
            assert 'Deployment restart.prod (amqp://127.0.0.1:%d/%%2F): ' \
                % rabbit.port in f.read()
    finally:
        for stream in streams:
            stream.join(5)
        collector.cleanup()
        # oslo.messaging's duplicate filter leaves some redeliveries
        # unacknowledged until the connection closes; they would come
        # back (harmless duplicates) to the next test's collector.
        harness.delete_entities(rabbit.url, queues=[
            'notifications.info', 'restart.monitor.info',
            'restart_monitor.info'])


def test_event_store_outage_holds_events_not_samples(
        rabbit, database, stoppable_store, tmp_path):
    """Events wait in their queue while their store is away, and samples
    (another store) go on being stored meanwhile."""
    db_url, samples_conn = database
    event_url = services.db_url(stoppable_store.url, 'events_outage')
    collector = event_collector(
        db_url, [rabbit.url], tmp_path, {'max_retry_backoff': 1},
        database={'event_connection': event_url, 'socket_timeout': 5})
    collector.start()
    notifier = harness.ServiceNotifier(rabbit.url)
    producer = harness.Producer(rabbit.url)
    events = None
    try:
        stoppable_store.stop()
        sent = []
        for n in range(30):
            context = harness.nova_context()
            notifier.send('compute.instance.update',
                          harness.nova_instance_payload(
                              'outage-%02d' % n, 'active'), context)
            sent.append(context.request_id)
        collector.wait_for_stats(
            lambda s: s.get('events.store_failures', 0) >= 2,
            what='event writes failing')
        meters = [harness.juno_message('outage.meter', float(n), 'r',
                                       datetime.datetime.utcnow())
                  for n in range(5)]
        producer.send(meters)
        collector.wait_for_stats(lambda s: s.get('stored') == 5,
                                 what='samples stored during the outage')
        assert collector.stats()['events.stored'] == 0
        assert harness.unacknowledged(rabbit, 'notifications.info') == 30
        stoppable_store.start()
        collector.wait_for_stats(lambda s: s.get('events.stored') == 30,
                                 timeout=60, what='events stored after')
        events = conftest.event_connection(event_url)
        assert sorted(harness.stored_events(events)) == sorted(sent)
        harness.wait_until(
            lambda: rabbit.queue_depths().get('notifications.info') == 0,
            what='events acknowledged')
    finally:
        if events is not None:
            events.close()
        notifier.close()
        producer.close()
        collector.cleanup()


@pytest.fixture
def fresh_exchanges(rabbit, second_rabbit):
    """Room on both brokers for the non-durable exchanges and queues of
    StackTach's sample: the other tests declared ``nova`` durable, and
    RabbitMQ refuses to redeclare an entity otherwise."""
    names = dict(exchanges=['nova', 'glance'],
                 queues=['monitor.info', 'monitor.error',
                         'stacktach.monitor.info', 'monitor_glance.info',
                         'stacktach_monitor_glance.info'])
    for node in (rabbit, second_rabbit):
        harness.delete_entities(node.url, **names)
    yield
    for node in (rabbit, second_rabbit):
        harness.delete_entities(node.url, **names)


def test_stacktach_deployments_file(rabbit, second_rabbit, event_store,
                                    tmp_path, fresh_exchanges):
    db_url, events = event_store
    # StackTach's sample, pointed at the two brokers: one deployment names
    # its queues apart from their routing keys.
    path = write_deployments(
        tmp_path,
        dict(deployment('east_coast.prod.global', rabbit, {
            'nova': [{'queue': 'stacktach.monitor.info',
                      'routing_key': 'monitor.info'},
                     {'queue': 'monitor.error',
                      'routing_key': 'monitor.error'}],
            'glance': [{'queue': 'stacktach_monitor_glance.info',
                        'routing_key': 'monitor_glance.info'}]},
            durable=False), exit_on_exception=True),
        deployment('east_coast.prod.cell1', second_rabbit, {
            'nova': [{'queue': 'monitor.info',
                      'routing_key': 'monitor.info'},
                     {'queue': 'monitor.error',
                      'routing_key': 'monitor.error'}]}, durable=False))
    # Only the deployments: no bus listener, no metering.
    collector = event_collector(
        db_url, [], tmp_path,
        {'deployments_file': path, 'event_topics': '',
         'notifications': 'false', 'record_origin': 'true'})
    notifiers = []
    try:
        collector.start()
        harness.wait_until(lambda: all(
            q in rabbit.queue_depths() for q in (
                'stacktach.monitor.info', 'monitor.error',
                'stacktach_monitor_glance.info')) and
            'monitor.info' in second_rabbit.queue_depths(),
            what='the deployments\' queues declared')
        nova = harness.ServiceNotifier(rabbit.url, topics=['monitor'],
                                       durable=False)
        glance = harness.ServiceNotifier(
            rabbit.url, publisher_id='image.localhost',
            topics=['monitor_glance'], exchange='glance', durable=False)
        cell1 = harness.ServiceNotifier(
            second_rabbit.url, publisher_id='compute.cell1-host',
            topics=['monitor'], durable=False)
        notifiers = [nova, glance, cell1]
        sent = {}
        instance_id = str(uuid.uuid4())
        for request_id, event_type in send_lifecycle(
                nova, instance_id, 'host1').items():
            sent[request_id] = (event_type, 'east_coast.prod.global')
        for request_id, event_type in send_build_error(
                nova, instance_id, 'host1').items():
            sent[request_id] = (event_type, 'east_coast.prod.global')
        context = harness.nova_context()
        glance.send('image.activate', {
            'id': 'd6c6ca70-3f7c-4e1a-8d6a-8a3f1f5e9d11', 'status':
            'active', 'name': 'cirros', 'owner': 'project-1',
            'size': 13267968, 'disk_format': 'qcow2',
            'container_format': 'bare', 'checksum':
            '443b7623e27ecf03dc9e01ee93f67afe', 'properties': {},
            'created_at': '2026-03-04T05:00:00Z'}, context)
        sent[context.request_id] = ('image.activate',
                                    'east_coast.prod.global')
        for request_id, event_type in send_lifecycle(
                cell1, str(uuid.uuid4()), 'cell1-host').items():
            sent[request_id] = (event_type, 'east_coast.prod.cell1')
        # A v1 notification (no envelope), as pre-oslo nova sent them,
        # and a body that is no JSON at all.
        v1_request = 'req-%s' % uuid.uuid4()
        harness.publish_raw(rabbit.url, 'nova', 'monitor.info', json.dumps({
            'message_id': str(uuid.uuid4()), 'priority': 'INFO',
            'event_type': 'compute.instance.exists',
            'publisher_id': 'compute.host1',
            'timestamp': '2026-03-04 07:00:00.000000',
            'payload': harness.nova_instance_payload('v1-instance', 'active'),
            '_context_request_id': v1_request,
            '_context_project_id': 'project-1'}).encode(), durable=False)
        sent[v1_request] = ('compute.instance.exists',
                            'east_coast.prod.global')
        harness.publish_raw(rabbit.url, 'nova', 'monitor.info',
                            b'{"oslo.version": "2.0", "oslo.message": "{x"}',
                            durable=False)
        stats = collector.wait_for_stats(
            lambda s: s.get('events.stored') == len(sent) and
            s.get('events.dropped.malformed') == 1,
            what='%d stored, 1 malformed' % len(sent))
        assert stats['events.received'] == len(sent) + 1
        stored = harness.stored_events(events)
        assert set(stored) == set(sent)
        for request_id, (event_type, origin) in sent.items():
            assert stored[request_id].event_type == event_type
            assert stored[request_id].trait('origin') == origin
        assert stored[v1_request].generated == \
            datetime.datetime(2026, 3, 4, 7, 0)
        image = [e for e in stored.values() if e.event_type ==
                 'image.activate'][0]
        assert image.trait('status') == 'active'
        assert image.trait('service') == 'image.localhost'
        # Exactly the named queues are consumed, bound as the file says;
        # the notifier's own monitor.info queue on the first broker is
        # nobody's.
        harness.wait_until(lambda: not any(
            rabbit.queue_depths().get(q) for q in (
                'stacktach.monitor.info', 'monitor.error',
                'stacktach_monitor_glance.info')),
            what='the deployment queues drained')
        # (the instance's three info notifications, the v1 one and the
        # undecodable one)
        assert rabbit.queue_depths()['monitor.info'] == 5
        assert second_rabbit.queue_depths()['monitor.info'] == 0
        bindings = rabbit.ctl('list_bindings', '-q', 'source_name',
                              'destination_name', 'routing_key').stdout
        assert 'nova\tstacktach.monitor.info\tmonitor.info' in bindings
        assert ('glance\tstacktach_monitor_glance.info\t'
                'monitor_glance.info') in bindings
        durable = rabbit.ctl('list_queues', '-q', 'name', 'durable').stdout
        assert 'stacktach.monitor.info\tfalse' in durable
        assert 'guest' not in collector.log()
    finally:
        for notifier in notifiers:
            notifier.close()
        collector.cleanup()
