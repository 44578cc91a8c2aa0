#!/usr/bin/env python3
"""Statistics benchmark: samples folded per second by /statistics.

Starts FerretDB (or uses --mongodb-url), loads --samples samples of one
meter straight through the storage driver (spread over --resources
resources and --projects projects, one second apart), then times
GET /v2/meters/<meter>/statistics through a running API for a few query
shapes, and the same storage calls in this process, so that HTTP and JSON
overhead can be told apart from the store scan. It prints a table, the
top functions of one in-process call under cProfile and, as its last
line, ``statistics: <N> samples/s (plain, summaries), period=3600 <M>
samples/s (summaries), scan <R> x the raw read``: the plain and hourly
queries over HTTP with the path the store answered them from, and the
scan path (summaries off) against the store's own projected-cursor read
rate in the same run (goals: >= 1,000,000 samples/s from the summaries,
>= 0.9 x for the scan).

With --state-dir the store's data is kept there and a dataset of the same
shape is reused by the next run instead of being loaded again.
"""

import argparse
import concurrent.futures
import cProfile
import io
import json
import os
import pstats
import sys
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

METER = 'bench.cpu_util'
DB_NAME = 'bench_statistics'
MARKER = 'dataset.json'

# (label, query parameters, period, groupby)
QUERIES = [
    ('plain', {}, None, None),
    ('period=3600', {'period': 3600}, 3600, None),
    ('groupby=resource_id', {'groupby': 'resource_id'}, None,
     ['resource_id']),
    ('groupby=project_id&period=3600',
     {'groupby': 'project_id', 'period': 3600}, 3600, ['project_id']),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--samples', type=int, default=1000000,
                        help='samples in the dataset (default %(default)s)')
    parser.add_argument('--resources', type=int, default=100,
                        help='distinct resources (default %(default)s)')
    parser.add_argument('--projects', type=int, default=10,
                        help='distinct projects (default %(default)s)')
    parser.add_argument('--chunk', type=int, default=10000,
                        help='samples per storage write while loading '
                             '(default %(default)s)')
    parser.add_argument('--repeat', type=int, default=3,
                        help='timed runs of each query (default %(default)s)')
    parser.add_argument('--queries', metavar='LABELS',
                        default=','.join(q[0] for q in QUERIES),
                        help='comma-separated query labels to time; plain '
                             'is always timed (default: all of %(default)s)')
    parser.add_argument('--scan-repeat', type=int, default=3,
                        help='timed runs of the raw read and of the scan '
                             '(each reads every sample; default '
                             '%(default)s)')
    parser.add_argument('--state-dir', metavar='DIR',
                        help='keep the store\'s data here and reuse a '
                             'dataset of the same shape found there')
    parser.add_argument('--quick', action='store_true',
                        help='small run for a smoke test (50,000 samples)')
    common.add_common_args(parser)
    parser.set_defaults(timeout=3600)
    args = parser.parse_args(argv)
    if args.quick:
        args.samples = min(args.samples, 50000)
    if min(args.samples, args.resources, args.projects, args.chunk,
           args.repeat) < 1:
        parser.error('sizes and counts must be >= 1')
    wanted = set(args.queries.split(',')) | {'plain'}
    unknown = wanted - {q[0] for q in QUERIES}
    if unknown:
        parser.error('unknown queries: %s' % ', '.join(sorted(unknown)))
    args.queries = [q for q in QUERIES if q[0] in wanted]
    return args


# -- the dataset ----------------------------------------------------------

def dataset_shape(args):
    return {'meter': METER, 'samples': args.samples,
            'resources': args.resources, 'projects': args.projects,
            'start': common.START.isoformat(), 'spacing': 1.0}


def load_chunks(args):
    """Index lists of the samples to write, one resource at a time.

    The dataset is the same whatever the order; writing each resource's
    samples together keeps the resource documents touched per write few.
    """
    for r in range(min(args.resources, args.samples)):
        indices = range(r, args.samples, args.resources)
        for first in range(0, len(indices), args.chunk):
            yield indices[first:first + args.chunk]


def load(conn, args):
    """Write the dataset; message generation overlaps the writes."""
    began = time.perf_counter()
    done = 0
    next_report = began + 10
    chunks = load_chunks(args)

    def make(indices):
        return common.messages_for(METER, indices, args.resources,
                                   args.projects)

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pending = None
        first = next(chunks, None)
        if first is not None:
            pending = pool.submit(make, first)
        while pending is not None:
            messages = pending.result()
            following = next(chunks, None)
            pending = (pool.submit(make, following)
                       if following is not None else None)
            conn.record_metering_data_batch(messages)
            done += len(messages)
            now = time.perf_counter()
            if now >= next_report:
                common.log('  loaded %d/%d samples (%.0f samples/s)',
                           done, args.samples, done / (now - began))
                next_report = now + 10
    seconds = time.perf_counter() - began
    common.log('loaded %d samples in %.1f s (%.0f samples/s)',
               done, seconds, done / seconds)


