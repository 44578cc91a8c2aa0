"""Batch writes into the store that survive store outages.

A batch is one unordered bulk insert. While the store is unreachable the
same batch is tried again with a growing back-off, so the listener holding
it acknowledges nothing; when the collector stops meanwhile the write gives
up and reports that the batch was not stored (the messages are requeued).
A batch the store refuses is split in halves until only the refused
messages are dropped. Redelivered messages are harmless: ``message_id``
is the key.
"""

import threading

import bson.errors
from oslo_log import log

from ceilometer_proxy.collector import messages
from ceilometer_proxy.collector import stats
from ceilometer_proxy import storage

LOG = log.getLogger(__name__)

# What the store or the BSON encoder raise for data they cannot keep.
REFUSALS = (storage.StorageError, bson.errors.BSONError, OverflowError,
            ValueError, TypeError)


class BatchWriter(object):
    """Writes normalised messages through a storage Connection.

    :param conn: the metering storage driver.
    :param counters: stats.Counters to update.
    :param backoff: first wait after a failure (doubled each time).
    :param max_backoff: longest wait.
    :param concurrency: writes in progress at once.
    """

    def __init__(self, conn, counters, backoff=0.5, max_backoff=10.0,
                 warnings=None, concurrency=4):
        self.conn = conn
        self._slots = threading.BoundedSemaphore(concurrency)
        self.counters = counters
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.warnings = warnings or stats.RateLimitedLog()
        self.stopping = threading.Event()

    def stop(self):
        """Make pending and future retries give up."""
        self.stopping.set()

    def write(self, batch):
        """Store the batch; False if the collector stopped before it could.
        """
        delay = self.backoff
        while batch:
            try:
                with self._slots:
                    new = self.conn.record_metering_data_batch(batch)
            except storage.StorageUnavailable as err:
                self._failed(len(batch), delay, err)
            except REFUSALS as err:
                # A server on its way down may refuse what it would take
                # later: only a store that answers a ping refuses for good.
                if self._healthy():
                    return self._partly_stored(batch, err)
                self._failed(len(batch), delay, err)
            else:
                self.counters.add(stats.STORED, new)
                self.counters.add(stats.DUPLICATES, len(batch) - new)
                return True
            if self.stopping.wait(delay):
                return False
            delay = min(delay * 2, self.max_backoff)
        return True

    def _healthy(self):
        try:
            self.conn.ping()
            return True
        except storage.StorageError:
            return False

    def _partly_stored(self, batch, err):
        """Account for a write that kept all but some messages, or split
        a batch refused as a whole."""
        refused_ids = getattr(err, 'refused_ids', None)
        if refused_ids is None:
            return self._split(batch, err)
        refused = set(refused_ids)
        for message in batch:
            if message['message_id'] in refused:
                self._refused(message, err)
        self.counters.add(stats.STORED, err.new_count)
        self.counters.add(stats.DUPLICATES,
                          len(batch) - len(refused) - err.new_count)
        return True

    def _split(self, batch, err):
        """Write the halves apart until the refused messages are alone."""
        if len(batch) == 1:
            self._refused(batch[0], err)
            return True
        middle = len(batch) // 2
        stored_first = self.write(batch[:middle])
        return self.write(batch[middle:]) and stored_first

    def _failed(self, size, delay, err):
        self.counters.add(stats.STORE_FAILURES)
        self.warnings.warning(
            'store', 'Store write of %d samples failed, retrying in '
            '%.1fs: %s', size, delay, err)

    def _refused(self, message, err):
        self.counters.dropped(messages.REFUSED)
        self.warnings.warning(
            messages.REFUSED, 'The store refused message %s of %s: %s',
            message.get('message_id'), message.get('counter_name'), err)
