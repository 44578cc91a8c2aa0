"""Exact v2 statistics from Gnocchi's pre-aggregated buckets.

The buckets are built from raw values as Gnocchi keeps them (count, sum,
mean, min, max, and the sample standard deviation ``std`` of buckets of
two or more measures); the statistics must equal those of the raw values
themselves (v2's stddev is the population one). Then the choice of a
granularity, the methods a statistic needs, and the detection of
measures a finer granularity has dropped.
"""

import datetime
import math
import statistics

import pytest

from ceilometer_proxy.cascading.drivers.gnocchi import aggregation

T0 = datetime.datetime(2026, 1, 1, 10, 0)
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)

VM1 = {'id': 'g-1', 'original_resource_id': 'vm-1', 'project_id': 'p1',
       'user_id': 'u1'}
VM2 = {'id': 'g-2', 'original_resource_id': 'vm-2', 'project_id': 'p1',
       'user_id': 'u2'}
VM3 = {'id': 'g-3', 'original_resource_id': 'vm-3', 'project_id': 'p2',
       'user_id': 'u2'}

# Raw measures of vm-1 by minute bucket.
RAW = {T0: [1.0, 2.0, 3.0, 4.0],
       T0 + MINUTE: [10.0],
       T0 + 2 * MINUTE: [5.0, 7.5],
       T0 + 3 * MINUTE: [-2.0, 0.25, 6.0]}
# Raw measures of vm-2 by minute bucket.
RAW2 = {T0: [100.0, 50.0],
        T0 + 2 * MINUTE: [42.0],
        T0 + 5 * MINUTE: [8.0, 9.0, 30.0, 1.5]}


def _bucket(values, methods=('count', 'sum', 'mean', 'min', 'max',
                             'std')):
    """What Gnocchi keeps of raw values in one bucket."""
    kept = {'count': float(len(values)), 'sum': math.fsum(values),
            'mean': statistics.fmean(values), 'min': min(values),
            'max': max(values)}
    if len(values) > 1:  # Gnocchi keeps no std of a single measure
        kept['std'] = statistics.stdev(values)
    return {m: v for m, v in kept.items() if m in methods}


def _points(raw, **kwargs):
    return {t: _bucket(values, **kwargs) for t, values in raw.items()}


def _all(*raws):
    return [v for raw in raws for values in raw.values() for v in values]


def _stats(series, granularity=60, period=0, start=None, groupby=(),
           aggregates=()):
    return aggregation.statistics(series, granularity, period, start,
                                  list(groupby), list(aggregates))


# -- standard statistics ----------------------------------------------------


def test_standard_statistics_equal_those_of_the_raw_values():
    [stat] = _stats([(VM1, '%', _points(RAW))])
    raw = _all(RAW)
    assert stat['count'] == len(raw) == 10
    assert stat['sum'] == pytest.approx(math.fsum(raw))
    assert stat['min'] == min(raw) == -2.0
    assert stat['max'] == max(raw) == 10.0
    assert stat['avg'] == pytest.approx(statistics.fmean(raw))


def test_standard_statistics_across_resources():
    [stat] = _stats([(VM1, '%', _points(RAW)), (VM2, '%', _points(RAW2))])
    raw = _all(RAW, RAW2)
    assert stat['count'] == len(raw) == 17
    assert stat['sum'] == pytest.approx(math.fsum(raw))
    assert stat['min'] == min(raw)
    assert stat['max'] == max(raw)
    assert stat['avg'] == pytest.approx(statistics.fmean(raw))


def test_statistic_shape_without_period():
    [stat] = _stats([(VM1, '%', _points(RAW))])
    assert stat['unit'] == '%'
    assert stat['period'] == 0
    assert stat['period_start'] == T0
    # The end of the last bucket: the last sample's time is not kept.
    assert stat['period_end'] == T0 + 4 * MINUTE
    assert stat['duration_start'] is None
    assert stat['duration_end'] is None
    assert stat['duration'] is None
    assert stat['groupby'] is None
    assert 'aggregate' not in stat


