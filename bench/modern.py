#!/usr/bin/env python3
"""Modern-region benchmark: the cascading API in front of Gnocchi.

Starts FerretDB (or uses --mongodb-url), a private PostgreSQL, Gnocchi
4.7.1 + Aodh 23.0.0 (cached virtualenvs) and real API processes:

1. Overhead: a Gnocchi region and a cascading API in front of it; the
   hourly statistics of one registered resource over --hours hours,
   asked through the cascading API and, alternately, straight from
   Gnocchi with the one native call that answers the same question
   (``POST /v1/aggregates`` of the metric's count, sum, min and max):
   the ratio of the medians (goal <= 1.15).
2. Fan-out: two local-mode v2 regions and the Gnocchi region, each behind
   a TCP proxy adding --latency ms to every request, and a cascading API
   in front of the proxies; project-wide statistics (explicit hour-aligned
   bounds) through the cascading API against the same question asked of
   each region directly through its proxy: the ratio to the slowest
   region (goal <= 1.3).

The last line is ``modern: overhead 1.07x, fan-out 1.12x``.
"""

import argparse
import datetime
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

import requests  # noqa: E402

from bench import cascading as cascading_bench  # noqa: E402
from bench import common  # noqa: E402
from ceilometer_proxy import utils  # noqa: E402
from tests import deployment  # noqa: E402
from tests import modern  # noqa: E402
from tests import postgres  # noqa: E402
from tests import services  # noqa: E402

METER = 'bench.cpu_util'
POLICY = 'bench-hourly'
# Minutes for two days, hours for thirty.
POLICY_DEFINITION = [(60, 2 * 1440), (3600, 30 * 24)]
PROJECT = 'project-00'
ADMIN = deployment.ADMIN
STANDARD = ('count', 'max', 'min', 'sum')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    common.add_common_args(parser)
    parser.add_argument('--calls', type=int, default=200,
                        help='timed calls per measurement')
    parser.add_argument('--hours', type=int, default=24,
                        help='hours of minutely measures per resource')
    parser.add_argument('--latency', type=float, default=100.0,
                        help='ms of delay in front of each fan-out region')
    parser.add_argument('--fanout-calls', type=int, default=20,
                        help='timed calls of the fan-out measurement')
    parser.add_argument('--fanout-resources', type=int, default=5,
                        help='resources per region in the fan-out')
    parser.add_argument('--fanout-hours', type=int, default=2,
                        help='hours of minutely samples per fan-out '
                             'resource (small: the regions answer in a few '
                             'ms, so the latency, not the 2 cores they '
                             'share, sets the pace)')
    return parser.parse_args(argv)


def window(hours):
    """(start, stop): whole hours ending at the last full hour."""
    stop = utils.floor_to_period(utils.utcnow(), 3600)
    return stop - datetime.timedelta(hours=hours), stop


def minutes(start, hours, offset=0):
    """[(timestamp, value)] every minute of ``hours`` hours."""
    return [(start + datetime.timedelta(minutes=m, seconds=offset),
             float((m * 7 + offset) % 100)) for m in range(hours * 60)]


def seed_gnocchi(region, resource_ids, start, hours):
    for rid in resource_ids:
        region.create_resource(rid, PROJECT, 'user-00', metrics=(METER,),
                               policy=POLICY)
    for first in range(0, len(resource_ids), 10):
        region.post_measures({rid: {METER: minutes(start, hours)}
                              for rid in resource_ids[first:first + 10]})
    region.wait_for_processing(timeout=600)


def seed_v2(cascade, name, resource_ids, start, hours):
    messages = []
    for n, rid in enumerate(resource_ids):
        for ts, value in minutes(start, hours, offset=n % 60):
            messages.append(services.make_message(
                METER, value, rid, ts, project_id=PROJECT, user_id='user-00',
                counter_unit='%'))
    cascade.seed(name, messages)


def statistics_query(start, stop, *terms):
    params = [('period', 3600)]
    for field, op, value in terms + (('timestamp', 'ge', start.isoformat()),
                                     ('timestamp', 'lt', stop.isoformat())):
        params += [('q.field', field), ('q.op', op), ('q.value', value)]
    return params


def timed(session, method, url, **kwargs):
    def measure():
        began = time.perf_counter()
        resp = session.request(method, url, **kwargs)
        elapsed = time.perf_counter() - began
        resp.raise_for_status()
        return elapsed
    return measure


def overhead(cascade, region, start, stop, args):
    """(through cascading, straight to Gnocchi) median seconds."""
    seed_gnocchi(region, ['gn-bench'], start, args.hours)
    cascade.register('vm-bench', region='regionG', cascaded_id='gn-bench',
                     project_id=PROJECT, user_id='user-00')
    metric_id = region.gnocchi('GET', '/v1/resource/generic/gn-bench')[
        'metrics'][METER]
    session = requests.Session()
    via = timed(session, 'GET', cascade.url + '/v2/meters/%s/statistics'
                % METER, headers=ADMIN, params=statistics_query(
                    start, stop, ('resource_id', 'eq', 'vm-bench')))
    native = timed(session, 'POST', region.gnocchi_url + '/v1/aggregates',
                   headers=region.gnocchi_headers(),
                   params={'granularity': 3600, 'start': start.isoformat(),
                           'stop': stop.isoformat()},
                   json={'operations': ['metric'] + [
                       [metric_id, m] for m in STANDARD]})
    check = session.get(cascade.url + '/v2/meters/%s/statistics' % METER,
                        headers=ADMIN, params=statistics_query(
                            start, stop, ('resource_id', 'eq', 'vm-bench')))
    assert sum(s['count'] for s in check.json()) == args.hours * 60, \
        check.text
    return cascading_bench.alternate(args.calls, via, native)


