#!/usr/bin/env python3
"""Event capture benchmark: events/s from RabbitMQ into the event store.

Starts FerretDB (or uses --mongodb-url) and a private RabbitMQ node, and
for each way the collector takes notifications (the bus listener on
``notifications.info``, and a StackTach deployments-file consumer of a
queue named apart from its routing key) queues --events nova-shaped
notifications (instances created and deleted, sent by an oslo.messaging
Notifier as nova-compute sends them), starts ceilometer-proxy-collector
with the shipped event definitions and times it until every event is
stored. In the same run the event storage driver alone, in this process,
writes the same events (converted here) in batches of the same size: the
store's ceiling. Then bench/event_queries.py's question is timed: an
``instance_id``-filtered event-list over --query-events stored events
(median of --query-repeat). Prints, as its last line, ``events: <N>
events/s (<R> x store), query <M> ms`` (the bus listener's rate).
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or '.') != HERE]
sys.path.insert(0, os.path.dirname(HERE))

import kombu  # noqa: E402

from bench import common  # noqa: E402
from bench import event_queries  # noqa: E402
from tests.functional.collector import harness  # noqa: E402
from tests import rabbitmq  # noqa: E402
from tests import services  # noqa: E402

DEFINITIONS = os.path.join(common.REPO, 'etc', 'ceilometer-proxy',
                           'event_definitions.yaml')
# The deployments-file consumer's queue and what it is bound with.
DEPLOYMENT_QUEUE = 'stacktach.monitor.info'
DEPLOYMENT_TOPIC = 'monitor'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--events', type=int, default=20000,
                        help='notifications per run (default %(default)s)')
    parser.add_argument('--batch-size', type=int, default=1000,
                        help='collector batch size, and of the driver\'s '
                             'own writes (default %(default)s)')
    parser.add_argument('--store-batches', type=int, default=5,
                        help='batches written by the driver alone '
                             '(default %(default)s)')
    parser.add_argument('--no-deployments', action='store_true',
                        help='time the bus listener only')
    parser.add_argument('--query-events', type=int, default=100000,
                        help='events stored for the timed event-list '
                             '(0: no query timing)')
    parser.add_argument('--query-repeat', type=int, default=3)
    parser.add_argument('--quick', action='store_true',
                        help='small run for a smoke test (2000 events)')
    common.add_common_args(parser)
    parser.set_defaults(timeout=2400)
    args = parser.parse_args(argv)
    if args.quick:
        args.events = min(args.events, 2000)
        args.store_batches = min(args.store_batches, 2)
        args.query_events = min(args.query_events, 2000)
    if min(args.events, args.batch_size, args.store_batches) < 1:
        parser.error('--events, --batch-size and --store-batches must be '
                     '>= 1')
    return args


def notifications(count):
    """(event type, payload, context) of ``count`` notifications: the
    create.start, create.end and delete.end of count / 3 instances."""
    out = []
    while len(out) < count:
        instance_id = str(uuid.uuid4())
        host = 'host%d' % (len(out) % 20)
        for event_type, payload, _ in harness.instance_lifecycle(
                instance_id, host):
            out.append((event_type, payload, harness.nova_context()))
    return out[:count]


def fill_queue(url, count, topic):
    """Publish ``count`` notifications on ``topic``; seconds taken."""
    notifier = harness.ServiceNotifier(url, topics=[topic])
    sent = notifications(count)
    began = time.perf_counter()
    try:
        for event_type, payload, context in sent:
            notifier.send(event_type, payload, context)
    finally:
        notifier.close()
    return time.perf_counter() - began


def declare_deployment_queue(url):
    """The deployment's queue, bound before anything is published."""
    with kombu.Connection(url.replace('rabbit://', 'amqp://')) as conn:
        kombu.Queue(DEPLOYMENT_QUEUE, kombu.Exchange(
            'nova', type='topic', durable=True),
            routing_key='%s.info' % DEPLOYMENT_TOPIC, durable=True)(
                conn.default_channel).declare()


def deployments_file(directory, node):
    path = os.path.join(directory, 'stacktach_worker_config.json')
    with open(path, 'w') as f:
        json.dump({'deployments': [{
            'name': 'bench.prod', 'durable_queue': True,
            'rabbit_host': '127.0.0.1', 'rabbit_port': node.port,
            'rabbit_userid': 'guest', 'rabbit_password': 'guest',
            'rabbit_virtual_host': '/', 'exit_on_exception': False,
            'queue_name': 'stacktach', 'topics': {'nova': [{
                'queue': DEPLOYMENT_QUEUE,
                'routing_key': '%s.info' % DEPLOYMENT_TOPIC}]}}]}, f)
    return path