def test_period_start_is_the_explicit_start_without_period():
    [stat] = _stats([(VM1, '%', _points(RAW))],
                    start=T0 - 5 * MINUTE)
    assert stat['period_start'] == T0 - 5 * MINUTE
    assert stat['period_end'] == T0 + 4 * MINUTE


def test_period_end_follows_the_granularity():
    points = {T0: _bucket([1.0]), T0 + HOUR: _bucket([2.0])}
    [stat] = _stats([(VM1, '%', points)], granularity=3600)
    assert stat['period_end'] == T0 + 2 * HOUR


def test_no_buckets_no_statistics():
    assert _stats([]) == []
    assert _stats([(VM1, '%', {}), (VM2, '%', {})]) == []


# -- stddev -----------------------------------------------------------------


def test_stddev_is_the_population_one_of_the_raw_values():
    [stat] = _stats([(VM1, '%', _points(RAW))],
                    aggregates=[('stddev', None)])
    raw = _all(RAW)
    assert stat['aggregate']['stddev'] == pytest.approx(
        statistics.pstdev(raw), rel=1e-12)
    assert stat['aggregate']['stddev'] != pytest.approx(
        statistics.stdev(raw))


def test_stddev_across_resources():
    [stat] = _stats([(VM1, '%', _points(RAW)), (VM2, '%', _points(RAW2))],
                    aggregates=[('stddev', None)])
    assert stat['aggregate']['stddev'] == pytest.approx(
        statistics.pstdev(_all(RAW, RAW2)), rel=1e-12)


def test_stddev_from_std_count_and_mean_without_sum():
    points = _points(RAW, methods=('std', 'count', 'mean'))
    [stat] = _stats([(VM1, '%', points)], aggregates=[('stddev', None)])
    assert stat['aggregate']['stddev'] == pytest.approx(
        statistics.pstdev(_all(RAW)), rel=1e-12)


def test_stddev_of_one_bucket_converts_the_sample_std():
    raw = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
    [stat] = _stats([(VM1, '%', {T0: _bucket(raw)})],
                    aggregates=[('stddev', None)])
    # stdev (n - 1) is 2.138..., pstdev (n) is exactly 2.
    assert stat['aggregate']['stddev'] == pytest.approx(2.0, rel=1e-12)


def test_stddev_of_single_measure_buckets_without_std():
    points = {T0: _bucket([10.0]), T0 + MINUTE: _bucket([20.0])}
    assert all('std' not in values for values in points.values())
    [stat] = _stats([(VM1, '%', points)], aggregates=[('stddev', None)])
    assert stat['aggregate']['stddev'] == pytest.approx(5.0)


def test_stddev_of_one_measure_is_zero():
    [stat] = _stats([(VM1, '%', {T0: _bucket([3.0])})],
                    aggregates=[('stddev', None)])
    assert stat['aggregate']['stddev'] == 0.0


def test_stddev_of_equal_values_is_zero():
    [stat] = _stats([(VM1, '%', _points({T0: [4.0, 4.0],
                                         T0 + MINUTE: [4.0]}))],
                    aggregates=[('stddev', None)])
    assert stat['aggregate']['stddev'] == 0.0


def test_stddev_of_a_bucket_of_several_measures_without_std_is_not_exact():
    points = {T0: _bucket([1.0, 2.0], methods=('count', 'sum'))}
    with pytest.raises(aggregation.NotExact):
        _stats([(VM1, '%', points)], aggregates=[('stddev', None)])


def test_population_variance_of_a_part():
    raw = [1.0, 2.0, 3.0, 4.0]
    part = aggregation.Part(VM1, _bucket(raw))
    assert part.population_variance() == pytest.approx(
        statistics.pvariance(raw))


# -- avg --------------------------------------------------------------------


