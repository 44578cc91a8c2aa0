"""Counters of the collector and their periodic report.

Operators need to know how much arrives, how much is stored and why the
rest was dropped, without a log line per message: counters are kept in
memory, logged every ``[collector] stats_interval`` seconds when they
changed and optionally written to ``[collector] stats_file`` as JSON.
Warnings about dropped messages are rate limited per reason. Events
have counters of their own, the metering names prefixed with ``events.``
(``events.received``, ``events.dropped.malformed``...).
"""

import json
import os
import threading
import time

from oslo_log import log

LOG = log.getLogger(__name__)

RECEIVED = 'received'
STORED = 'stored'
DUPLICATES = 'duplicates'
STORE_FAILURES = 'store_failures'
DROPPED_PREFIX = 'dropped.'
EVENTS_PREFIX = 'events.'
METERING_COUNTERS = (RECEIVED, STORED, DUPLICATES, STORE_FAILURES)
EVENT_COUNTERS = tuple(EVENTS_PREFIX + name for name in METERING_COUNTERS)


class Counters(object):
    """Thread-safe named counters."""

    def __init__(self, names=METERING_COUNTERS):
        self._lock = threading.Lock()
        self._values = dict.fromkeys(names, 0)

    def declare(self, names):
        """Report these counters from now on, at 0 until counted."""
        with self._lock:
            for name in names:
                self._values.setdefault(name, 0)

    def add(self, name, amount=1):
        with self._lock:
            self._values[name] = self._values.get(name, 0) + amount

    def dropped(self, reason, amount=1):
        self.add(DROPPED_PREFIX + reason, amount)

    def snapshot(self):
        with self._lock:
            return dict(self._values)


class RateLimitedLog(object):
    """At most one warning per key every ``interval`` seconds; the number
    of suppressed ones is told with the next."""

    def __init__(self, interval=10.0, clock=time.monotonic):
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._last = {}
        self._suppressed = {}

    def warning(self, key, fmt, *args):
        now = self.clock()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self.interval:
                self._suppressed[key] = self._suppressed.get(key, 0) + 1
                return False
            self._last[key] = now
            suppressed = self._suppressed.pop(key, 0)
        if suppressed:
            fmt += ' (%d similar warnings suppressed)'
            args += (suppressed,)
        LOG.warning(fmt, *args)
        return True


def write_json_atomically(path, data):
    tmp = '%s.%d.tmp' % (path, os.getpid())
    with open(tmp, 'w') as f:
        json.dump(data, f, sort_keys=True)
    os.replace(tmp, path)


class Reporter(object):
    """A daemon thread reporting the counters every ``interval`` seconds."""

    def __init__(self, counters, interval, path=None):
        self.counters = counters
        self.interval = interval
        self.path = path
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='collector-stats')
        self._previous = None

    def start(self):
        self.report()
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self.report()

    def _run(self):
        while not self._stop.wait(self.interval):
            self.report()

    def report(self):
        values = self.counters.snapshot()
        if values != self._previous:
            LOG.info('Collector counters: %s', ', '.join(
                '%s=%d' % item for item in sorted(values.items())))
            self._previous = values
        if self.path:
            try:
                write_json_atomically(self.path, values)
            except OSError as err:
                LOG.warning('Cannot write %s: %s', self.path, err)
