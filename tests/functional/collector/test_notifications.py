"""The collector on a real RabbitMQ node and the real store: Juno-format
notifications in, samples out through the v2 API; bad messages dropped
and counted without holding up their batch; graceful stop."""

import datetime

from tests.functional.collector import harness
from tests import services

T0 = datetime.datetime(2026, 1, 2, 3, 0, 0)


def at(seconds):
    return T0 + datetime.timedelta(seconds=seconds)


def test_juno_messages_reach_statistics(rabbit, database):
    db_url, conn = database
    collector = harness.Collector(db_url, [rabbit.url]).start()
    producer = harness.Producer(rabbit.url)
    api = services.ApiServer(db_url)
    try:
        volumes = [10.0, 20.0, 30.0, 45.5]
        for i, volume in enumerate(volumes):
            producer.send([harness.juno_message(
                'juno.cpu', volume, 'vm-%d' % (i % 2), at(i * 10))])
        collector.wait_for_stats(lambda s: s.get('stored') == 4,
                                 what='4 stored')
        api.start()
        client = services.Client(api.url)
        stats = client.get_json('/v2/meters/juno.cpu/statistics')
        assert len(stats) == 1
        assert stats[0]['count'] == 4
        assert stats[0]['sum'] == sum(volumes)
        assert stats[0]['min'] == 10.0 and stats[0]['max'] == 45.5
        assert stats[0]['unit'] == '%'
        samples = client.get_json('/v2/meters/juno.cpu',
                                  q=[{'field': 'resource_id',
                                      'value': 'vm-1'}])
        assert sorted(s['counter_volume'] for s in samples) == [20.0, 45.5]
    finally:
        producer.close()
        api.cleanup()
        collector.cleanup()


def test_bad_messages_are_dropped_and_counted(rabbit, database):
    db_url, conn = database
    collector = harness.Collector(
        db_url, [rabbit.url],
        extra={'collector': {'max_metadata_size': 4096}}).start()
    producer = harness.Producer(rabbit.url)
    try:
        good = [harness.juno_message('bad.mix', float(i), 'r-%d' % i, at(i))
                for i in range(3)]
        forged = harness.juno_message('bad.mix', 1.0, 'r-x', at(5))
        forged['counter_volume'] = 1000.0  # signature no longer matches
        unsigned = harness.juno_message('bad.mix', 2.0, 'r-y', at(6))
        del unsigned['message_signature']
        wrong_secret = harness.juno_message('bad.mix', 3.0, 'r-z', at(7),
                                            secret='another secret')
        odd_type = harness.juno_message('bad.mix', 4.0, 'r-t', at(8),
                                        counter_type='histogram')
        huge = harness.juno_message('bad.mix', 5.0, 'r-h', at(9),
                                    metadata={'blob': 'x' * 10000})
        no_id = harness.juno_message('bad.mix', 6.0, 'r-n', at(10))
        del no_id['message_id']
        no_id['message_signature'] = harness.signing.compute_signature(
            no_id, harness.SECRET)
        # One notification mixing good and bad messages, and payloads of
        # the wrong shape around it.
        producer.send({'not': 'a list'})
        producer.send([good[0], forged, unsigned, good[1], wrong_secret,
                       odd_type, huge, no_id, 'text', good[2]])
        producer.send('just text')
        stats = collector.wait_for_stats(
            lambda s: s.get('received') == 12 and s.get('stored') == 3,
            what='12 received, 3 stored')
        assert stats['dropped.bad_signature'] == 3
        assert stats['dropped.unknown_type'] == 1
        assert stats['dropped.too_large'] == 1
        assert stats['dropped.malformed'] == 2
        assert stats['dropped.not_a_list'] == 2
        docs = harness.stored(conn)
        assert set(docs) == {m['message_id'] for m in good}
        assert 'Dropped a metering message (bad_signature)' in \
            collector.log()
    finally:
        producer.close()
        collector.cleanup()


def test_redelivery_is_harmless(rabbit, database):
    db_url, conn = database
    collector = harness.Collector(db_url, [rabbit.url]).start()
    producer = harness.Producer(rabbit.url)
    try:
        messages = [harness.juno_message('dup.meter', float(i), 'r', at(i))
                    for i in range(5)]
        producer.send(messages)
        producer.send(messages[:3])
        stats = collector.wait_for_stats(
            lambda s: s.get('received') == 8, what='8 received')
        collector.wait_for_stats(
            lambda s: s.get('stored') == 5 and s.get('duplicates') == 3,
            what='5 stored, 3 duplicates')
        assert len(harness.stored(conn, counter_name='dup.meter')) == 5
        assert stats.get('dropped.bad_signature') is None
    finally:
        producer.close()
        collector.cleanup()


def test_sigterm_stores_what_it_holds_and_exits(rabbit, database):
    db_url, conn = database
    # A long batch timeout: the messages sit in the listener's batch when
    # SIGTERM arrives.
    collector = harness.Collector(
        db_url, [rabbit.url],
        extra={'collector': {'batch_size': 1000,
                             'batch_timeout': 30}}).start()
    producer = harness.Producer(rabbit.url)
    try:
        messages = [harness.juno_message('stop.meter', float(i), 'r', at(i))
                    for i in range(20)]
        for message in messages:
            producer.send([message])
        harness.wait_until(lambda: harness.unacknowledged(rabbit) == 20,
                           what='20 messages delivered', timeout=20)
        assert harness.stored(conn, counter_name='stop.meter') == {}
        assert collector.terminate() == 0
        assert len(harness.stored(conn, counter_name='stop.meter')) == 20
        assert collector.stats()['stored'] == 20
    finally:
        producer.close()
        collector.cleanup()
