"""The batch notification endpoint: notifications in, store writes out.

oslo.messaging hands ``sample`` a list of notifications (one batch); each
payload is a list of metering messages. Every message is checked on its
own, so a bad one is dropped and counted while the rest of its batch is
stored. The batch is acknowledged when ``sample`` returns normally, i.e.
after the store kept it; when the collector stops before that, the batch
is requeued.
"""

import oslo_messaging

from ceilometer_proxy.collector import messages
from ceilometer_proxy.collector import stats


class Verifier(object):
    """Turns received metering messages into storable ones, counting and
    reporting (rate limited) what it drops."""

    def __init__(self, counters, warnings, secret, max_metadata_size=0,
                 origin=None):
        self.counters = counters
        self.warnings = warnings
        self.secret = secret
        self.max_metadata_size = max_metadata_size
        self.origin = origin

    def accept(self, message, batch):
        """Append the normalised message to batch, or drop it."""
        self.counters.add(stats.RECEIVED)
        try:
            batch.append(messages.normalise(
                message, self.secret, self.max_metadata_size, self.origin))
        except messages.Rejected as err:
            self.drop(err)

    def drop(self, rejected):
        self.counters.dropped(rejected.reason)
        self.warnings.warning(rejected.reason,
                              'Dropped a metering message (%s): %s',
                              rejected.reason, rejected.detail)


class SampleEndpoint(object):
    """Endpoint of a batch notification listener (priority ``sample``)."""

    def __init__(self, verifier, writer):
        self.verifier = verifier
        self.writer = writer

    def sample(self, notifications):
        batch = []
        for notification in notifications:
            try:
                payload = messages.messages_of_payload(
                    notification.get('payload'))
            except messages.Rejected as err:
                self.verifier.counters.add(stats.RECEIVED)
                self.verifier.drop(err)
                continue
            for message in payload:
                self.verifier.accept(message, batch)
        if not self.writer.write(batch):
            return oslo_messaging.NotificationResult.REQUEUE
        return oslo_messaging.NotificationResult.HANDLED
