#!/usr/bin/env python3
"""Serving benchmark: which WSGI server ceilometer-proxy-api runs under.

Starts FerretDB (or uses --mongodb-url), posts --samples samples, then
serves the same database from three API processes in turn:

- the threaded wsgiref development server (``--dev-server``);
- gunicorn, one gthread worker of [api] threads threads;
- gunicorn, one gthread worker per CPU (the default).

Each is asked the same mix for --seconds seconds by --clients concurrent
keep-alive clients: the statistics of one resource, the samples of one
resource (limit 10), and the capabilities (no store call: the serving
cost alone). The table gives requests per second and the median and 95th
percentile latency; the last line is
``serving: gunicorn 2x8 N req/s (R x dev server), median M ms``.
"""

import argparse
import multiprocessing
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

import requests  # noqa: E402

from bench import common  # noqa: E402

PATHS = [
    '/v2/meters/cpu_util/statistics?q.field=resource_id&q.op=eq'
    '&q.value=resource-3',
    '/v2/meters/cpu_util?q.field=resource_id&q.op=eq&q.value=resource-5'
    '&limit=10',
    '/v2/capabilities',
]


def load(url, clients, seconds):
    """(requests per second, latencies) of ``clients`` threads."""
    latencies = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    errors = []

    def client(index):
        session = requests.Session()
        session.trust_env = False
        mine = []
        turn = index
        while time.monotonic() < stop_at:
            path = PATHS[turn % len(PATHS)]
            turn += 1
            began = time.perf_counter()
            resp = session.get(url + path, timeout=60)
            mine.append(time.perf_counter() - began)
            if resp.status_code != 200:
                errors.append('%s -> %s' % (path, resp.status_code))
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(i,))
               for i in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise SystemExit('errors: %s' % errors[:5])
    return len(latencies) / (time.monotonic() - began), latencies


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_common_args(parser)
    parser.add_argument('--samples', type=int, default=1000)
    parser.add_argument('--clients', type=int, default=16)
    parser.add_argument('--seconds', type=float, default=15)
    parser.add_argument('--threads', type=int, default=8)
    args = parser.parse_args()
    cpus = multiprocessing.cpu_count()
    setups = [
        ('dev server', {}, ['--dev-server']),
        ('gunicorn 1x%d' % args.threads, {'workers': 1}, []),
        ('gunicorn %dx%d' % (cpus, args.threads), {'workers': cpus}, []),
    ]
    rows = []
    figures = {}
    with common.time_limit(args.timeout), \
            common.mongodb(args.mongodb_url) as base:
        db_url = base.rstrip('/') + '/bench_serving'
        with common.api_server(db_url) as server:
            session = requests.Session()
            for first in range(0, args.samples, 1000):
                resp = session.post(
                    server.url + '/v2/meters/cpu_util',
                    json=common.api_samples('cpu_util', first, 1000),
                    headers={'X-Roles': 'admin', 'X-User-Id': 'bench',
                             'X-Project-Id': 'bench'})
                resp.raise_for_status()
        common.log('%d samples stored', args.samples)
        for name, api, extra_args in setups:
            extra = {'api': dict(api, threads=args.threads)}
            with common.api_server(db_url, extra=extra,
                                   args=extra_args) as server:
                load(server.url, args.clients, 2)  # warm every worker
                rate, latencies = load(server.url, args.clients,
                                       args.seconds)
            figures[name] = (rate, common.median(latencies))
            rows.append([name, '%.0f' % rate,
                         '%.1f' % (1000 * common.median(latencies)),
                         '%.1f' % (1000 * percentile(latencies, 0.95))])
            common.log('%s: %.0f req/s', name, rate)
        common.drop_database(base, 'bench_serving')
    print(common.format_table(['server', 'req/s', 'median ms', 'p95 ms'],
                              rows))
    default = setups[-1][0]
    rate, med = figures[default]
    print('serving: %s %.0f req/s (%.2f x dev server), median %.1f ms'
          % (default, rate, rate / figures['dev server'][0], 1000 * med))


if __name__ == '__main__':
    main()
