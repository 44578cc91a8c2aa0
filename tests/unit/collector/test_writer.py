"""Batch writes: retried through outages, refused messages isolated, and
the endpoint's handling of whole notification batches."""

import threading

import msgpack
import oslo_messaging
import pytest

from ceilometer_proxy.collector import endpoint
from ceilometer_proxy.collector import messages
from ceilometer_proxy.collector import service
from ceilometer_proxy.collector import stats
from ceilometer_proxy.collector import udp
from ceilometer_proxy.collector import writer
from ceilometer_proxy import storage
from tests.unit.collector import test_messages


class FlakyStore(object):
    """In-memory stand-in of the storage driver's write interface: down
    for the first ``outages`` writes, refusing messages whose id starts
    with 'bad'."""

    def __init__(self, outages=0):
        self.outages = outages
        self.kept = {}
        self.calls = 0
        self.pings = 0

    def record_metering_data_batch(self, batch):
        self.calls += 1
        if self.outages:
            self.outages -= 1
            raise storage.StorageUnavailable('down')
        if any(m['message_id'].startswith('bad') for m in batch):
            raise storage.InvalidData('refused')
        new = [m for m in batch if m['message_id'] not in self.kept]
        self.kept.update((m['message_id'], m) for m in batch)
        return len(new)

    def ping(self):
        self.pings += 1
        if self.outages:
            raise storage.StorageUnavailable('down')


def batch_of(*ids):
    return [{'message_id': i, 'counter_name': 'm'} for i in ids]


def make_writer(store):
    return writer.BatchWriter(store, stats.Counters(), backoff=0.01,
                              max_backoff=0.02)


def test_write_counts_new_and_duplicates():
    store = FlakyStore()
    w = make_writer(store)
    assert w.write(batch_of('a', 'b'))
    assert w.write(batch_of('b', 'c'))
    snap = w.counters.snapshot()
    assert snap[stats.STORED] == 3 and snap[stats.DUPLICATES] == 1


def test_outage_is_retried_until_stored():
    store = FlakyStore(outages=3)
    w = make_writer(store)
    assert w.write(batch_of('a'))
    assert store.calls == 4 and 'a' in store.kept
    assert w.counters.snapshot()[stats.STORE_FAILURES] == 3


def test_stop_during_outage_gives_up():
    store = FlakyStore(outages=10 ** 6)
    w = make_writer(store)
    threading.Timer(0.1, w.stop).start()
    assert not w.write(batch_of('a'))
    assert store.kept == {}


def test_refused_message_does_not_block_its_batch():
    store = FlakyStore()
    w = make_writer(store)
    assert w.write(batch_of('a', 'bad-1', 'b'))
    assert set(store.kept) == {'a', 'b'}
    snap = w.counters.snapshot()
    assert snap['dropped.' + messages.REFUSED] == 1
    assert store.pings >= 1


class PartlyRefusingStore(FlakyStore):
    """Keeps the messages it can and names those it refused, as the
    MongoDB driver does."""

    def record_metering_data_batch(self, batch):
        self.calls += 1
        good = [m for m in batch if not m['message_id'].startswith('bad')]
        new = [m for m in good if m['message_id'] not in self.kept]
        self.kept.update((m['message_id'], m) for m in good)
        if len(good) < len(batch):
            err = storage.InvalidData('refused')
            err.refused_ids = [m['message_id'] for m in batch
                               if m not in good]
            err.new_count = len(new)
            raise err
        return len(new)


def test_partly_refused_batch_is_not_written_again():
    store = PartlyRefusingStore()
    store.kept['b'] = {}
    w = make_writer(store)
    assert w.write(batch_of('a', 'bad-1', 'b', 'c'))
    assert store.calls == 1
    snap = w.counters.snapshot()
    assert snap[stats.STORED] == 2
    assert snap[stats.DUPLICATES] == 1
    assert snap['dropped.' + messages.REFUSED] == 1


def test_endpoint_stores_good_messages_and_requeues_when_stopped():
    store = FlakyStore()
    counters = stats.Counters()
    w = writer.BatchWriter(store, counters, backoff=0.01)
    verifier = endpoint.Verifier(counters, stats.RateLimitedLog(),
                                 test_messages.SECRET)
    sample_endpoint = endpoint.SampleEndpoint(verifier, w)
    good = test_messages.juno(message_id='g1')
    forged = test_messages.juno(message_id='f1')
    forged['counter_volume'] = 99
    result = sample_endpoint.sample([
        {'payload': [good, forged]}, {'payload': {'x': 1}}])
    assert result == oslo_messaging.NotificationResult.HANDLED
    assert list(store.kept) == ['g1']
    snap = counters.snapshot()
    assert snap[stats.RECEIVED] == 3
    assert snap['dropped.bad_signature'] == 1
    assert snap['dropped.not_a_list'] == 1

    store.outages = 10 ** 6
    threading.Timer(0.1, w.stop).start()
    result = sample_endpoint.sample([
        {'payload': [test_messages.juno(message_id='g2')]}])
    assert result == oslo_messaging.NotificationResult.REQUEUE


@pytest.mark.parametrize('packer', [
    lambda m: msgpack.packb(m, use_bin_type=True),
    lambda m: msgpack.packb(m, use_bin_type=False),  # Juno's msgpack
])
def test_udp_datagrams_decode_to_text(packer):
    msg = test_messages.juno()
    decoded = udp.decode(packer(msg))
    assert decoded == msg
    assert messages.normalise(decoded, test_messages.SECRET)


def test_udp_garbage_is_malformed():
    with pytest.raises(messages.Rejected) as err:
        udp.decode(b'\xc1\xff\x00')
    assert err.value.reason == messages.MALFORMED


@pytest.mark.parametrize('url,origin', [
    ('rabbit://guest:secret@10.0.0.1:5672/', 'rabbit://10.0.0.1:5672/'),
    ('rabbit://u:p@h1:5672,u:p@h2:5672/cell1',
     'rabbit://h1:5672,h2:5672/cell1'),
    ('rabbit://h1', 'rabbit://h1/'),
])
def test_origin_hides_credentials(url, origin):
    assert service.origin_of(url) == origin