def test_avg_from_mean_of_a_single_bucket():
    points = {T0: _bucket([1.0, 2.0, 6.0], methods=('mean',))}
    [stat] = _stats([(VM1, '%', points)], aggregates=[('avg', None)])
    assert stat['avg'] == pytest.approx(3.0)


def test_avg_from_means_of_several_buckets_is_not_exact():
    points = _points(RAW, methods=('mean',))
    with pytest.raises(aggregation.NotExact):
        _stats([(VM1, '%', points)], aggregates=[('avg', None)])


def test_avg_from_means_of_several_resources_is_not_exact():
    series = [(VM1, '%', {T0: _bucket([1.0], methods=('mean',))}),
              (VM2, '%', {T0: _bucket([3.0, 8.0], methods=('mean',))})]
    with pytest.raises(aggregation.NotExact):
        _stats(series, aggregates=[('avg', None)])


def test_avg_is_weighted_by_count_not_a_mean_of_means():
    points = _points({T0: [1.0], T0 + MINUTE: [10.0, 10.0, 10.0]},
                     methods=('sum', 'count'))
    [stat] = _stats([(VM1, '%', points)], aggregates=[('avg', None)])
    assert stat['avg'] == pytest.approx(31.0 / 4)


# -- cardinality and selected aggregates --------------------------------------


def _three_resources():
    return [(VM1, '%', _points(RAW)), (VM2, '%', _points(RAW2)),
            (VM3, '%', _points({T0: [1.0]}))]


@pytest.mark.parametrize('param, expected', [
    ('resource_id', 3), ('project_id', 2), ('user_id', 2)])
def test_cardinality_counts_distinct_ids(param, expected):
    [stat] = _stats(_three_resources(),
                    aggregates=[('cardinality', param)])
    assert stat['aggregate'] == {'cardinality/%s' % param: expected}


def test_cardinality_of_resources_uses_original_ids():
    other = dict(VM1, id='g-other')  # a second metric of vm-1's resource
    series = [(VM1, '%', _points(RAW)), (other, '%', _points(RAW2))]
    [stat] = _stats(series, aggregates=[('cardinality', 'resource_id')])
    assert stat['aggregate'] == {'cardinality/resource_id': 1}


def test_cardinality_per_period():
    series = [(VM1, '%', {T0: _bucket([1.0])}),
              (VM2, '%', {T0: _bucket([2.0]),
                          T0 + HOUR: _bucket([3.0])})]
    stats = _stats(series, period=3600, start=T0,
                   aggregates=[('cardinality', 'resource_id')])
    assert [s['aggregate']['cardinality/resource_id'] for s in stats] == [
        2, 1]


def test_selected_aggregates_are_in_aggregate_and_standard_ones_shown():
    [stat] = _stats([(VM1, '%', _points(RAW))],
                    aggregates=[('count', None), ('max', None),
                                ('cardinality', 'user_id')])
    assert stat['aggregate'] == {'count': 10, 'max': 10.0,
                                 'cardinality/user_id': 1}
    assert stat['count'] == 10
    assert stat['max'] == 10.0
    assert 'min' not in stat
    assert 'avg' not in stat


def test_combine_of_parts():
    raw = {T0: [1.0, 3.0], T0 + MINUTE: [2.0]}
    parts = [aggregation.Part(VM1, values)
             for values in _points(raw).values()]
    values = aggregation.combine(parts, [])
    assert values == {'count': 3, 'sum': pytest.approx(6.0),
                      'avg': pytest.approx(2.0), 'min': 1.0, 'max': 3.0}
    assert isinstance(values['count'], int)


# -- periods ----------------------------------------------------------------


