"""Planning statistics between summaries and raw samples."""

import datetime

from ceilometer_proxy import storage
from ceilometer_proxy.storage.mongo import rollups

T = datetime.datetime
H10 = T(2020, 1, 1, 10, 0)


def test_floor_and_ceil_to_buckets():
    ts = T(2020, 1, 1, 10, 11, 30, 250000)
    assert rollups.floor_to(ts, 60) == T(2020, 1, 1, 10, 11)
    assert rollups.ceil_to(ts, 60) == T(2020, 1, 1, 10, 12)
    assert rollups.floor_to(ts, 3600) == H10
    assert rollups.ceil_to(H10, 3600) == H10
    assert rollups.is_aligned(H10, 3600)
    assert not rollups.is_aligned(ts, 60)


def sample(volume, seconds, resource='r'):
    return {'counter_name': 'cpu', 'resource_id': resource,
            'project_id': 'p', 'user_id': 'u', 'source': 's',
            'counter_unit': '%', 'counter_volume': volume,
            'timestamp': H10 + datetime.timedelta(seconds=seconds)}


def test_summaries_of_a_batch_one_per_series_and_hour():
    docs = [sample(1.0, 5), sample(4.0, 50), sample(2.0, 3700),
            sample(9.0, 10, resource='other')]
    summaries = rollups.summaries_of(docs)
    assert len(summaries) == 3
    first = [s for s in summaries
             if s['bucket'] == H10 and s['resource_id'] == 'r'][0]
    assert (first['count'], first['sum'], first['min'], first['max']) == (
        2, 5.0, 1.0, 4.0)
    assert first['first'] == H10 + datetime.timedelta(seconds=5)
    assert first['last'] == H10 + datetime.timedelta(seconds=50)
    assert (first['level'], first['counter_name'], first['counter_unit']) == (
        3600, 'cpu', '%')


def test_merge_adds_parts_of_the_same_bucket():
    parts = (rollups.summaries_of([sample(1.0, 5), sample(3.0, 9)]) +
             rollups.summaries_of([sample(-2.0, 1), sample(7.0, 3599)]) +
             rollups.summaries_of([sample(5.0, 3600)]))
    merged = sorted(rollups.merge(parts), key=lambda d: d['bucket'])
    assert len(merged) == 2
    hour = merged[0]
    assert (hour['count'], hour['sum'], hour['min'], hour['max']) == (
        4, 9.0, -2.0, 7.0)
    assert hour['first'] == H10 + datetime.timedelta(seconds=1)
    assert hour['last'] == H10 + datetime.timedelta(seconds=3599)
    assert merged[1]['count'] == 1


def test_samples_without_volume_are_not_summarised():
    doc = sample(None, 5)
    assert rollups.summaries_of([doc]) == []


def test_unbounded_query_reads_hour_summaries_only():
    plan = rollups.plan(None, None, None, None)
    assert (plan.level, plan.start, plan.end, plan.raw) == (
        3600, None, None, [])


def test_hour_aligned_range_needs_no_raw_samples():
    plan = rollups.plan(H10, 'ge', T(2020, 1, 1, 14), 'lt')
    assert (plan.level, plan.start, plan.end, plan.raw) == (
        3600, H10, T(2020, 1, 1, 14), [])


def test_unaligned_bounds_leave_raw_edges_with_the_query_operators():
    start, end = T(2020, 1, 1, 10, 11, 30), T(2020, 1, 1, 14, 0)
    plan = rollups.plan(start, 'gt', end, 'le')
    assert plan.level == 3600
    assert (plan.start, plan.end) == (T(2020, 1, 1, 11), end)
    assert plan.raw == [(start, 'gt', T(2020, 1, 1, 11), 'lt'),
                        (end, 'ge', end, 'le')]


def test_gt_on_an_aligned_start_reads_that_bucket_raw():
    plan = rollups.plan(H10, 'gt', None, None)
    assert plan.level == 3600
    assert plan.start == T(2020, 1, 1, 11)
    assert plan.raw == [(H10, 'gt', T(2020, 1, 1, 11), 'lt')]


def test_period_must_be_whole_hours_from_an_hour():
    assert rollups.plan(H10, 'ge', None, None, 7200, H10).level == 3600
    assert rollups.plan(H10, 'ge', T(2020, 1, 1, 12), 'lt', 600,
                        H10).level is None


def test_buckets_cut_by_period_boundaries_are_read_raw():
    origin = T(2020, 1, 1, 10, 20)
    end = T(2020, 1, 1, 20, 0)
    plan = rollups.plan(origin, 'ge', end, 'lt', 7200, origin)
    assert plan.level == 3600
    assert plan.skip == {T(2020, 1, 1, 12), T(2020, 1, 1, 14),
                         T(2020, 1, 1, 16), T(2020, 1, 1, 18)}
    assert (T(2020, 1, 1, 12), 'ge', T(2020, 1, 1, 13), 'lt') in plan.raw
    assert plan.raw[0] == (origin, 'ge', T(2020, 1, 1, 11), 'lt')


def test_periods_shorter_than_an_hour_read_raw_samples():
    plan = rollups.plan(H10, 'ge', T(2020, 1, 1, 11), 'lt', 60, H10)
    assert plan.level is None
    assert plan.raw == [(H10, 'ge', T(2020, 1, 1, 11), 'lt')]


def test_empty_range_reads_raw():
    ts = T(2020, 1, 1, 10, 0, 10)
    plan = rollups.plan(ts, 'ge', ts + datetime.timedelta(minutes=20), 'lt')
    assert plan.level is None


def test_queries_summaries_cannot_answer():
    plain = storage.SampleFilter(meter='cpu')
    assert rollups.usable_for(plain, ['resource_id'],
                              [storage.Aggregate('max')])
    assert not rollups.usable_for(
        storage.SampleFilter(meter='cpu', metaquery={'metadata.a': 1}),
        [], [])
    assert not rollups.usable_for(plain, ['resource_metadata.flavor'], [])
    assert not rollups.usable_for(plain, [], [storage.Aggregate('stddev')])
