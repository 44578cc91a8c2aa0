#!/usr/bin/env python3
"""Watcher benchmark: measurements per second from a PUSH peer.

A separate process plays a watcher-metering agent and pushes --count
msgpack measurements (the real agent's shape) as fast as it can to a
nanomsg PULL endpoint. The receiving process runs the receiver the
``watcher`` pollster and the standalone listener share (decode, validate,
bounded buffer) and, in another thread, drains the buffer the way each
consumer does, side by side:

* ``drain``: items only (the buffer's own cost);
* ``sample``: each item made a Ceilometer sample and then the signed
  metering message the polling agent sends for it (what the ``watcher``
  pollster costs inside ceilometer-polling); run in the Ceilometer 27
  virtualenv of ``tools/build-peer-venv.sh ceilometer``, skipped if absent;
* ``metering``: each item made the signed metering message the
  standalone listener publishes.

The nanomsg binding is compared too: ``pynng-drain`` is the ``drain``
path received through ``pynng`` (nng, interoperable on the wire) instead
of ``nnpy``, when pynng is installed.

Publishing on the bus is left out: it is RabbitMQ's cost, not ours. Each
run checks that nothing was lost. Rates are wall-clock on this machine
(shared, so noisy) and per CPU-second of the receiving process. Prints, as
its last line, ``watcher: <N> measurements/s``, the median wall-clock
rate of the ``drain`` path: from the agent's socket to measurements ready
for either consumer, the part of the way that is ours alone (the other
paths add Ceilometer's or the listener's per-message signing).
"""

import argparse
import multiprocessing
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or '.') != HERE]
sys.path.insert(0, REPO)

from ceilometer_proxy.pollsters import measurements  # noqa: E402
from ceilometer_proxy.pollsters import receiver  # noqa: E402

SECRET = 'bench-secret'
PATHS = ('drain', 'pynng-drain', 'sample', 'metering')


def agent_message(n):
    host = 'compute-%03d' % (n % 500)
    return measurements.encode({
        'name': 'compute.node.cpu.user',
        'timestamp': '2026-11-25T10:18:56.%06d+00:00' % (n % 1000000),
        'unit': '%', 'type': 'gauge', 'value': float(n % 100),
        'resource_id': host, 'host': host,
        'resource_metadata': {'host': host, 'title': 'cpu_user'}})


class PynngPull(object):
    """A pynng PULL socket with the interface of our nanomsg sockets."""

    def __init__(self, endpoint, recv_timeout_ms):
        import pynng
        self._pynng = pynng
        self._sock = pynng.Pull0(listen=endpoint,
                                 recv_timeout=recv_timeout_ms)

    def recv(self, wait=True):
        from ceilometer_proxy.pollsters import nanomsg_socket
        try:
            return self._sock.recv(block=wait)
        except (self._pynng.Timeout, self._pynng.TryAgain):
            raise nanomsg_socket.Timeout()
        except self._pynng.Closed:
            raise nanomsg_socket.Closed()

    def close(self):
        self._sock.close()


def binding(path):
    """The socket factory of a path (None: the receiver's own)."""
    if path.startswith('pynng'):
        return PynngPull
    return None


def converter(path):
    """What a consumer does with each drained item."""
    if path in ('drain', 'pynng-drain'):
        return lambda item: None
    if path == 'metering':
        from ceilometer_proxy.pollsters import listener
        return lambda item: listener.to_metering_message(item, SECRET)
    from ceilometer.publisher import utils as publisher_utils
    from ceilometer_proxy.pollsters import watcher
    return lambda item: publisher_utils.meter_message_from_counter(
        watcher.to_sample(item), SECRET)


def free_endpoint():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return 'tcp://127.0.0.1:%d' % s.getsockname()[1]


def push_all(endpoint, count):
    """The agent's side (run in a spawned process)."""
    from ceilometer_proxy.pollsters import nanomsg_socket
    messages = [agent_message(n) for n in range(1000)]
    sock = nanomsg_socket.push_socket(endpoint, send_timeout_ms=30000)
    for n in range(count):
        sock.send(messages[n % 1000])
    time.sleep(1)
    sock.close()