def fan_out(base_url, pg, args):
    """(slowest region direct, through cascading) median seconds."""
    start, stop = window(args.fanout_hours)
    region = modern.ModernRegion(pg)
    cascade = deployment.Cascade(base_url)
    proxies = {}
    try:
        cascade.add_gnocchi_region('regionG', pg, modern_region=region)
        for name in ('regionOne', 'regionTwo'):
            cascade.add_v2_region(name)
        cascade.start(cascading=False)   # the Gnocchi region too
        region.add_policy(POLICY, POLICY_DEFINITION)
        ids = ['gn-%02d' % n for n in range(args.fanout_resources)]
        seed_gnocchi(region, ids, start, args.fanout_hours)
        for name in ('regionOne', 'regionTwo'):
            seed_v2(cascade, name, ['%s-%02d' % (name, n) for n in
                                    range(args.fanout_resources)],
                    start, args.fanout_hours)
        delay = args.latency / 1000.0
        proxies = {
            'regionOne': cascading_bench.DelayProxy(
                cascade.regions['regionOne'].server.port, delay),
            'regionTwo': cascading_bench.DelayProxy(
                cascade.regions['regionTwo'].server.port, delay),
            'gnocchi': cascading_bench.DelayProxy(region.gnocchi_port,
                                                  delay)}
        server = cascade.start_cascading({
            'cascading': {'regions': 'regionOne:%s,regionTwo:%s,regionG' % (
                proxies['regionOne'].url, proxies['regionTwo'].url)},
            'region:regionG': {'metric_endpoint': proxies['gnocchi'].url}})
        return measure_fan_out(server, region, proxies, start, stop, args)
    finally:
        for proxy in proxies.values():
            proxy.close()
        cascade.cleanup()
        region.cleanup()


def measure_fan_out(server, region, proxies, start, stop, args):
    session = requests.Session()
    query = statistics_query(start, stop, ('project_id', 'eq', PROJECT))
    path = '/v2/meters/%s/statistics' % METER
    native_body = {'resource_type': 'generic',
                   'search': {'=': {'project_id': PROJECT}},
                   'operations': ['metric'] + [[METER, m] for m in STANDARD]}
    directs = [
        timed(session, 'GET', proxies[name].url + path, headers=ADMIN,
              params=query) for name in ('regionOne', 'regionTwo')]
    directs.append(timed(
        session, 'POST', proxies['gnocchi'].url + '/v1/aggregates',
        headers=region.gnocchi_headers(), json=native_body,
        params={'granularity': 3600, 'start': start.isoformat(),
                'stop': stop.isoformat(), 'details': 'true'}))
    via = timed(session, 'GET', server.url + path, headers=ADMIN,
                params=query)
    total = sum(s['count'] for s in session.get(
        server.url + path, headers=ADMIN, params=query).json())
    assert total == 3 * args.fanout_resources * args.fanout_hours * 60, \
        total
    medians = cascading_bench.alternate(args.fanout_calls, via, *directs)
    return max(medians[1:]), medians[0]


def run(args):
    start, stop = window(args.hours)
    with common.mongodb(args.mongodb_url) as base_url:
        pg = postgres.PostgreSQL().start()
        try:
            region = modern.ModernRegion(pg)
            cascade = deployment.Cascade(base_url)
            try:
                cascade.add_gnocchi_region('regionG', pg,
                                           modern_region=region)
                region.start()
                region.add_policy(POLICY, POLICY_DEFINITION)
                cascade.start()
                via, native = overhead(cascade, region, start, stop, args)
            finally:
                cascade.cleanup()
                region.cleanup()
            slowest, fanned = fan_out(base_url, pg, args)
        finally:
            pg.cleanup()
    rows = [
        ('one resource, %d hourly statistics, straight to Gnocchi'
         % args.hours, '%.2f ms' % (1000 * native), ''),
        ('same through the cascading API', '%.2f ms' % (1000 * via),
         '%.2fx' % (via / native)),
        ('project statistics, slowest region direct (+%d ms)'
         % args.latency, '%.1f ms' % (1000 * slowest), ''),
        ('same through cascading, 2 v2 + 1 Gnocchi regions in parallel',
         '%.1f ms' % (1000 * fanned), '%.2fx' % (fanned / slowest)),
    ]
    print(common.format_table(('measure', 'median', 'ratio'), rows))
    return 'modern: overhead %.2fx, fan-out %.2fx' % (
        via / native, fanned / slowest)


def main(argv=None):
    args = parse_args(argv)
    with common.time_limit(args.timeout):
        line = run(args)
    print(line)
    return 0


if __name__ == '__main__':
    sys.exit(main())
