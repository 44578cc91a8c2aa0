"""The msgpack UDP listener, for Ceilometer's ``udp://`` publisher.

Each datagram carries one metering message (a msgpack map). Messages are
verified like notifications and written in batches of ``batch_size`` or
every ``batch_timeout`` seconds. UDP has no acknowledgement: what the
kernel drops while a write waits for the store is lost, as it would be
with Ceilometer's own collector.
"""

import socket
import threading
import time

import msgpack
from oslo_log import log

from ceilometer_proxy.collector import messages
from ceilometer_proxy.collector import stats

LOG = log.getLogger(__name__)

MAX_DATAGRAM = 65535


def decode(datagram):
    """The message of one datagram; Rejected if it is not msgpack."""
    try:
        return msgpack.unpackb(datagram, raw=False, strict_map_key=False)
    except Exception as err:  # msgpack raises several unrelated types
        raise messages.Rejected(messages.MALFORMED,
                                'undecodable datagram: %s' % err)


class UdpListener(object):
    """A thread receiving datagrams and writing them in batches."""

    def __init__(self, address, port, verifier, writer, batch_size,
                 batch_timeout):
        self.verifier = verifier
        self.writer = writer
        self.batch_size = batch_size
        self.batch_timeout = batch_timeout
        family = socket.AF_INET6 if ':' in address else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((address, port))
        self.sock.settimeout(min(batch_timeout, 0.5))
        self.address = self.sock.getsockname()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='collector-udp')

    def start(self):
        LOG.info('Listening for msgpack samples on udp %s:%s',
                 *self.address[:2])
        self._thread.start()

    def stop(self):
        self._stopping.set()

    def wait(self):
        self._thread.join()
        self.sock.close()

    def _run(self):
        batch = []
        deadline = time.monotonic() + self.batch_timeout
        while not self._stopping.is_set():
            datagram = self._receive()
            if datagram is not None:
                self._accept(datagram, batch)
            if batch and (len(batch) >= self.batch_size or
                          time.monotonic() >= deadline):
                self._flush(batch)
                batch = []
            if not batch:
                deadline = time.monotonic() + self.batch_timeout
        self._flush(batch)

    def _receive(self):
        try:
            return self.sock.recv(MAX_DATAGRAM)
        except socket.timeout:
            return None
        except OSError as err:
            LOG.warning('UDP receive failed: %s', err)
            return None

    def _accept(self, datagram, batch):
        try:
            message = decode(datagram)
        except messages.Rejected as err:
            self.verifier.counters.add(stats.RECEIVED)
            self.verifier.drop(err)
            return
        self.verifier.accept(message, batch)

    def _flush(self, batch):
        if batch and not self.writer.write(batch):
            LOG.warning('Stopped before %d UDP samples could be stored',
                        len(batch))
