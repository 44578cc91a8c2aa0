"""A background nanomsg PULL receiver with a bounded buffer.

watcher-metering agents push at their own pace (1 Hz per driver and host
by default) while Ceilometer polls on its interval, so measurements wait in
a buffer in between. The buffer is bounded: when a consumer falls behind,
the oldest measurements are dropped and counted rather than memory growing
without limit. Bad input is counted and logged at most once per
``log_interval`` seconds; nothing a peer sends stops the thread.
"""

import collections
import threading
import time

from oslo_log import log

from ceilometer_proxy.pollsters import measurements
from ceilometer_proxy.pollsters import nanomsg_socket

LOG = log.getLogger(__name__)

Counters = collections.namedtuple(
    'Counters', ['received', 'invalid', 'dropped'])


class Receiver(object):
    """Receives measurements on ``endpoint`` into a buffer of ``size``.

    :param bind: ``bind(endpoint, recv_timeout_ms)`` returning a socket
        with ``recv(wait=True)`` and ``close()``; nanomsg's by default
        (another binding is only plugged in by the benchmark).
    """

    BATCH = 512

    def __init__(self, endpoint, size, log_interval=10.0,
                 recv_timeout_ms=200, bind=None):
        self.endpoint = endpoint
        self._bind = bind or nanomsg_socket.pull_socket
        self._buffer = collections.deque(maxlen=size)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._recv_timeout_ms = recv_timeout_ms
        self._log_interval = log_interval
        self._last_invalid_log = None
        self._reported = Counters(0, 0, 0)
        self._socket = None
        self._thread = None
        self.received = 0
        self.invalid = 0
        self.dropped = 0

    def start(self):
        """Bind the socket (errors raise here) and start receiving."""
        self._socket = self._bind(self.endpoint,
                                  recv_timeout_ms=self._recv_timeout_ms)
        self._thread = threading.Thread(
            target=self._run, name='watcher-receiver', daemon=True)
        self._thread.start()
        LOG.info('Receiving watcher-metering measurements on %s',
                 self.endpoint)
        return self

    def stop(self, timeout=5.0):
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def drain(self):
        """Every buffered measurement, oldest first; the buffer empties."""
        with self._lock:
            items = list(self._buffer)
            self._buffer.clear()
        return items

    def counters(self):
        return Counters(self.received, self.invalid, self.dropped)

    def log_losses(self):
        """Log the losses since the previous call, if any (one line)."""
        now = self.counters()
        invalid = now.invalid - self._reported.invalid
        dropped = now.dropped - self._reported.dropped
        if invalid or dropped:
            LOG.warning('watcher: %d invalid measurements and %d dropped on '
                        'a full buffer since the last drain (totals: %d '
                        'received, %d invalid, %d dropped)', invalid,
                        dropped, now.received, now.invalid, now.dropped)
        self._reported = now
        return now

    def _run(self):
        while not self._stopping.is_set():
            try:
                batch = self._receive_batch()
            except nanomsg_socket.Closed:
                return
            except Exception as exc:
                if self._stopping.is_set():
                    return
                LOG.warning('watcher receiver: receive failed: %s', exc)
                time.sleep(0.1)
                continue
            if batch:
                self.handle(batch)

    def _receive_batch(self):
        """Wait for one message, then take what is already queued.

        Decoding and buffering a batch at a time keeps the lock and the
        thread switches off the per-message cost.
        """
        try:
            batch = [self._socket.recv()]
        except nanomsg_socket.Timeout:
            return []
        while len(batch) < self.BATCH:
            try:
                batch.append(self._socket.recv(wait=False))
            except nanomsg_socket.Timeout:
                break
        return batch

    def handle(self, raws):
        """Decode raw messages into the buffer (invalid ones are counted)."""
        items = []
        for raw in raws:
            try:
                items.append(measurements.decode(raw))
            except measurements.InvalidMeasurement as exc:
                self.invalid += 1
                self._log_invalid(exc)
        with self._lock:
            overflow = len(self._buffer) + len(items) - self._buffer.maxlen
            if overflow > 0:
                self.dropped += overflow
            self._buffer.extend(items)
            self.received += len(items)

    def _log_invalid(self, exc):
        now = time.monotonic()
        if (self._last_invalid_log is None
                or now - self._last_invalid_log >= self._log_interval):
            self._last_invalid_log = now
            LOG.warning('watcher receiver: dropped an invalid measurement '
                        '(%s); %d invalid so far', exc, self.invalid)