def consume(recv, count, convert, timeout):
    """Drain until ``count`` items were consumed; (wall, cpu) seconds."""
    consumed = 0
    started = None
    deadline = time.monotonic() + timeout
    while consumed < count:
        items = recv.drain()
        if not items:
            if time.monotonic() > deadline:
                raise SystemExit('only %d of %d measurements arrived'
                                 % (consumed, count))
            time.sleep(0.001)
            continue
        if started is None:
            started = (time.perf_counter(), time.process_time())
        for item in items:
            convert(item)
        consumed += len(items)
    return (time.perf_counter() - started[0],
            time.process_time() - started[1])


def one_run(count, convert, bind=None):
    """(wall rate, CPU rate) of one run."""
    endpoint = free_endpoint()
    recv = receiver.Receiver(endpoint, size=count, bind=bind).start()
    # nanomsg does not survive a fork: the peer is spawned.
    peer = multiprocessing.get_context('spawn').Process(
        target=push_all, args=(endpoint, count))
    peer.start()
    try:
        wall, cpu = consume(recv, count, convert, timeout=300)
    finally:
        peer.join(60)
        if peer.is_alive():
            peer.terminate()
        recv.stop()
    counters = recv.counters()
    if counters != receiver.Counters(count, 0, 0):
        raise SystemExit('lost measurements: %s' % (counters,))
    return count / wall, count / cpu


def measure(path, count, runs):
    if path.startswith('pynng'):
        try:
            import pynng  # noqa: F401
        except ImportError:
            return None
    return [one_run(count, converter(path), binding(path))
            for _ in range(runs)]


def measure_in_ceilometer_venv(args):
    """The ``sample`` path, in a child running Ceilometer's interpreter."""
    try:
        venv = subprocess.check_output(
            [os.path.join(REPO, 'tools', 'build-peer-venv.sh'),
             'ceilometer'], text=True, stderr=subprocess.DEVNULL).strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    out = subprocess.check_output(
        [os.path.join(venv, 'bin', 'python'), os.path.abspath(__file__),
         '--path', 'sample', '--count', str(args.count),
         '--runs', str(args.runs)], text=True)
    return [tuple(map(float, line.split()[1:]))
            for line in out.splitlines() if line.startswith('rate ')]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--count', type=int, default=200000,
                        help='measurements per run (default %(default)s)')
    parser.add_argument('--runs', type=int, default=3,
                        help='runs per path (default %(default)s)')
    parser.add_argument('--quick', action='store_true',
                        help='small run for a smoke test')
    parser.add_argument('--path', choices=PATHS,
                        help='measure this path only and print its rates '
                             '(used to run the sample path in the '
                             'Ceilometer virtualenv)')
    parser.add_argument('--timeout', type=float, default=900,
                        help='abort after this many seconds')
    args = parser.parse_args(argv)
    if args.quick:
        args.count, args.runs = 20000, 1
    return args


def run(args):
    from bench import common

    common.log('watcher: %d measurements of %d bytes per run, %d runs',
               args.count, len(agent_message(123456)), args.runs)
    results = {'drain': measure('drain', args.count, args.runs),
               'pynng-drain': measure('pynng-drain', args.count, args.runs),
               'sample': measure_in_ceilometer_venv(args),
               'metering': measure('metering', args.count, args.runs)}
    rows = []
    for path in PATHS:
        rates = results[path]
        if not rates:
            rows.append([path, 'skipped (not installed)', '', ''])
            continue
        walls = [wall for wall, _ in rates]
        rows.append([path, '%d' % min(walls), '%d' % common.median(walls),
                     '%d' % common.median([cpu for _, cpu in rates])])
    common.log(common.format_table(
        ['path', 'min/s', 'median/s', 'median per CPU-s'], rows))
    return common.median([wall for wall, _ in results['drain']])


def main(argv=None):
    args = parse_args(argv)
    if args.path:
        for wall, cpu in measure(args.path, args.count, args.runs):
            print('rate %f %f' % (wall, cpu), flush=True)
        return
    from bench import common
    with common.time_limit(args.timeout):
        rate = run(args)
    print('watcher: %d measurements/s' % int(rate), flush=True)


if __name__ == '__main__':
    main()