def time_collector(db_url, url, batch_size, expected, collector_opts):
    """Seconds from the collector's start to ``expected`` events stored.
    """
    opts = {'batch_size': batch_size, 'batch_timeout': 0.5,
            'stats_interval': 0.1, 'notifications': 'false'}
    opts.update(collector_opts)
    collector = harness.Collector(
        db_url, [url], events=True, extra={
            'collector': opts,
            'event': {'definitions_cfg_file': DEFINITIONS}})
    try:
        collector.start()
        began = time.perf_counter()
        collector.wait_for_stats(
            lambda s: s.get('events.stored') == expected, timeout=900,
            what='all events stored')
        seconds = time.perf_counter() - began
        stats = collector.stats()
        dropped = {k: v for k, v in stats.items()
                   if k.startswith('events.dropped')}
        if stats.get('events.received') != expected or dropped:
            raise SystemExit('events: received %s of %d, dropped %s'
                             % (stats.get('events.received'), expected,
                                dropped))
        return seconds
    finally:
        collector.cleanup()


def converted_batches(batch_size, batches):
    """Events of fresh notifications, converted in this process with the
    shipped definitions, as the collector would hand them to the store."""
    from ceilometer_proxy.event import converter
    from ceilometer_proxy import service

    conf = service.prepare_service([], config_files=[])
    conf.register_opts(converter.OPTS, group='event')
    conf.set_override('definitions_cfg_file', DEFINITIONS, group='event')
    events_converter = converter.load_converter(conf)
    out = []
    for _ in range(batches):
        batch = []
        for event_type, payload, context in notifications(batch_size):
            body = {'message_id': str(uuid.uuid4()), 'priority': 'info',
                    'event_type': event_type,
                    'publisher_id': 'compute.%s' % payload['host'],
                    'timestamp': '2026-03-04 05:06:07.%06d' % len(batch),
                    'payload': payload}
            body.update(('_context_%s' % k, v)
                        for k, v in context.redacted_copy().to_dict().items())
            batch.append(events_converter.to_event('info', body))
        out.append(batch)
    return out


def store_only(db_url, batch_size, batches):
    """Events/s of the event storage driver alone at this batch size."""
    from ceilometer_proxy.event import storage as event_storage
    from ceilometer_proxy import service

    prepared = converted_batches(batch_size, batches)
    conf = service.prepare_service([], config_files=[])
    conn = event_storage.get_connection_from_config(conf, db_url)
    try:
        conn.upgrade()
        times = [common.timed(conn.record_events, batch)[0]
                 for batch in prepared]
    finally:
        conn.close()
    return batch_size / common.median(times)


def run(args):
    rows, results = [], {}
    node = rabbitmq.RabbitMQ()
    workdir = tempfile.mkdtemp(prefix='bench-events-')
    paths = [('bus listener', 'notifications', {})]
    if not args.no_deployments:
        paths.append(('deployments file', DEPLOYMENT_TOPIC, {
            'event_topics': '',
            'deployments_file': deployments_file(workdir, node)}))
    with common.mongodb(args.mongodb_url) as base:
        try:
            node.start()
            common.log('RabbitMQ on %s', node.url)
            declare_deployment_queue(node.url)
            for label, topic, opts in paths:
                db_name = services.unique_db_name('bench_events')
                db_url = services.db_url(base, db_name)
                try:
                    fill = fill_queue(node.url, args.events, topic)
                    common.log('%s: %d notifications queued in %.1f s '
                               '(%d/s)', label, args.events, fill,
                               args.events / fill)
                    seconds = time_collector(db_url, node.url,
                                             args.batch_size, args.events,
                                             opts)
                    ceiling = store_only(db_url, args.batch_size,
                                         args.store_batches)
                finally:
                    common.drop_database(base, db_name)
                rate = args.events / seconds
                results[label] = (rate, ceiling)
                rows.append((label, args.batch_size, args.events,
                             '%.2f' % seconds, int(rate), int(ceiling),
                             '%.2f' % (rate / ceiling)))
                common.log('%s: %d events stored in %.2f s (%d events/s; '
                           'driver alone %d events/s)', label, args.events,
                           seconds, rate, ceiling)
        finally:
            node.cleanup()
            shutil.rmtree(workdir, ignore_errors=True)
    common.log(common.format_table(
        ['path', 'batch size', 'events', 'seconds', 'events/s',
         'driver alone events/s', 'x store'], rows))
    return results['bus listener']


def main(argv=None):
    args = parse_args(argv)
    with common.time_limit(args.timeout):
        rate, store_rate = run(args)
        query_ms = None
        if args.query_events:
            with common.mongodb(args.mongodb_url) as base:
                query_ms, store_ms = event_queries.run(argparse.Namespace(
                    events=args.query_events, repeat=args.query_repeat),
                    base)
            common.log('query: %.0f ms median, the store alone %.0f ms '
                       '(%.2f x)', query_ms, store_ms, query_ms / store_ms)
    line = 'events: %d events/s (%.2f x store)' % (int(rate),
                                                   rate / store_rate)
    if query_ms is not None:
        line += ', query %.0f ms' % query_ms
    print(line, flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