def stored_samples(conn):
    """Samples of the meter, as the storage driver's statistics count them.

    (Counting documents would read the whole collection on FerretDB.)
    """
    began = time.perf_counter()
    count = sum(s.count for s in store_call(conn, None, None))
    common.log('store holds %d samples of %s (counted in %.1f s)',
               count, METER, time.perf_counter() - began)
    return count


def prepare_dataset(conn, args):
    """Reuse the dataset in --state-dir if it is complete, else load it."""
    marker = (os.path.join(args.state_dir, MARKER)
              if args.state_dir else None)
    shape = dataset_shape(args)
    if marker and os.path.exists(marker):
        with open(marker) as f:
            found = json.load(f)
        if found == shape:
            count = stored_samples(conn)
            if count == args.samples:
                common.log('reusing the dataset in %s (%d samples)',
                           args.state_dir, count)
                return
            common.log('dataset in %s has %d samples, not %d: reloading',
                       args.state_dir, count, args.samples)
        os.remove(marker)
    # Start from an empty database, set up as the driver sets up a new one.
    conn.clear()
    conn.upgrade()
    load(conn, args)
    # What ceilometer-proxy-housekeeping does for past hours: one summary
    # per series and hour instead of one per write.
    began = time.perf_counter()
    saved = conn.compact_summaries()
    common.log('summaries compacted (%d documents merged away) in %.1f s',
               saved, time.perf_counter() - began)
    count = stored_samples(conn)
    if count != args.samples:
        raise SystemExit('statistics: stored %d samples, wanted %d'
                         % (count, args.samples))
    if marker:
        with open(marker, 'w') as f:
            json.dump(shape, f)


# -- timing ---------------------------------------------------------------

def check_total(label, rows, samples):
    total = sum(r['count'] if isinstance(r, dict) else r.count
                for r in rows)
    if total != samples:
        raise SystemExit('statistics: %s counted %d samples, not %d'
                         % (label, total, samples))


def time_http(session, base_url, params, repeat):
    url = '%s/v2/meters/%s/statistics' % (base_url, METER)
    times = []
    rows = None
    for _ in range(repeat):
        began = time.perf_counter()
        resp = session.get(url, params=params, timeout=900)
        if resp.status_code != 200:
            raise SystemExit('GET statistics %s -> %s: %s'
                             % (params, resp.status_code, resp.text[:500]))
        rows = resp.json()
        times.append(time.perf_counter() - began)
    return times, rows


def store_call(conn, period, groupby):
    from ceilometer_proxy import storage

    f = storage.SampleFilter(meter=METER)
    return conn.get_meter_statistics(f, period, groupby, [])


def time_store(conn, period, groupby, repeat):
    times = []
    rows = None
    for _ in range(repeat):
        seconds, rows = common.timed(store_call, conn, period, groupby)
        times.append(seconds)
    return times, rows


def path_of(conn, groupby):
    """Which path the store answers a query of the bench with."""
    from ceilometer_proxy import storage

    return conn.statistics_source(storage.SampleFilter(meter=METER),
                                  groupby, [])


def time_raw_read(conn, repeat):
    """Median seconds of reading every sample of the meter through a
    projected cursor, the fields a scan folds and nothing else: the
    store's own read rate, the ceiling of the scan path."""
    from ceilometer_proxy.storage import impl_mongodb
    from ceilometer_proxy.storage import statistics

    projection = statistics.StatisticsBuilder(
        period=None, origin=None, groupby=None, aggregates=[]).projection
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        count = 0
        for _doc in conn.meter.find({'counter_name': METER},
                                    projection=projection,
                                    batch_size=impl_mongodb.STREAM_BATCH):
            count += 1
        times.append(time.perf_counter() - began)
    return common.median(times), count


def time_scan(conn, repeat):
    """Median seconds of the plain query with the summaries turned off
    (the scan path), and its rows."""
    conn.conf.set_override('statistics_summaries', False, group='database')
    try:
        return time_store(conn, None, None, repeat)
    finally:
        conn.conf.clear_override('statistics_summaries', group='database')


def profile_store(conn):
    profiler = cProfile.Profile()
    profiler.enable()
    store_call(conn, None, None)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats('cumulative').print_stats(15)
    return out.getvalue()


