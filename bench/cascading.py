#!/usr/bin/env python3
"""Cascading benchmark: proxy overhead, fan-out latency, region client.

Starts FerretDB (or uses --mongodb-url) and real API processes:

1. Overhead: one local-mode region and a cascading API in front of it;
   the statistics of one resource, asked through the cascading API and
   directly from the region, alternately, --calls times each: the ratio of
   the medians (goal <= 1.15).
2. Fan-out: --regions regions, each behind a small TCP proxy that delays
   every request by --latency ms, and a cascading API in front of the
   proxies; project-wide statistics through the cascading API against the
   same query sent straight to the slowest proxied region (goal <= 1.3x).
   Without a period this is one round of region calls; with a period and
   no start it is two (the earliest first sample is found first, so that
   buckets line up), shown in the table too.
3. Region client: the same single-resource statistics call against the
   region through this project's thin client (cascading.client) and
   through python-ceilometerclient 2.9.0 (its own virtualenv,
   tools/build-client-venv.sh), per-call medians side by side.

If bench/cascading_alarms.py is present its run() is called too. The last
line is ``cascading: overhead 1.07x, fan-out 1.12x, ...``.
"""

import argparse
import datetime
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

import requests  # noqa: E402

from bench import common  # noqa: E402
from tests import deployment  # noqa: E402

METER = 'bench.cpu_util'
ADMIN = {'X-User-Id': 'admin', 'X-Project-Id': 'admin', 'X-Roles': 'admin'}
# Over the builder's cascading settings: the slow fan-out regions get
# 30 s before a call to them counts as failed.
CASCADING = {'cascading': {'http_timeout': 30}}
CLIENT_SCRIPT = '''
import json, statistics, sys, time, warnings
warnings.simplefilter('ignore')
from ceilometerclient import client
url, meter, rid = sys.argv[1:4]
calls = int(sys.argv[4])
c = client.get_client(2, os_endpoint=url, os_token='x')
q = [{'field': 'resource_id', 'op': 'eq', 'value': rid}]
c.statistics.list(meter, q=q)
times = []
for _ in range(calls):
    t = time.perf_counter()
    c.statistics.list(meter, q=q)
    times.append(time.perf_counter() - t)
print(json.dumps(statistics.median(times)))
'''


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    common.add_common_args(parser)
    parser.add_argument('--calls', type=int, default=200,
                        help='timed calls per measurement')
    parser.add_argument('--samples', type=int, default=1000,
                        help='samples of the measured resource')
    parser.add_argument('--regions', type=int, default=5,
                        help='regions of the fan-out measurement')
    parser.add_argument('--latency', type=float, default=100.0,
                        help='ms of delay injected in front of each region')
    parser.add_argument('--fanout-calls', type=int, default=20,
                        help='timed calls of the fan-out measurement')
    parser.add_argument('--fanout-samples', type=int, default=200,
                        help='samples per region in the fan-out measurement')
    parser.add_argument('--no-alarms', action='store_true',
                        help='skip bench/cascading_alarms.py')
    return parser.parse_args(argv)


class DelayProxy(object):
    """A TCP proxy on a free loopback port that holds every chunk the
    client sends for ``delay`` seconds before passing it on: one delay per
    HTTP request on a kept-alive connection."""

    def __init__(self, target_port, delay):
        self.target_port = target_port
        self.delay = delay
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.port

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            upstream = socket.create_connection(('127.0.0.1',
                                                 self.target_port))
            for src, dst, delay in ((client, upstream, self.delay),
                                    (upstream, client, 0)):
                threading.Thread(target=self._pump, args=(src, dst, delay),
                                 daemon=True).start()

    @staticmethod
    def _pump(src, dst, delay):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if delay:
                    time.sleep(delay)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self.closed = True
        self.sock.close()


def seed(db_url, messages):
    with common.storage_connection(db_url) as conn:
        conn.record_metering_data_batch(messages)


def resource_messages(resource_id, count, project='project-00'):
    out = common.metering_messages(METER, 0, count, resources=1, projects=1)
    for m in out:
        m['resource_id'] = resource_id
        m['project_id'] = project
    return out


