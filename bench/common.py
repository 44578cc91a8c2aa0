"""Shared pieces of the benchmarks: services, data and timing.

Every service is started on 127.0.0.1 (or an external MongoDB-wire URL on
the loopback given with --mongodb-url) and stopped again by the context
managers here, whatever happens to the benchmark.
"""

import contextlib
import datetime
import os
import signal
import sys
import time
from urllib import parse
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from tests import services  # noqa: E402

LOOPBACK = ('127.0.0.1', 'localhost', '::1')
START = datetime.datetime(2015, 1, 1)


def log(fmt, *args):
    """Progress lines go to stdout, flushed, so a long run shows life."""
    print(fmt % args if args else fmt, flush=True)


def add_common_args(parser):
    parser.add_argument(
        '--mongodb-url', metavar='URL',
        default=services.mongodb_base_url(),
        help='use this MongoDB-wire server (on the loopback) instead of '
             'starting FerretDB; default $CEILOMETER_PROXY_TEST_MONGODB_URL')
    parser.add_argument(
        '--timeout', type=float, metavar='SECONDS', default=1800,
        help='abort the whole run after this long (default %(default)s)')


def check_loopback(url):
    """Refuse any server that is not on this machine's loopback."""
    host = parse.urlsplit(url).hostname or ''
    if host not in LOOPBACK and not host.startswith('127.'):
        raise SystemExit('only loopback servers are allowed: %s' % url)
    return url


class RunTimeout(Exception):
    """The benchmark ran longer than --timeout."""


@contextlib.contextmanager
def time_limit(seconds):
    """Raise RunTimeout in the main thread once ``seconds`` have passed.

    SIGTERM raises SystemExit meanwhile, so that cleanup code runs.
    """
    def expire(signum, frame):
        raise RunTimeout('run took longer than %ss' % seconds)

    def terminate(signum, frame):
        raise SystemExit('terminated by signal %d' % signum)

    previous = signal.signal(signal.SIGALRM, expire)
    # SIGTERM (as sent by timeout(1)) unwinds too, so that the services
    # started by the run are stopped.
    previous_term = signal.signal(signal.SIGTERM, terminate)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        signal.signal(signal.SIGTERM, previous_term)


@contextlib.contextmanager
def mongodb(url=None, data_dir=None):
    """The base URL of a MongoDB-wire server for the run.

    :param url: an external server to use as it is.
    :param data_dir: FerretDB's directory, kept after the run; by default
        a temporary one that is removed.
    """
    if url:
        yield check_loopback(url)
        return
    if data_dir:
        os.makedirs(data_dir, exist_ok=True)
    server = services.FerretDB(data_dir=data_dir)
    try:
        server.start()
        log('FerretDB on %s (data in %s)', server.url, server.data_dir)
        yield server.url
    finally:
        server.cleanup()


@contextlib.contextmanager
def api_server(db_url, extra=None, args=()):
    """A local-mode API process in noauth mode on ``db_url`` (``args``:
    more command-line arguments, e.g. --dev-server)."""
    server = services.ApiServer(db_url, extra=extra, args=args)
    try:
        server.start()
        log('API on %s', server.url)
        yield server
    finally:
        server.cleanup()


@contextlib.contextmanager
def storage_connection(db_url):
    """The storage driver in this process, indexes created."""
    from ceilometer_proxy import service
    from ceilometer_proxy import storage

    conf = service.prepare_service([], config_files=[])
    conn = storage.get_connection_from_config(conf, db_url)
    try:
        conn.upgrade()
        yield conn
    finally:
        conn.close()


def drop_database(base_url, name):
    client = services.mongo_client(base_url)
    try:
        client.drop_database(name)
    finally:
        client.close()


def layout(index, resources, projects):
    """(resource_id, project_id, user_id) of the index-th sample.

    Resources are spread round-robin, each resource belongs to one project
    and that project's one user.
    """
    r = index % resources
    p = r % projects
    return 'resource-%04d' % r, 'project-%02d' % p, 'user-%02d' % p


def volume(index):
    """A deterministic, varied sample volume."""
    return float((index * 7919) % 1000) / 10.0


def metering_messages(meter, first, count, resources=100, projects=10,
                      start=START, spacing=1.0):
    """Metering messages (storage format) for samples first..first+count-1.

    Sample i is at ``start + i * spacing`` seconds.
    """
    return messages_for(meter, range(first, first + count), resources,
                        projects, start, spacing)


def messages_for(meter, indices, resources=100, projects=10, start=START,
                 spacing=1.0):
    """Metering messages (storage format) of the given sample indices."""
    out = []
    for i in indices:
        resource_id, project_id, user_id = layout(i, resources, projects)
        out.append({'counter_name': meter,
                    'counter_type': 'gauge',
                    'counter_unit': '%',
                    'counter_volume': volume(i),
                    'user_id': user_id,
                    'project_id': project_id,
                    'resource_id': resource_id,
                    'timestamp': start + datetime.timedelta(
                        seconds=i * spacing),
                    'resource_metadata': {'flavor': 'm1.small',
                                          'host': 'host-%d' % (i % 7)},
                    'source': 'bench',
                    'message_id': str(uuid.uuid4()),
                    'message_signature': ''})
    return out


def api_samples(meter, first, count, resources=100, projects=10,
                start=START, spacing=0.001):
    """Samples in the shape POST /v2/meters/<meter> takes."""
    step = datetime.timedelta(seconds=spacing)
    out = []
    for i in range(first, first + count):
        resource_id, project_id, user_id = layout(i, resources, projects)
        out.append({'counter_name': meter,
                    'counter_type': 'gauge',
                    'counter_unit': '%',
                    'counter_volume': volume(i),
                    'resource_id': resource_id,
                    'project_id': project_id,
                    'user_id': user_id,
                    'timestamp': (start + i * step).isoformat(),
                    'resource_metadata': {'flavor': 'm1.small'}})
    return out


def timed(func, *args, **kwargs):
    """(seconds, result) of one call."""
    began = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - began, result


def median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2.0


def format_table(header, rows):
    """A plain text table, columns padded to their widest cell."""
    cells = [list(map(str, header))] + [list(map(str, r)) for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        lines.append('  '.join(c.rjust(w) if n and i else c.ljust(w)
                               for i, (c, w) in enumerate(zip(row, widths))))
        if n == 0:
            lines.append('  '.join('-' * w for w in widths))
    return '\n'.join(lines)