def test_periods_are_unions_of_buckets_from_the_explicit_start():
    stats = _stats([(VM1, '%', _points(RAW))], period=120, start=T0)
    assert [s['period_start'] for s in stats] == [T0, T0 + 2 * MINUTE]
    assert [s['period_end'] for s in stats] == [T0 + 2 * MINUTE,
                                                T0 + 4 * MINUTE]
    assert [s['period'] for s in stats] == [120, 120]
    first = RAW[T0] + RAW[T0 + MINUTE]
    second = RAW[T0 + 2 * MINUTE] + RAW[T0 + 3 * MINUTE]
    assert [s['count'] for s in stats] == [len(first), len(second)]
    assert [s['sum'] for s in stats] == [pytest.approx(math.fsum(first)),
                                         pytest.approx(math.fsum(second))]
    assert [s['min'] for s in stats] == [min(first), min(second)]
    assert [s['max'] for s in stats] == [max(first), max(second)]
    assert [s['avg'] for s in stats] == [
        pytest.approx(statistics.fmean(first)),
        pytest.approx(statistics.fmean(second))]


def test_periods_start_at_the_explicit_start_before_the_first_bucket():
    stats = _stats([(VM1, '%', _points(RAW))], period=120,
                   start=T0 - 2 * MINUTE)
    assert [s['period_start'] for s in stats] == [T0, T0 + 2 * MINUTE]
    assert [s['count'] for s in stats] == [5, 5]


def test_periods_start_at_the_first_bucket_without_start():
    points = _points({T0 + MINUTE: [1.0], T0 + 2 * MINUTE: [2.0],
                      T0 + 3 * MINUTE: [4.0]})
    stats = _stats([(VM1, '%', points)], period=120)
    assert [s['period_start'] for s in stats] == [T0 + MINUTE,
                                                  T0 + 3 * MINUTE]
    assert [s['sum'] for s in stats] == [3.0, 4.0]


def test_first_bucket_of_every_series_is_the_origin():
    series = [(VM1, '%', {T0 + 3 * MINUTE: _bucket([1.0])}),
              (VM2, '%', {T0 + MINUTE: _bucket([2.0])})]
    stats = _stats(series, period=120)
    assert [(s['period_start'], s['sum']) for s in stats] == [
        (T0 + MINUTE, 2.0), (T0 + 3 * MINUTE, 1.0)]


def test_empty_periods_are_not_shown():
    points = _points({T0: [1.0], T0 + 10 * MINUTE: [2.0]})
    stats = _stats([(VM1, '%', points)], period=120, start=T0)
    assert [s['period_start'] for s in stats] == [T0, T0 + 10 * MINUTE]


def test_period_stddev_per_period():
    stats = _stats([(VM1, '%', _points(RAW)), (VM2, '%', _points(RAW2))],
                   period=180, start=T0, aggregates=[('stddev', None)])
    first = RAW[T0] + RAW[T0 + MINUTE] + RAW[T0 + 2 * MINUTE] + \
        RAW2[T0] + RAW2[T0 + 2 * MINUTE]
    second = RAW[T0 + 3 * MINUTE] + RAW2[T0 + 5 * MINUTE]
    assert [s['aggregate']['stddev'] for s in stats] == [
        pytest.approx(statistics.pstdev(first), rel=1e-12),
        pytest.approx(statistics.pstdev(second), rel=1e-12)]


# -- groupby ----------------------------------------------------------------


def test_groupby_resource_id_is_the_original_resource_id():
    stats = _stats([(VM2, '%', _points(RAW2)), (VM1, '%', _points(RAW))],
                   groupby=['resource_id'])
    assert [s['groupby'] for s in stats] == [{'resource_id': 'vm-1'},
                                             {'resource_id': 'vm-2'}]
    assert [s['count'] for s in stats] == [len(_all(RAW)), len(_all(RAW2))]
    assert stats[1]['avg'] == pytest.approx(statistics.fmean(_all(RAW2)))


