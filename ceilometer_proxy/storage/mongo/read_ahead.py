"""Reading a cursor one batch ahead of its consumer.

A statistics scan folds every sample it reads, and pymongo asks the
server for the next batch only once the current one is used up: the
server then waits while Python folds, and Python waits while the server
reads. A reader thread that fetches (and decodes) the next batch while
the consumer folds the current one lets the two overlap, so that a scan
runs at about the store's own read rate (bench/statistics.py measures
both).
"""

import queue
import threading

_DONE = object()
# Batches held ready at most: memory stays a couple of batches.
AHEAD = 2


class _Failed(object):
    def __init__(self, error):
        self.error = error


def read_ahead(cursor, chunk):
    """The documents of ``cursor``, fetched by a thread ``chunk`` at a
    time; the reader's errors are raised to the consumer. Closing the
    generator early stops the reader and closes the cursor."""
    ready = queue.Queue(AHEAD)
    stopped = threading.Event()

    def put(item):
        while not stopped.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read():
        batch = []
        try:
            for doc in cursor:
                batch.append(doc)
                if len(batch) >= chunk:
                    if not put(batch):
                        return
                    batch = []
            if batch and not put(batch):
                return
            put(_DONE)
        except Exception as err:  # raised again in the consumer
            put(_Failed(err))
        finally:
            cursor.close()

    reader = threading.Thread(target=read, daemon=True,
                              name='statistics-read-ahead')
    reader.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield from item
    finally:
        stopped.set()
