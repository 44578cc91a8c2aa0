"""Reading a cursor one batch ahead (storage/mongo/read_ahead.py)."""

import threading
import time

import pytest

from ceilometer_proxy.storage.mongo import read_ahead


class Cursor(object):
    """An iterable with close(), recording how far it was read."""

    def __init__(self, items, fail_at=None, delay=0.0):
        self.items = items
        self.fail_at = fail_at
        self.delay = delay
        self.read = 0
        self.closed = threading.Event()

    def __iter__(self):
        for i, item in enumerate(self.items):
            if i == self.fail_at:
                raise RuntimeError('store went away')
            if self.delay:
                time.sleep(self.delay)
            self.read += 1
            yield item

    def close(self):
        self.closed.set()


def test_every_document_in_order():
    cursor = Cursor(list(range(2503)))
    assert list(read_ahead.read_ahead(cursor, 100)) == list(range(2503))
    assert cursor.closed.wait(5)


def test_an_empty_cursor():
    assert list(read_ahead.read_ahead(Cursor([]), 10)) == []


def test_the_readers_error_reaches_the_consumer_after_what_was_read():
    got = []
    with pytest.raises(RuntimeError, match='store went away'):
        for doc in read_ahead.read_ahead(Cursor(list(range(50)),
                                                fail_at=25), 10):
            got.append(doc)
    assert got == list(range(20))


def test_stopping_early_stops_the_reader_and_closes_the_cursor():
    cursor = Cursor(list(range(100000)))
    docs = read_ahead.read_ahead(cursor, 10)
    assert next(docs) == 0
    docs.close()
    assert cursor.closed.wait(5)
    # The reader held at most a few batches ahead of the consumer.
    assert cursor.read <= 10 * (read_ahead.AHEAD + 3)


def test_the_next_batch_is_read_while_the_consumer_works():
    cursor = Cursor(list(range(40)), delay=0.01)
    began = time.monotonic()
    for _doc in read_ahead.read_ahead(cursor, 10):
        time.sleep(0.01)
    # Reading and folding, 0.4 s each, overlap: well under 0.8 s.
    assert time.monotonic() - began < 0.65