def test_groupby_project_pools_its_resources():
    stats = _stats(_three_resources(), groupby=['project_id'],
                   aggregates=[('sum', None), ('stddev', None)])
    assert [s['groupby'] for s in stats] == [{'project_id': 'p1'},
                                             {'project_id': 'p2'}]
    p1 = _all(RAW, RAW2)
    assert stats[0]['sum'] == pytest.approx(math.fsum(p1))
    assert stats[0]['aggregate']['stddev'] == pytest.approx(
        statistics.pstdev(p1), rel=1e-12)
    assert stats[1]['sum'] == 1.0


def test_groupby_user_and_project():
    stats = _stats(_three_resources(), groupby=['user_id', 'project_id'])
    assert [s['groupby'] for s in stats] == [
        {'user_id': 'u1', 'project_id': 'p1'},
        {'user_id': 'u2', 'project_id': 'p1'},
        {'user_id': 'u2', 'project_id': 'p2'}]
    assert [s['count'] for s in stats] == [10, 7, 1]


def test_groups_without_period_share_the_period_start():
    series = [(VM1, '%', {T0 + 3 * MINUTE: _bucket([1.0])}),
              (VM2, '%', {T0: _bucket([2.0])})]
    stats = _stats(series, groupby=['resource_id'])
    assert [s['period_start'] for s in stats] == [T0, T0]
    assert [s['period_end'] for s in stats] == [T0 + 4 * MINUTE,
                                                T0 + MINUTE]


def test_groupby_and_period():
    stats = _stats([(VM1, '%', _points(RAW)), (VM2, '%', _points(RAW2))],
                   period=180, start=T0, groupby=['resource_id'])
    assert [(s['period_start'], s['groupby']['resource_id'], s['count'])
            for s in stats] == [(T0, 'vm-1', 7), (T0, 'vm-2', 3),
                                (T0 + 3 * MINUTE, 'vm-1', 3),
                                (T0 + 3 * MINUTE, 'vm-2', 4)]


def test_units_are_never_pooled():
    series = [(VM1, 'B', _points(RAW)), (VM2, 'MB', _points(RAW2))]
    stats = _stats(series)
    assert [(s['unit'], s['count'], s['groupby']) for s in stats] == [
        ('B', 10, None), ('MB', 7, None)]


def test_units_split_groups_too():
    other = dict(VM2, project_id='p1')
    series = [(VM1, 'B', _points(RAW)), (other, 'MB', _points(RAW2))]
    stats = _stats(series, groupby=['project_id'])
    assert [(s['unit'], s['groupby'], s['count']) for s in stats] == [
        ('B', {'project_id': 'p1'}, 10), ('MB', {'project_id': 'p1'}, 7)]


# -- methods_for ------------------------------------------------------------

ALL = frozenset(('mean', 'min', 'max', 'sum', 'std', 'count'))


def test_standard_set_needs_count_sum_min_max():
    assert aggregation.methods_for([], ALL, 'cpu_util') == {
        'count', 'sum', 'min', 'max'}


@pytest.mark.parametrize('func, kept, wanted', [
    ('count', ALL, {'count'}),
    ('sum', ALL, {'sum'}),
    ('min', ALL, {'min'}),
    ('max', ALL, {'max'}),
    ('avg', ALL, {'sum', 'count'}),
    ('avg', {'mean'}, {'mean'}),
    ('avg', {'mean', 'sum'}, {'mean'}),
    ('stddev', ALL, {'std', 'count', 'sum'}),
    ('stddev', {'std', 'count', 'mean'}, {'std', 'count', 'mean'}),
])
def test_methods_of_one_aggregate(func, kept, wanted):
    assert aggregation.methods_for([(func, None)], kept,
                                   'cpu_util') == wanted


def test_methods_of_several_aggregates_are_their_union():
    assert aggregation.methods_for(
        [('min', None), ('cardinality', 'project_id'), ('max', None)],
        ALL, 'cpu_util') == {'min', 'count', 'max'}