def behind(proxies):
    """[cascading] regions naming each region's DelayProxy, {name:
    proxy}, instead of the region's own API."""
    return {'cascading': {'regions': ','.join(
        '%s:%s' % (name, proxy.url) for name, proxy in proxies.items())}}


def median_call(session, url, params, calls):
    times = []
    for _ in range(calls):
        began = time.perf_counter()
        resp = session.get(url, params=params, headers=ADMIN)
        times.append(time.perf_counter() - began)
        resp.raise_for_status()
    return common.median(times)


def alternate(calls, *measures):
    """Medians of measures run in turn, so that load drifts hit all."""
    times = [[] for _ in measures]
    for _ in range(calls):
        for i, measure in enumerate(measures):
            times[i].append(measure())
    return [common.median(t) for t in times]


def timed_get(session, url, params):
    def measure():
        began = time.perf_counter()
        resp = session.get(url, params=params, headers=ADMIN)
        elapsed = time.perf_counter() - began
        resp.raise_for_status()
        return elapsed
    return measure


def overhead(base_url, args):
    """One region and a cascading API in front: (via, direct, floor) of
    measure_overhead(), then compare_clients()."""
    cascade = deployment.Cascade(base_url, cascading_extra=CASCADING)
    try:
        region = cascade.add_v2_region('regionOne').server
        seed(region.db_url, resource_messages('c-vm', args.samples))
        server = cascade.start().cascading
        common.log('region API on %s, cascading API on %s', region.url,
                   server.url)
        via, direct, floor = measure_overhead(server, region, args)
        thin, cclient = compare_clients(region.url, args)
    finally:
        cascade.cleanup()
    return via, direct, floor, thin, cclient


def measure_overhead(server, region, args):
    """Median seconds of the statistics of one resource through the
    cascading API, straight from the region, and of a map-only call."""
    session = requests.Session()
    session.post(server.url + '/v2/resources', headers=ADMIN,
                 json={'resource_id': 'vm', 'project_id': 'p',
                       'user_id': 'u',
                       'metadata': {'region': 'regionOne',
                                    'cascaded_resource_id': 'c-vm',
                                    'type': 'nova.instance'}}
                 ).raise_for_status()
    path = '/v2/meters/%s/statistics' % METER
    return alternate(
        args.calls,
        timed_get(session, server.url + path,
                  {'q.field': 'resource_id', 'q.value': 'vm'}),
        timed_get(session, region.url + path,
                  {'q.field': 'resource_id', 'q.value': 'c-vm'}),
        timed_get(session, server.url + '/v2/resources/vm', {}))


def compare_clients(region_url, args):
    from ceilometer_proxy.cascading import caller
    from ceilometer_proxy.cascading import client
    from ceilometer_proxy.cascading import regions
    from ceilometer_proxy import service

    conf = service.prepare_service([], config_files=[])
    conf.set_override('auth_mode', 'noauth', group='api')
    conf.set_override('regions', ['regionOne:' + region_url],
                      group='cascading')
    conf.set_override('region_discovery', 'static', group='cascading')
    rc = client.RegionClient('regionOne', regions.StaticRegions(conf), conf)
    # The headers the v2 region driver sends for such a caller.
    who = caller.Caller(token='x').forward_headers(conf)
    path = '/v2/meters/%s/statistics' % METER
    params = [('q.field', 'resource_id'), ('q.op', 'eq'),
              ('q.value', 'c-vm')]
    rc.request('GET', path, who, params=params)
    times = []
    for _ in range(args.calls):
        began = time.perf_counter()
        rc.request('GET', path, who, params=params)
        times.append(time.perf_counter() - began)
    thin = common.median(times)
    binary = subprocess.run(
        [os.path.join(common.REPO, 'tools', 'build-client-venv.sh')],
        check=True, stdout=subprocess.PIPE, text=True,
        timeout=900).stdout.strip().splitlines()[-1]
    python = os.path.join(os.path.dirname(binary), 'python')
    out = subprocess.run([python, '-c', CLIENT_SCRIPT, region_url, METER,
                          'c-vm', str(args.calls)], check=True,
                         stdout=subprocess.PIPE, text=True, timeout=900)
    return thin, json.loads(out.stdout.strip().splitlines()[-1])


