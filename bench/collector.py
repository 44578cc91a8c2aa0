#!/usr/bin/env python3
"""Collector benchmark: samples/s from RabbitMQ into the store.

Starts FerretDB (or uses --mongodb-url) and a private RabbitMQ node, fills
the metering queue with signed one-sample notifications (as Ceilometer's
notifier:// publisher sends them), then starts ceilometer-proxy-collector
and times it until every sample is stored, once per batch size (default
1, 100 and 1000; batch size 1 is how the Juno collector wrote: one sample
per insert). The storage driver alone, in this process, gives the store's
ceiling. Prints, as its last line, ``collector: <N> samples/s`` for the
best batch size.
"""

import argparse
import datetime
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or '.') != HERE]
sys.path.insert(0, os.path.dirname(HERE))

from bench import common  # noqa: E402
from tests.functional.collector import harness  # noqa: E402
from tests import rabbitmq  # noqa: E402
from tests import services  # noqa: E402

METER = 'bench.collector'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batch-sizes', default='1,100,1000',
                        help='collector batch sizes to time '
                             '(default %(default)s)')
    parser.add_argument('--samples', type=int, default=20000,
                        help='samples per run (default %(default)s); '
                             'batch size 1 gets a tenth of them')
    parser.add_argument('--resources', type=int, default=100,
                        help='distinct resources (default %(default)s)')
    parser.add_argument('--quick', action='store_true',
                        help='small run for a smoke test (2000 samples)')
    common.add_common_args(parser)
    parser.set_defaults(timeout=1200)
    args = parser.parse_args(argv)
    if args.quick:
        args.samples = min(args.samples, 2000)
    args.batch_sizes = [int(b) for b in args.batch_sizes.split(',')]
    return args


def fill_queue(url, first, count, resources):
    """Publish ``count`` signed one-sample notifications; seconds taken."""
    producer = harness.Producer(url)
    start = common.START + datetime.timedelta(seconds=first)
    began = time.perf_counter()
    try:
        for i in range(count):
            producer.send([harness.juno_message(
                METER, common.volume(i), 'resource-%04d' % (i % resources),
                start + datetime.timedelta(milliseconds=i),
                project_id='project-%02d' % (i % resources % 10))])
    finally:
        producer.close()
    return time.perf_counter() - began


def time_collector(db_url, url, batch_size, expected):
    """Seconds from the collector's start to ``expected`` samples stored."""
    collector = harness.Collector(
        db_url, [url], extra={'collector': {
            'batch_size': batch_size, 'batch_timeout': 0.5,
            'stats_interval': 0.1}})
    try:
        collector.start()
        began = time.perf_counter()
        collector.wait_for_stats(lambda s: s.get('stored') == expected,
                                 timeout=600, what='all samples stored')
        seconds = time.perf_counter() - began
        stats = collector.stats()
        if stats.get('received') != expected:
            raise SystemExit('collector: received %s of %d'
                             % (stats.get('received'), expected))
        return seconds
    finally:
        collector.cleanup()


def store_only(db_url, batch_size, resources):
    """Samples/s of the storage driver alone at this batch size."""
    batches = [common.metering_messages(METER + '.direct', b * batch_size,
                                        batch_size, resources)
               for b in range(3)]
    with common.storage_connection(db_url) as conn:
        times = [common.timed(conn.record_metering_data_batch, batch)[0]
                 for batch in batches]
    return batch_size / common.median(times)


def run(args):
    rows, best = [], 0
    node = rabbitmq.RabbitMQ()
    with common.mongodb(args.mongodb_url) as base:
        try:
            node.start()
            common.log('RabbitMQ on %s', node.url)
            for batch_size in args.batch_sizes:
                count = args.samples if batch_size > 1 else max(
                    args.samples // 10, 100)
                db_name = services.unique_db_name('bench_collector')
                db_url = services.db_url(base, db_name)
                try:
                    fill = fill_queue(node.url, 0, count, args.resources)
                    common.log('batch %d: %d notifications queued in '
                               '%.1f s (%d/s)', batch_size, count, fill,
                               count / fill)
                    seconds = time_collector(db_url, node.url, batch_size,
                                             count)
                    ceiling = store_only(db_url, max(batch_size, 1),
                                         args.resources)
                finally:
                    common.drop_database(base, db_name)
                rate = count / seconds
                best = max(best, rate)
                rows.append((batch_size, count, '%.2f' % seconds,
                             int(rate), int(ceiling)))
                common.log('batch %d: %d samples stored in %.2f s '
                           '(%d samples/s; driver alone %d samples/s)',
                           batch_size, count, seconds, rate, ceiling)
        finally:
            node.cleanup()
    common.log(common.format_table(
        ['batch size', 'samples', 'seconds', 'samples/s',
         'driver alone samples/s'], rows))
    return best


def main(argv=None):
    args = parse_args(argv)
    with common.time_limit(args.timeout):
        rate = run(args)
    print('collector: %d samples/s' % int(rate), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