def test_cardinality_needs_count():
    assert aggregation.methods_for([('cardinality', 'resource_id')], ALL,
                                   'cpu_util') == {'count'}
    with pytest.raises(aggregation.NotExact) as caught:
        aggregation.methods_for([('cardinality', 'resource_id')],
                                {'mean'}, 'cpu_util')
    assert 'count' in str(caught.value)


def test_missing_method_is_named_with_the_meter_and_what_is_kept():
    with pytest.raises(aggregation.NotExact) as caught:
        aggregation.methods_for([('sum', None)], {'mean', 'max'},
                                'cpu_util')
    message = str(caught.value)
    assert 'sum of cpu_util' in message
    assert 'max, mean' in message


def test_avg_without_sum_count_or_mean_names_both_options():
    with pytest.raises(aggregation.NotExact) as caught:
        aggregation.methods_for([('avg', None)], {'sum', 'max'}, 'cpu')
    assert 'sum+count or mean' in str(caught.value)


def test_stddev_without_std_is_not_exact():
    with pytest.raises(aggregation.NotExact) as caught:
        aggregation.methods_for([('stddev', None)],
                                {'count', 'sum', 'mean'}, 'cpu')
    assert 'std+count+sum or std+count+mean' in str(caught.value)


def test_standard_set_without_min_is_not_exact():
    with pytest.raises(aggregation.NotExact) as caught:
        aggregation.methods_for([], ALL - {'min'}, 'cpu')
    assert 'min of cpu' in str(caught.value)


def test_policy_without_methods_says_none():
    with pytest.raises(aggregation.NotExact) as caught:
        aggregation.methods_for([('max', None)], set(), 'cpu')
    assert 'keeps none' in str(caught.value)


def test_unknown_aggregate_is_not_exact():
    with pytest.raises(aggregation.NotExact) as caught:
        aggregation.methods_for([('median', None)], ALL, 'cpu')
    assert 'median' in str(caught.value)


@pytest.mark.parametrize('param', ['source', 'resource_metadata.flavor',
                                   None])
def test_cardinality_of_other_fields_is_not_exact(param):
    with pytest.raises(aggregation.NotExact) as caught:
        aggregation.methods_for([('cardinality', param)], ALL, 'cpu')
    assert 'project_id, resource_id, user_id' in str(caught.value)


# -- choose_granularity -----------------------------------------------------

KEPT = [60.0, 300.0, 3600.0]


@pytest.mark.parametrize('period, expected', [
    (3600, 3600.0), (7200, 3600.0), (86400, 3600.0), (600, 300.0),
    (300, 300.0), (1800, 300.0), (120, 60.0), (60, 60.0)])
def test_coarsest_granularity_dividing_the_period(period, expected):
    assert aggregation.choose_granularity(KEPT, period, T0,
                                          T0 + 24 * HOUR) == expected


@pytest.mark.parametrize('period', [30, 90, 150, 3601])
def test_no_granularity_divides_the_period(period):
    assert aggregation.choose_granularity(KEPT, period, T0, None) is None


def test_without_period_or_bounds_the_coarsest():
    assert aggregation.choose_granularity(KEPT, None, None, None) == 3600.0
    assert aggregation.choose_granularity(KEPT, 0, None, None) == 3600.0


def test_start_must_be_on_the_granularity_boundary():
    start = T0 + 5 * MINUTE
    assert aggregation.choose_granularity(KEPT, 3600, start,
                                          None) == 300.0
    assert aggregation.choose_granularity(KEPT, None, start, None) == 300.0


def test_stop_must_be_on_the_granularity_boundary():
    stop = T0 + 7 * MINUTE
    assert aggregation.choose_granularity(KEPT, None, T0, stop) == 60.0
    assert aggregation.choose_granularity(KEPT, 3600, None, stop) == 60.0