def fan_out(base_url, args):
    """--regions seeded regions, each behind a DelayProxy, and a cascading
    API in front of the proxies: measure_fan_out()'s figures."""
    names = ['region%d' % (n + 1) for n in range(args.regions)]
    cascade = deployment.Cascade(base_url, cascading_extra=CASCADING)
    proxies = {}
    try:
        for n, name in enumerate(names):
            region = cascade.add_v2_region(name).server
            seed(region.db_url, fan_out_messages(n, args.fanout_samples))
        cascade.start(cascading=False)
        proxies = {name: DelayProxy(cascade.regions[name].server.port,
                                    args.latency / 1000.0)
                   for name in names}
        server = cascade.start_cascading(behind(proxies))
        return measure_fan_out(server, list(proxies.values()), args)
    finally:
        for proxy in proxies.values():
            proxy.close()
        cascade.cleanup()


def fan_out_messages(n, count):
    """The samples of region n: one resource, 7 s apart, offset by n s."""
    start = datetime.datetime(2015, 1, 1)
    messages = resource_messages('vm-%d' % n, count)
    for i, m in enumerate(messages):
        m['timestamp'] = start + datetime.timedelta(seconds=i * 7 + n)
    return messages


def measure_fan_out(server, proxies, args):
    """(slowest proxied region direct, through cascading, with a period)
    median seconds of project-wide statistics."""
    session = requests.Session()
    path = '/v2/meters/%s/statistics' % METER
    query = {'q.field': 'project_id', 'q.value': 'project-00'}
    directs = [median_call(session, p.url + path, query,
                           args.fanout_calls) for p in proxies]
    plain = median_call(session, server.url + path, query,
                        args.fanout_calls)
    periodic = median_call(session, server.url + path,
                           dict(query, period=3600), args.fanout_calls)
    check = session.get(server.url + path, params=query,
                        headers=ADMIN).json()
    assert check[0]['count'] == args.fanout_samples * args.regions, check
    return max(directs), plain, periodic


def alarm_figure():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        'cascading_alarms.py')
    if not os.path.exists(path):
        return None
    from bench import cascading_alarms

    if not hasattr(cascading_alarms, 'run'):
        return None
    alarm_args = cascading_alarms.parse_args([])
    return cascading_alarms.run(alarm_args)


def run(args):
    with common.mongodb(args.mongodb_url) as base_url:
        via, direct, floor, thin, cclient = overhead(base_url, args)
        slowest, plain, periodic = fan_out(base_url, args)
    rows = [
        ('single-resource statistics, direct to the region', '%.2f ms'
         % (1000 * direct), ''),
        ('same through the cascading API', '%.2f ms' % (1000 * via),
         '%.2fx' % (via / direct)),
        ('cascading API alone (GET /v2/resources/<id>, map only)',
         '%.2f ms' % (1000 * floor), ''),
        ('thin region client (urllib3 pool)', '%.2f ms' % (1000 * thin),
         ''),
        ('python-ceilometerclient 2.9.0', '%.2f ms' % (1000 * cclient),
         '%.2fx the thin client' % (cclient / thin)),
        ('project statistics, slowest region direct (+%d ms)'
         % args.latency, '%.1f ms' % (1000 * slowest), ''),
        ('same through cascading, %d regions' % args.regions,
         '%.1f ms' % (1000 * plain), '%.2fx' % (plain / slowest)),
        ('with period, no start (two rounds)', '%.1f ms' % (1000 * periodic),
         '%.2fx' % (periodic / slowest)),
    ]
    print(common.format_table(('measure', 'median', 'ratio'), rows))
    line = ('cascading: overhead %.2fx, fan-out %.2fx, ceilometerclient '
            '%.2fx the thin client' % (via / direct, plain / slowest,
                                       cclient / thin))
    return line


def main(argv=None):
    args = parse_args(argv)
    with common.time_limit(args.timeout):
        line = run(args)
        alarms = None if args.no_alarms else alarm_figure()
    if alarms:
        print(alarms)
        line += ', alarms: %s' % alarms.split(': ', 1)[-1]
    print(line)
    return 0


if __name__ == '__main__':
    sys.exit(main())
