#!/usr/bin/env python3
"""Ingest benchmark: samples POSTed through the v2 API per second.

Starts FerretDB (or uses --mongodb-url) and a local-mode API in noauth
mode, POSTs --batches batches of --batch-size samples to
/v2/meters/<name> over keep-alive HTTP sessions (--concurrency threads),
checks through /v2/meters/<name>/statistics that every sample was stored,
writes --store-batches batches straight through the storage driver into
the same store, and prints, as its last line, ``ingest: <N> samples/s
(<R> x the storage driver, goal >= 0.9)``.
"""

import argparse
import concurrent.futures
import json
import os
import sys
import threading
import time

# Run as a script, this file's folder comes first on sys.path, where
# statistics.py would hide the standard library's module: use the
# repository root instead.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or '.') != HERE]
sys.path.insert(0, os.path.dirname(HERE))

import requests  # noqa: E402

from bench import common  # noqa: E402
from tests import services  # noqa: E402

METER = 'bench.ingest'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--batches', type=int, default=50,
                        help='number of POST requests (default %(default)s)')
    parser.add_argument('--batch-size', type=int, default=1000,
                        help='samples per request (default %(default)s)')
    parser.add_argument('--concurrency', type=int, default=1,
                        help='client threads posting at once '
                             '(default %(default)s)')
    parser.add_argument('--resources', type=int, default=100,
                        help='distinct resources (default %(default)s)')
    parser.add_argument('--projects', type=int, default=10,
                        help='distinct projects (default %(default)s)')
    parser.add_argument('--warmup', type=int, default=1,
                        help='untimed batches of another meter sent first '
                             '(default %(default)s)')
    parser.add_argument('--store-batches', type=int, default=5,
                        help='batches also written straight through the '
                             'storage driver, in this process, to tell the '
                             'store\'s share from the API\'s (default '
                             '%(default)s; 0 skips it)')
    parser.add_argument('--request-timeout', type=float, default=60,
                        help='seconds one POST may take (default '
                             '%(default)s)')
    parser.add_argument('--quick', action='store_true',
                        help='small run for a smoke test (5 batches)')
    common.add_common_args(parser)
    parser.set_defaults(timeout=600)
    args = parser.parse_args(argv)
    if args.quick:
        args.batches = min(args.batches, 5)
    if min(args.batches, args.batch_size, args.concurrency) < 1:
        parser.error('--batches, --batch-size and --concurrency must be >= 1')
    return args


def make_bodies(meter, batches, batch_size, resources, projects):
    """The request bodies, JSON-encoded before the clock starts."""
    bodies = []
    for b in range(batches):
        samples = common.api_samples(meter, b * batch_size, batch_size,
                                     resources, projects)
        bodies.append(json.dumps(samples).encode('utf-8'))
    return bodies


class Poster(object):
    """POSTs bodies with one keep-alive session per thread."""

    def __init__(self, base_url, timeout):
        self.base_url = base_url
        self.timeout = timeout
        self.local = threading.local()

    def session(self):
        s = getattr(self.local, 'session', None)
        if s is None:
            s = self.local.session = requests.Session()
            s.headers['Content-Type'] = 'application/json'
        return s

    def post(self, meter, body):
        resp = self.session().post(
            '%s/v2/meters/%s' % (self.base_url, meter), data=body,
            timeout=self.timeout)
        if resp.status_code != 201:
            raise RuntimeError('POST -> %s: %s'
                               % (resp.status_code, resp.text[:500]))
        return len(resp.content)


def post_all(poster, meter, bodies, concurrency):
    """Send every body; returns the seconds it took."""
    began = time.perf_counter()
    if concurrency == 1:
        for body in bodies:
            poster.post(meter, body)
    else:
        with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
            futures = [pool.submit(poster.post, meter, body)
                       for body in bodies]
            for f in concurrent.futures.as_completed(futures):
                f.result()
    return time.perf_counter() - began


def stored_count(base_url, meter):
    client = services.Client(base_url)
    stats = client.get_json('/v2/meters/%s/statistics' % meter)
    return stats[0]['count'] if stats else 0


def store_only(db_url, args):
    """Seconds per batch of the storage driver alone (median)."""
    batches = [common.metering_messages(
        METER + '.direct', b * args.batch_size, args.batch_size,
        args.resources, args.projects) for b in range(args.store_batches)]
    with common.storage_connection(db_url) as conn:
        times = [common.timed(conn.record_metering_data_batch, batch)[0]
                 for batch in batches]
    return common.median(times)


def run(args):
    total = args.batches * args.batch_size
    common.log('ingest: %d batches x %d samples, concurrency %d, '
               '%d resources', args.batches, args.batch_size,
               args.concurrency, args.resources)
    bodies = make_bodies(METER, args.batches, args.batch_size,
                         args.resources, args.projects)
    common.log('request bodies: %.1f MB',
               sum(len(b) for b in bodies) / 1e6)
    db_name = services.unique_db_name('bench_ingest')
    store_seconds = None
    with common.mongodb(args.mongodb_url) as base:
        db_url = services.db_url(base, db_name)
        try:
            with common.api_server(db_url) as api:
                poster = Poster(api.url, args.request_timeout)
                warm = make_bodies(METER + '.warmup', args.warmup,
                                   args.batch_size, args.resources,
                                   args.projects)
                try:
                    for body in warm:
                        poster.post(METER + '.warmup', body)
                    seconds = post_all(poster, METER, bodies,
                                       args.concurrency)
                except requests.Timeout as err:
                    common.log('API log (tail):\n%s', api.log()[-3000:])
                    raise SystemExit(
                        'ingest: a POST of %d samples got no answer '
                        'within %ss (%s)' % (args.batch_size,
                                             args.request_timeout, err))
                count = stored_count(api.url, METER)
            if args.store_batches:
                store_seconds = store_only(db_url, args)
        finally:
            if args.mongodb_url:
                common.drop_database(base, db_name)
    per_request = seconds / args.batches
    common.log('posted %d samples in %.3f s (%.1f ms per request)',
               total, seconds, 1000.0 * per_request)
    common.log('stored (from /statistics): %d', count)
    if store_seconds is not None:
        common.log('storage driver alone: %.1f ms per %d samples '
                   '(%d samples/s)', 1000.0 * store_seconds,
                   args.batch_size, args.batch_size / store_seconds)
        if args.concurrency == 1:
            common.log('rest of a request (HTTP, JSON, validation, '
                       'signing): %.1f ms',
                       1000.0 * (per_request - store_seconds))
    if count != total:
        raise SystemExit('ingest: stored %d samples, posted %d'
                         % (count, total))
    store_rate = args.batch_size / store_seconds if store_seconds else None
    return total / seconds, store_rate


def main(argv=None):
    args = parse_args(argv)
    with common.time_limit(args.timeout):
        rate, store_rate = run(args)
    ratio = (' (%.2f x the storage driver, goal >= 0.9)' % (rate / store_rate)
             if store_rate else '')
    print('ingest: %d samples/s%s' % (int(rate), ratio), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