def test_bounds_off_every_boundary_give_none():
    off = T0 + datetime.timedelta(seconds=30)
    assert aggregation.choose_granularity(KEPT, None, off, None) is None
    assert aggregation.choose_granularity(KEPT, None, None, off) is None
    micro = T0 + datetime.timedelta(microseconds=1)
    assert aggregation.choose_granularity(KEPT, 3600, micro, None) is None


def test_boundaries_are_aligned_to_the_epoch():
    day = datetime.datetime(2026, 1, 2)
    assert aggregation.choose_granularity([86400.0], None, day,
                                          day + 2 * 24 * HOUR) == 86400.0
    assert aggregation.choose_granularity([86400.0], None, day + HOUR,
                                          None) is None


def test_no_granularities_give_none():
    assert aggregation.choose_granularity([], 3600, None, None) is None


# -- truncated ----------------------------------------------------------------


def _counts(**minutes):
    """{T0 + m minutes: {'count': n}} of m<minutes>=n."""
    return {T0 + int(k[1:]) * MINUTE: {'count': float(n)}
            for k, n in minutes.items()}


def test_nothing_fine_nor_coarse_is_not_truncated():
    assert not aggregation.truncated({}, {}, 3600)


def test_coarse_measures_without_fine_ones_are_truncated():
    assert aggregation.truncated({}, {T0: {'count': 4.0}}, 3600)


def test_coarse_bucket_before_the_first_fine_one_is_truncated():
    fine = _counts(m60=2, m61=1)  # from 11:00
    coarse = {T0: {'count': 5.0}, T0 + HOUR: {'count': 3.0}}
    assert aggregation.truncated(fine, coarse, 3600)


def test_straddling_coarse_bucket_reached_by_the_fine_counts():
    fine = _counts(m0=3, m30=2, m59=1, m60=4)
    coarse = {T0: {'count': 6.0}, T0 + HOUR: {'count': 4.0}}
    assert not aggregation.truncated(fine, coarse, 3600)


def test_straddling_coarse_bucket_not_reached_is_truncated():
    fine = _counts(m30=2, m59=1, m60=4)  # 10:00-10:29 dropped
    coarse = {T0: {'count': 6.0}, T0 + HOUR: {'count': 4.0}}
    assert aggregation.truncated(fine, coarse, 3600)


def test_straddling_coarse_bucket_without_count_is_refused():
    fine = _counts(m30=2, m60=4)
    coarse = {T0: {'mean': 3.0}, T0 + HOUR: {'mean': 1.0}}
    assert aggregation.truncated(fine, coarse, 3600)


def test_fine_counts_outside_the_coarse_bucket_do_not_count():
    fine = _counts(m30=2, m60=10)
    coarse = {T0: {'count': 6.0}, T0 + HOUR: {'count': 10.0}}
    assert aggregation.truncated(fine, coarse, 3600)


def test_coarse_buckets_from_the_first_fine_one_are_not_compared():
    fine = _counts(m0=1, m60=1)
    coarse = {T0: {'count': 1.0}, T0 + HOUR: {'count': 50.0}}
    assert not aggregation.truncated(fine, coarse, 3600)


def test_coarse_bucket_before_start_is_ignored():
    start = T0 + 30 * MINUTE
    fine = _counts(m30=2, m60=4)
    coarse = {T0: {'count': 40.0}, T0 + HOUR: {'count': 4.0}}
    assert not aggregation.truncated(fine, coarse, 3600, start)
    assert aggregation.truncated(fine, coarse, 3600)


def test_only_coarse_buckets_before_start_is_not_truncated():
    start = T0 + 30 * MINUTE
    assert not aggregation.truncated({}, {T0: {'count': 4.0}}, 3600, start)


def test_coarse_bucket_from_start_before_the_fine_ones_is_truncated():
    start = T0
    fine = _counts(m120=1)
    coarse = {T0: {'count': 3.0}, T0 + 2 * HOUR: {'count': 1.0}}
    assert aggregation.truncated(fine, coarse, 3600, start)