def run(args, results, reads):
    """Load or reuse the dataset and time every query.

    ``results`` gets one (label, path, rows, http median, store median)
    per query as soon as it is timed, so that a run cut short by
    --timeout still reports what it measured; ``reads`` gets the medians
    of the raw projected read (``raw``) and of the scan path (``scan``).
    Returns the profile of the plain query (taken right after timing
    it).
    """
    common.log('statistics: %d samples, %d resources, %d projects',
               args.samples, args.resources, args.projects)
    data_dir = None
    if args.state_dir:
        args.state_dir = os.path.abspath(args.state_dir)
        data_dir = os.path.join(args.state_dir, 'ferretdb')
    db_name = DB_NAME
    if args.mongodb_url and not args.state_dir:
        db_name = services.unique_db_name(DB_NAME)
    profile = None
    with common.mongodb(args.mongodb_url, data_dir) as base:
        db_url = services.db_url(base, db_name)
        try:
            with common.storage_connection(db_url) as conn:
                prepare_dataset(conn, args)
                with common.api_server(db_url) as api, \
                        requests.Session() as session:
                    for label, params, period, groupby in args.queries:
                        http_times, http_rows = time_http(
                            session, api.url, params, args.repeat)
                        check_total(label, http_rows, args.samples)
                        store_times, store_rows = time_store(
                            conn, period, groupby, args.repeat)
                        check_total(label, store_rows, args.samples)
                        results.append((label, path_of(conn, groupby),
                                        len(http_rows),
                                        common.median(http_times),
                                        common.median(store_times)))
                        common.log('  %s: http %s s, store %s s', label,
                                   _times(http_times), _times(store_times))
                        if label == 'plain':
                            profile = profile_store(conn)
                # In turn, so that the machine's drifts hit both.
                raw_times, scan_times = [], []
                for _ in range(args.scan_repeat):
                    seconds, raw_count = time_raw_read(conn, 1)
                    if raw_count != args.samples:
                        raise SystemExit('statistics: the raw read saw %d '
                                         'samples, not %d'
                                         % (raw_count, args.samples))
                    raw_times.append(seconds)
                    times, scan_rows = time_scan(conn, 1)
                    check_total('scan', scan_rows, args.samples)
                    scan_times.extend(times)
                common.log('  raw read %s s, scan %s s', _times(raw_times),
                           _times(scan_times))
                reads.update(raw=common.median(raw_times),
                             scan=common.median(scan_times))
        finally:
            if args.mongodb_url and not args.state_dir:
                common.drop_database(base, db_name)
    return profile


def _times(values):
    return '/'.join('%.2f' % v for v in values)


def report(args, results, reads, profile):
    rows = []
    for label, path, count, http_s, store_s in results:
        rows.append((label, path, count, '%.3f' % http_s,
                     '%d' % (args.samples / http_s), '%.3f' % store_s,
                     '%d' % (args.samples / store_s),
                     '%.0f%%' % (100.0 * (http_s - store_s) / http_s)))
    common.log('')
    common.log('medians of %d runs over %d samples:', args.repeat,
               args.samples)
    common.log(common.format_table(
        ('query', 'answered from', 'rows', 'http s', 'http samples/s',
         'store s', 'store samples/s', 'http overhead'), rows))
    if reads:
        common.log('raw projected cursor read: %d samples/s; scan path '
                   '(summaries off, plain query): %d samples/s = %.2f x '
                   'the raw read (goal >= 0.9)', args.samples / reads['raw'],
                   args.samples / reads['scan'],
                   reads['raw'] / reads['scan'])
    common.log('')
    if profile:
        common.log('in-process storage call (plain query) under cProfile, '
                   'top 15 by cumulative time:')
        common.log(profile.rstrip())
        common.log('')


def main(argv=None):
    args = parse_args(argv)
    results = []
    reads = {}
    profile = None
    status = 0
    try:
        with common.time_limit(args.timeout):
            profile = run(args, results, reads)
    except common.RunTimeout as err:
        common.log('statistics: %s; results so far follow', err)
        status = 1
    report(args, results, reads, profile)
    if not results:
        raise SystemExit('statistics: no query was timed')
    plain = results[0]
    line = 'statistics: %d samples/s (plain, %s)' % (
        int(args.samples / plain[3]), plain[1])
    periods = [r for r in results if r[0] == 'period=3600']
    if periods:
        line += ', period=3600 %d samples/s (%s)' % (
            int(args.samples / periods[0][3]), periods[0][1])
    if reads:
        line += ', scan %.2f x the raw read' % (reads['raw'] / reads['scan'])
    print(line, flush=True)
    return status


if __name__ == '__main__':
    sys.exit(main())
