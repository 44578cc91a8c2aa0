"""Several brokers at once (with the origin of every sample) and the
msgpack UDP listener."""

import datetime
import socket

import msgpack

from tests.functional.collector import harness
from tests import rabbitmq
from tests import services

T0 = datetime.datetime(2026, 2, 3, 4, 0, 0)


def test_two_brokers_with_origin(rabbit, database):
    db_url, conn = database
    second = rabbitmq.RabbitMQ().start()
    collector = harness.Collector(
        db_url, [rabbit.url, second.url],
        extra={'collector': {'record_origin': 'true'}})
    producers = []
    try:
        collector.start()
        sent = {}
        for node in (rabbit, second):
            producer = harness.Producer(node.url)
            producers.append(producer)
            batch = [harness.juno_message(
                'multi.meter', float(i), 'r-%d' % i,
                T0 + datetime.timedelta(seconds=i)) for i in range(3)]
            producer.send(batch)
            sent.update((m['message_id'], node) for m in batch)
        collector.wait_for_stats(lambda s: s.get('stored') == 6,
                                 what='6 stored')
        docs = harness.stored(conn, counter_name='multi.meter')
        assert set(docs) == set(sent)
        for message_id, node in sent.items():
            origin = docs[message_id]['resource_metadata']['origin']
            assert origin == 'rabbit://127.0.0.1:%d/' % node.port
        assert 'guest' not in str(docs)
    finally:
        for producer in producers:
            producer.close()
        collector.cleanup()
        second.cleanup()


def ceilometer27_udp_message(volume, timestamp):
    """What Ceilometer 27's udp:// publisher packs (publisher_id = host)."""
    msg = harness.juno_message('udp.meter', volume, 'udp-res', timestamp)
    del msg['message_signature']
    msg.update(user_name='alice', project_name='demo', monotonic_time=None,
               publisher_id='compute-1')
    msg['message_signature'] = harness.signing.compute_signature(
        msg, harness.SECRET)
    return msg


def test_udp_listener(database):
    db_url, conn = database
    port = services.free_port()
    collector = harness.Collector(
        db_url, [], udp_port=port,
        extra={'collector': {'batch_size': 3, 'notifications': 'false'}})
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        collector.start()
        juno = [harness.juno_message('udp.meter', float(i), 'udp-res',
                                     T0 + datetime.timedelta(seconds=i))
                for i in range(4)]
        new = [ceilometer27_udp_message(10.0 + i,
                                        T0 + datetime.timedelta(minutes=i))
               for i in range(2)]
        forged = harness.juno_message('udp.meter', 1.0, 'udp-res', T0)
        forged['counter_volume'] = 2.0
        datagrams = [msgpack.packb(m, use_bin_type=False) for m in juno]
        datagrams += [msgpack.packb(m, use_bin_type=True) for m in new]
        datagrams += [msgpack.packb(forged), b'\xc1 not msgpack']
        for datagram in datagrams:
            sock.sendto(datagram, ('127.0.0.1', port))
        stats = collector.wait_for_stats(
            lambda s: s.get('received') == 8 and s.get('stored') == 6,
            what='8 received, 6 stored')
        assert stats['dropped.bad_signature'] == 1
        assert stats['dropped.malformed'] == 1
        docs = harness.stored(conn, counter_name='udp.meter')
        assert set(docs) == {m['message_id'] for m in juno + new}
        assert 'publisher_id' not in next(iter(docs.values()))
    finally:
        sock.close()
        collector.cleanup()
