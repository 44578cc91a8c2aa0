"""The storage driver's batch write may be repeated after a failure: the
statistics summaries end up complete and nothing is counted twice."""

import datetime

from ceilometer_proxy import storage
from tests.functional.collector import harness
from tests import services

T0 = datetime.datetime(2026, 5, 6, 7, 0, 0)


def batch(meter, count, first=0):
    return [services.make_message(meter, float(i), 'r-%d' % (i % 3),
                                  T0 + datetime.timedelta(seconds=i))
            for i in range(first, first + count)]


def statistics(conn, meter):
    return list(conn.get_meter_statistics(storage.SampleFilter(meter=meter),
                                          period=3600))


def test_same_batch_twice_counts_once(database):
    db_url, conn = database
    conn.upgrade()
    samples = batch('retry.twice', 50)
    assert conn.record_metering_data_batch(samples) == 50
    assert conn.record_metering_data_batch(list(reversed(samples))) == 0
    stats = statistics(conn, 'retry.twice')
    assert [s.count for s in stats] == [50]
    assert stats[0].sum == sum(range(50))


def test_retry_completes_summaries_a_failed_attempt_missed(database):
    db_url, conn = database
    conn.upgrade()
    samples = batch('retry.partial', 40)
    conn.record_metering_data_batch(samples)
    # As if the store went away after the samples were inserted: the
    # summaries of the batch were never written and its marker is left.
    for collection in conn.summaries.collections.values():
        collection.delete_many({'counter_name': 'retry.partial'})
    key = conn.meter.find_one({'_id': samples[0]['message_id']})['batch']
    conn.db.meter_batch.insert_one({'_id': key})
    assert conn.record_metering_data_batch(samples) == 0
    stats = statistics(conn, 'retry.partial')
    assert [s.count for s in stats] == [40]
    assert stats[0].max == 39.0
    assert conn.db.meter_batch.count_documents({}) == 0


def test_redelivered_in_another_batch_is_not_summarised_again(database):
    db_url, conn = database
    conn.upgrade()
    first = batch('retry.redelivered', 30)
    conn.record_metering_data_batch(first)
    mixed = first[10:] + batch('retry.redelivered', 10, first=30)
    assert conn.record_metering_data_batch(mixed) == 10
    stats = statistics(conn, 'retry.redelivered')
    assert [s.count for s in stats] == [40]
    assert len(harness.stored(conn, counter_name='retry.redelivered')) == 40
