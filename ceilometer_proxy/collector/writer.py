"""Batch writes into the store that survive store outages.

A batch is one unordered bulk insert. While the store is unreachable the
same batch is tried again with a growing back-off, so the listener holding
it acknowledges nothing; when the collector stops meanwhile the write gives
up and reports that the batch was not stored (the messages are requeued).
A batch the store refuses is split in halves until only the refused
messages are dropped. Redelivered messages are harmless: ``message_id``
is the key.

Samples and events go through the same logic with their own writer, so
that an outage of one store (or a flood of one kind) never holds up the
other; ``Items`` tells a writer how to name and count what it writes, and
``WriteSlots`` keeps the writers of a process together under the store's
limit of concurrent writes.
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


class Items(object):
    """What one writer writes: its counters and how logs name an item.

    :param plural: the items in log lines ("samples", "events").
    :param counter_prefix: put before the counter names (``stats``).
    :param message_id: item -> its message id.
    :param describe: item -> how a warning names it.
    """

    def __init__(self, plural, counter_prefix, message_id, describe):
        self.plural = plural
        self.message_id = message_id
        self.describe = describe
        self.stored = counter_prefix + stats.STORED
        self.duplicates = counter_prefix + stats.DUPLICATES
        self.store_failures = counter_prefix + stats.STORE_FAILURES
        self.refused = counter_prefix + stats.DROPPED_PREFIX + \
            messages.REFUSED


SAMPLES = Items('samples', '', lambda message: message['message_id'],
                lambda message: 'message %s of %s' % (
                    message.get('message_id'), message.get('counter_name')))
EVENTS = Items('events', stats.EVENTS_PREFIX,
               lambda event: event.message_id,
               lambda event: 'event %s (%s)' % (event.message_id,
                                                event.event_type))


class WriteSlots(object):
    """The store writes one process may have in progress at once.

    FerretDB deadlocks under many concurrent writers, so all writers of a
    process share ``total`` slots; when there are several writers none may
    hold more than its share (all but one slot per other writer), so a
    backlog of events being caught up never makes samples wait for a slot,
    nor the reverse.
    """

    def __init__(self, total, writers=1):
        self._all = threading.BoundedSemaphore(total)
        self.share = max(1, total - (writers - 1))

    def for_writer(self):
        return _WriterSlot(self._all, threading.BoundedSemaphore(self.share))


class _WriterSlot(object):
    """A context manager holding one of the writer's and one of all the
    slots while a write is in progress."""

    def __init__(self, shared, own):
        self.shared = shared
        self.own = own

    def __enter__(self):
        self.own.acquire()
        self.shared.acquire()
        return self

    def __exit__(self, *exc_info):
        self.shared.release()
        self.own.release()


class BatchWriter(object):
    """Writes normalised items through a storage driver.

    :param conn: the storage driver (its ``ping`` tells an outage from a
        refusal).
    :param counters: stats.Counters to update.
    :param backoff: first wait after a failure (doubled each time).
    :param max_backoff: longest wait.
    :param concurrency: writes in progress at once (when no ``slots``).
    :param record: the driver's batch insert, returning how many items
        were new; by default its ``record_metering_data_batch``.
    :param items: an Items, SAMPLES by default.
    :param slots: WriteSlots shared with the other writers.
    """

    def __init__(self, conn, counters, backoff=0.5, max_backoff=10.0,
                 warnings=None, concurrency=4, record=None, items=SAMPLES,
                 slots=None):
        self.conn = conn
        self.record = record or conn.record_metering_data_batch
        self.items = items
        self._slots = (slots or WriteSlots(concurrency)).for_writer()
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
                    new = self.record(batch)
            except storage.StorageUnavailable as err:
                self._failed(len(batch), delay, err)
            except REFUSALS as err:
                # A server on its way down may refuse what it would take
                # later: only a store that answers a ping refuses for good.
                if self._healthy():
                    return self._partly_stored(batch, err)
                self._failed(len(batch), delay, err)
            else:
                self.counters.add(self.items.stored, new)
                self.counters.add(self.items.duplicates, len(batch) - new)
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
        """Account for a write that kept all but some items, or split a
        batch refused as a whole."""
        refused_ids = getattr(err, 'refused_ids', None)
        if refused_ids is None:
            return self._split(batch, err)
        refused = set(refused_ids)
        for item in batch:
            if self.items.message_id(item) in refused:
                self._refused(item, err)
        self.counters.add(self.items.stored, err.new_count)
        self.counters.add(self.items.duplicates,
                          len(batch) - len(refused) - err.new_count)
        return True

    def _split(self, batch, err):
        """Write the halves apart until the refused items are alone."""
        if len(batch) == 1:
            self._refused(batch[0], err)
            return True
        middle = len(batch) // 2
        stored_first = self.write(batch[:middle])
        return self.write(batch[middle:]) and stored_first

    def _failed(self, size, delay, err):
        self.counters.add(self.items.store_failures)
        self.warnings.warning(
            self.items.store_failures, 'Store write of %d %s failed, '
            'retrying in %.1fs: %s', size, self.items.plural, delay, err)

    def _refused(self, item, err):
        self.counters.add(self.items.refused)
        self.warnings.warning(
            self.items.refused, 'The store refused %s: %s',
            self.items.describe(item), err)
