"""Nothing lost, nothing duplicated: 100,000 samples stream through
RabbitMQ while the store is stopped for 20 s and the broker is restarted
once. The store is a FerretDB of this test only (the session's is shared)
whose data directory survives its stop."""

import datetime
import shutil
import tempfile
import threading
import time
import uuid

import pytest

from ceilometer_proxy import storage
from tests.functional.collector import harness
from tests import services

TOTAL = 100000
PER_NOTIFICATION = 10
OUTAGE = 20
METER = 'fault.meter'
T0 = datetime.datetime(2026, 4, 5, 6, 0, 0)


class StreamProducer(threading.Thread):
    """Sends TOTAL signed samples, PER_NOTIFICATION per notification."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url = url
        self.sent = 0
        self.error = None

    def run(self):
        producer = harness.Producer(self.url)
        try:
            while self.sent < TOTAL:
                batch = [harness.juno_message(
                    METER, float(i % 100), 'res-%d' % (i % 10),
                    T0 + datetime.timedelta(milliseconds=i),
                    message_id=str(uuid.uuid4()))
                    for i in range(self.sent, self.sent + PER_NOTIFICATION)]
                producer.send(batch)
                self.sent += PER_NOTIFICATION
        except Exception as err:  # reported by the test
            self.error = err
        finally:
            producer.close()


@pytest.fixture
def private_store():
    data_dir = tempfile.mkdtemp(prefix='ferretdb-fault-')
    server = services.FerretDB(data_dir=data_dir).start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.mark.timeout(900)
def test_store_outage_and_broker_restart_lose_nothing(rabbit, private_store):
    db_url = services.db_url(private_store.url, 'faults')
    collector = harness.Collector(
        db_url, [rabbit.url],
        extra={'collector': {'batch_size': 30, 'batch_timeout': 0.5,
                             'max_retry_backoff': 2},
               'database': {'socket_timeout': 15}}).start()
    producer = StreamProducer(rabbit.url)
    began = time.monotonic()
    try:
        producer.start()
        collector.wait_for_stats(lambda s: s['stored'] >= TOTAL // 5,
                                 timeout=120, what='a fifth stored')
        private_store.stop()
        # Writes already answered are counted within a report or two.
        time.sleep(3)
        outage_start = collector.stats()['stored']
        time.sleep(OUTAGE - 3)
        during = collector.stats()
        private_store.start()
        assert during['stored'] == outage_start
        assert during['store_failures'] > 0
        collector.wait_for_stats(
            lambda s: s['stored'] >= during['stored'] + TOTAL // 10,
            timeout=120, what='writes resumed')
        rabbit.restart()
        restarted_at = producer.sent
        producer.join(300)
        assert producer.error is None and producer.sent == TOTAL
        conn = _connection(db_url)
        try:
            # A write cut short by the outage may have stored part of its
            # batch: its retry counts those as duplicates, so the store is
            # what tells whether everything arrived.
            try:
                harness.wait_until(
                    lambda: _stored_count(conn) == TOTAL and
                    rabbit.queue_depths().get('metering.sample') ==
                    harness.unacknowledged(rabbit),
                    timeout=240, interval=5, what='all stored')
            finally:
                print('fault run: %.0f s, broker restarted after %d sent; '
                      'counters %s; queues %s' % (
                          time.monotonic() - began, restarted_at,
                          collector.stats(), _queues(rabbit)))
            # A batch whose write was cut short checks, sample by sample,
            # which of them its first attempt stored: let it finish.
            stats = collector.wait_for_stats(
                lambda s: s['received'] == s['stored'] + s['duplicates'],
                timeout=300, what='nothing in hand')
            # Deliveries that oslo.messaging's duplicate filter skipped
            # after the restart stay unacknowledged until the collector's
            # connection closes; a collector started after this one takes
            # them (harmless duplicates) and leaves the queue empty.
            assert collector.terminate() == 0
            successor = harness.Collector(db_url, [rabbit.url]).start()
            try:
                harness.wait_until(
                    lambda: rabbit.queue_depths().get('metering.sample') == 0,
                    what='queue drained')
            finally:
                successor.cleanup()
            ids = {d['message_id'] for d in conn.meter.find(
                {'counter_name': METER}, projection={'message_id': True})}
            count = _stored_count(conn)
            statistics = list(conn.get_meter_statistics(
                storage.SampleFilter(meter=METER)))
        finally:
            conn.close()
        assert stats['received'] >= TOTAL
        assert not [k for k in stats if k.startswith('dropped')]
        assert len(ids) == TOTAL
        assert count == TOTAL
        assert statistics[0].count == TOTAL
        assert statistics[0].sum == sum(float(i % 100) for i in range(TOTAL))
    finally:
        producer.join(5)
        collector.cleanup()


def _connection(db_url):
    from oslo_config import cfg
    conf = cfg.ConfigOpts()
    conf.register_opts(storage.OPTS, group='database')
    conf([], project='collector-tests')
    return storage.get_connection_from_config(conf, db_url)


def _queues(node):
    return node.ctl('list_queues', '-q', 'name', 'durable', 'messages_ready',
                    'messages_unacknowledged', 'consumers',
                    check=False).stdout.strip()


def _stored_count(conn):
    return conn.meter.count_documents({'counter_name': METER})


def test_an_outage_leaves_the_backlog_in_the_queue(rabbit, private_store):
    """With the store down, the collector holds at most two batches
    (RabbitMQ prefetch); the rest waits in the queue, and all of it is
    stored once the store is back."""
    db_url = services.db_url(private_store.url, 'backlog')
    collector = harness.Collector(
        db_url, [rabbit.url],
        extra={'collector': {'batch_size': 20, 'batch_timeout': 0.2,
                             'max_retry_backoff': 1},
               'database': {'socket_timeout': 5}}).start()
    producer = harness.Producer(rabbit.url)
    try:
        private_store.stop()
        before = rabbit.queue_depths().get('metering.sample', 0)
        sent = []
        for n in range(150):
            batch = [harness.juno_message(
                'backlog.meter', 1.0, 'res-%d' % (n % 5),
                T0 + datetime.timedelta(seconds=n),
                message_id=str(uuid.uuid4()))]
            producer.send(batch)
            sent.append(batch[0]['message_id'])
        held = harness.wait_until(lambda: harness.unacknowledged(rabbit),
                                  timeout=60, what='a batch in hand')
        time.sleep(2)
        held = max(held, harness.unacknowledged(rabbit))
        assert 0 < held <= 40
        assert rabbit.queue_depths()['metering.sample'] == before + 150
        private_store.start()
        conn = _connection(db_url)
        try:
            mine = {'counter_name': 'backlog.meter'}
            harness.wait_until(lambda: conn.meter.count_documents(mine) ==
                               150, timeout=180, what='the backlog stored')
            assert sorted(d['_id'] for d in conn.meter.find(
                mine, projection={'_id': True})) == sorted(sent)
        finally:
            conn.close()
    finally:
        producer.close()
        collector.cleanup()
