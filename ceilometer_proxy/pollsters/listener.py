"""Watcher-metering measurements onto the metering topic, signed.

For operators who run no ``ceilometer-polling``: the same receiver as the
``watcher`` pollster, but each drained batch is published the way
Ceilometer's ``notifier://`` publisher does it, as ``sample``-priority
notifications with event type ``metering`` whose payload is a list of
signed metering messages, so the collector stores them as any other
sample. While the bus is down, publishing blocks and the receiver's
bounded buffer absorbs (and at worst drops the oldest) measurements.
"""

import socket
import threading
import uuid

from oslo_log import log
import oslo_messaging

from ceilometer_proxy.pollsters import measurements
from ceilometer_proxy import signing

LOG = log.getLogger(__name__)


def to_metering_message(item, secret):
    """The signed metering message of one decoded measurement."""
    return signing.meter_message(
        item.name, item.type, item.unit, item.volume, None, None,
        item.resource_id, item.timestamp, dict(item.metadata),
        measurements.SOURCE, secret,
        # uuid4: as unique as Ceilometer's uuid1 ids, several times cheaper.
        message_id=str(uuid.uuid4()))


def make_notifier(conf, transport):
    return oslo_messaging.Notifier(
        transport, driver='messagingv2',
        publisher_id='telemetry.publisher.%s' % socket.gethostname(),
        topics=[conf.watcher.metering_topic])


class WatcherListener(object):
    """Drains ``receiver`` and publishes through ``notifier``."""

    def __init__(self, conf, receiver, notifier, idle_wait=0.1):
        self.receiver = receiver
        self.notifier = notifier
        self.secret = conf.publisher.telemetry_secret
        self.batch_size = conf.watcher.publish_batch_size
        self.idle_wait = idle_wait
        self.published = 0
        self._stopping = threading.Event()

    def publish_once(self):
        """Publish what is buffered now; the number of samples sent."""
        self.receiver.log_losses()
        items = self.receiver.drain()
        for first in range(0, len(items), self.batch_size):
            batch = [to_metering_message(item, self.secret)
                     for item in items[first:first + self.batch_size]]
            self.notifier.sample({}, event_type='metering', payload=batch)
            self.published += len(batch)
        return len(items)

    def run(self):
        """Publish until :meth:`stop`, then publish what is left."""
        while not self._stopping.is_set():
            if not self.publish_once():
                self._stopping.wait(self.idle_wait)
        self.publish_once()

    def stop(self):
        self._stopping.set()
