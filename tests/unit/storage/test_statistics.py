"""StatisticsBuilder: folding sample documents into statistics, in Python."""

import datetime
import math
import random
import statistics

import pytest

from ceilometer_proxy.storage.filters import Aggregate
from ceilometer_proxy.storage.statistics import population_stddev
from ceilometer_proxy.storage.statistics import StatisticsBuilder

DT = datetime.datetime
SECOND = datetime.timedelta(seconds=1)
STANDARD = ('count', 'sum', 'min', 'max', 'avg')


def doc(ts, volume, unit='W', **fields):
    d = {'timestamp': ts, 'counter_volume': volume, 'counter_unit': unit}
    d.update(fields)
    return d


def build(docs, **kwargs):
    builder = StatisticsBuilder(**kwargs)
    builder.add(docs)
    return builder.results()


def values(stat):
    return stat.as_dict()


BASE = DT(2017, 4, 12, 18, 0)
POWER = [doc(BASE + 40 * SECOND, 230.5),
         doc(BASE + 95 * SECOND, 212.0),
         doc(BASE + 7 * SECOND, 248.25),
         doc(BASE + 180 * SECOND, 199.75)]


# -- the standard aggregates ---------------------------------------------

def test_standard_aggregates_of_one_bucket():
    stat, = build(POWER)
    volumes = [d['counter_volume'] for d in POWER]
    assert stat.count == 4
    assert isinstance(stat.count, int)
    assert stat.sum == pytest.approx(math.fsum(volumes))
    assert stat.sum == pytest.approx(890.5)
    assert stat.min == 199.75
    assert stat.max == 248.25
    assert stat.avg == pytest.approx(statistics.fmean(volumes))
    assert stat.unit == 'W'
    assert stat.groupby is None
    assert 'aggregate' not in values(stat)


def test_time_fields_of_one_bucket_without_origin():
    """Unordered input: the earliest and latest timestamps are found."""
    stat, = build(POWER)
    assert stat.duration_start == BASE + 7 * SECOND
    assert stat.duration_end == BASE + 180 * SECOND
    assert stat.duration == 173.0
    assert stat.period == 0
    assert stat.period_start == BASE + 7 * SECOND
    assert stat.period_end == BASE + 180 * SECOND


def test_one_bucket_with_origin_starts_there():
    origin = BASE - 3600 * SECOND
    stat, = build(POWER, origin=origin)
    assert stat.period_start == origin
    assert stat.period_end == BASE + 180 * SECOND
    assert stat.duration_start == BASE + 7 * SECOND


def test_integer_volumes_are_averaged_as_floats():
    stat, = build([doc(BASE, 1), doc(BASE + SECOND, 2)])
    assert stat.avg == 1.5
    assert stat.sum == 3.0
    assert isinstance(stat.sum, float)


def test_samples_without_volume_are_skipped():
    stat, = build(POWER + [doc(BASE + 500 * SECOND, None)])
    assert stat.count == 4
    assert stat.duration_end == BASE + 180 * SECOND


def test_empty_input_gives_no_statistics():
    assert build([]) == []
    assert build([], period=60, origin=BASE) == []
    assert build([], groupby=['resource_id']) == []
    assert build([], aggregates=[Aggregate('stddev')]) == []


def test_add_may_be_called_several_times():
    builder = StatisticsBuilder()
    builder.add(POWER[:2])
    builder.add(iter(POWER[2:]))
    stat, = builder.results()
    assert stat.count == 4
    assert stat.min == 199.75


def test_each_unit_is_a_bucket_of_its_own():
    docs = POWER + [doc(BASE + 60 * SECOND, 0.25, unit='kW'),
                    doc(BASE + 61 * SECOND, 0.5, unit='kW')]
    by_unit = {s.unit: s for s in build(docs)}
    assert sorted(by_unit) == ['W', 'kW']
    assert by_unit['W'].count == 4
    assert by_unit['kW'].count == 2
    assert by_unit['kW'].sum == 0.75
    assert by_unit['kW'].duration == 1.0


# -- periods -----------------------------------------------------------------

def test_a_period_needs_an_origin():
    with pytest.raises(ValueError):
        StatisticsBuilder(period=60)


def test_sample_on_a_bucket_edge_goes_to_the_later_bucket():
    origin = DT(2017, 4, 12, 18, 0)
    docs = [doc(origin, 1.0),
            doc(origin + 60 * SECOND - datetime.timedelta(microseconds=1),
                2.0),
            doc(origin + 60 * SECOND, 4.0),
            doc(origin + 120 * SECOND, 8.0)]
    stats = build(docs, period=60, origin=origin)
    assert [(s.period_start, s.period_end, s.sum) for s in stats] == [
        (origin, origin + 60 * SECOND, 3.0),
        (origin + 60 * SECOND, origin + 120 * SECOND, 4.0),
        (origin + 120 * SECOND, origin + 180 * SECOND, 8.0),
    ]
    assert all(s.period == 60 for s in stats)


def test_empty_buckets_are_left_out_and_order_is_by_start():
    origin = DT(2017, 1, 1)
    hour = 3600 * SECOND
    docs = [doc(origin + 5 * hour + 10 * SECOND, 3.0),
            doc(origin + 10 * SECOND, 1.0),
            doc(origin + 2 * hour, 2.0),
            doc(origin + 5 * hour + 20 * SECOND, 5.0)]
    stats = build(docs, period=3600, origin=origin)
    assert [s.period_start for s in stats] == [
        origin, origin + 2 * hour, origin + 5 * hour]
    assert [s.count for s in stats] == [1, 1, 2]
    last = stats[-1]
    assert last.avg == 4.0
    assert last.duration_start == origin + 5 * hour + 10 * SECOND
    assert last.duration_end == origin + 5 * hour + 20 * SECOND
    assert last.duration == 10.0


def test_origin_between_samples_shifts_the_buckets():
    origin = BASE + 30 * SECOND
    docs = [doc(BASE + 40 * SECOND, 1.0), doc(BASE + 95 * SECOND, 2.0),
            doc(BASE + 180 * SECOND, 4.0)]
    stats = build(docs, period=60, origin=origin)
    assert [(s.period_start - origin).total_seconds() for s in stats] == [
        0, 60, 120]
    assert [s.sum for s in stats] == [1.0, 2.0, 4.0]


def test_bucket_index_uses_microseconds():
    origin = DT(2017, 4, 12, 18, 0, 0, 500000)
    docs = [doc(DT(2017, 4, 12, 18, 0, 1, 499999), 1.0),
            doc(DT(2017, 4, 12, 18, 0, 1, 500000), 2.0)]
    stats = build(docs, period=1, origin=origin)
    assert [(s.period_start, s.sum) for s in stats] == [
        (origin, 1.0), (origin + SECOND, 2.0)]


def test_long_period_spanning_days():
    origin = DT(2016, 12, 30, 12)
    week = 7 * 86400
    docs = [doc(DT(2017, 1, 2), 1.0), doc(DT(2017, 1, 6, 11, 59), 2.0),
            doc(DT(2017, 1, 13, 12), 3.0)]
    stats = build(docs, period=week, origin=origin)
    assert [(s.period_start, s.count) for s in stats] == [
        (origin, 2), (origin + 2 * week * SECOND, 1)]
    assert stats[0].period_end == DT(2017, 1, 6, 12)


def test_period_none_or_zero_is_one_bucket():
    for period in (None, 0):
        stat, = build(POWER, period=period, origin=BASE)
        assert stat.period == 0
        assert stat.count == 4


# -- group by ----------------------------------------------------------------

FLEET = [
    doc(BASE, 1.0, resource_id='r-b', project_id='p-1',
        resource_metadata={'flavor': 'big', 'disk': {'kind': 'ssd'}}),
    doc(BASE + 10 * SECOND, 2.0, resource_id='r-a', project_id='p-1',
        resource_metadata={'flavor': 'small', 'disk': {'kind': 'hdd'}}),
    doc(BASE + 20 * SECOND, 4.0, resource_id='r-b', project_id='p-2',
        resource_metadata={'flavor': 'big', 'disk': 'none'}),
    doc(BASE + 30 * SECOND, 8.0, resource_id='r-c', project_id='p-2',
        resource_metadata={}),
    doc(BASE + 40 * SECOND, 16.0, resource_id='r-a', project_id='p-1'),
]


def test_group_by_a_top_level_field():
    stats = build(FLEET, groupby=['resource_id'])
    assert [(s.groupby, s.count, s.sum) for s in stats] == [
        ({'resource_id': 'r-a'}, 2, 18.0),
        ({'resource_id': 'r-b'}, 2, 5.0),
        ({'resource_id': 'r-c'}, 1, 8.0),
    ]
    r_a = stats[0]
    assert r_a.duration_start == BASE + 10 * SECOND
    assert r_a.duration_end == BASE + 40 * SECOND
    # Without period or start, every group's period starts at the first
    # sample of the whole query; it ends at the group's own last sample.
    assert r_a.period_start == BASE
    assert r_a.period_end == BASE + 40 * SECOND
    assert {s.period_start for s in stats} == {BASE}


def test_group_by_two_fields_keeps_only_seen_combinations():
    stats = build(FLEET, groupby=['project_id', 'resource_id'])
    assert [(s.groupby['project_id'], s.groupby['resource_id'], s.sum)
            for s in stats] == [('p-1', 'r-a', 18.0), ('p-1', 'r-b', 1.0),
                                ('p-2', 'r-b', 4.0), ('p-2', 'r-c', 8.0)]


def test_group_by_nested_metadata_path():
    """Missing keys and non-document parents give a None group value."""
    stats = build(FLEET, groupby=['resource_metadata.disk.kind'])
    got = {s.groupby['resource_metadata.disk.kind']: (s.count, s.sum)
           for s in stats}
    assert got == {'ssd': (1, 1.0), 'hdd': (1, 2.0), None: (3, 28.0)}


def test_group_by_metadata_key():
    stats = build(FLEET, groupby=['resource_metadata.flavor'])
    got = {s.groupby['resource_metadata.flavor']: s.sum for s in stats}
    assert got == {'big': 5.0, 'small': 2.0, None: 24.0}


def test_group_values_are_text():
    docs = [doc(BASE, 1.0, resource_metadata={'cores': 4}),
            doc(BASE, 2.0, resource_metadata={'cores': 4.5}),
            doc(BASE, 3.0, resource_metadata={'cores': True}),
            doc(BASE, 5.0, resource_metadata={'cores': 'many'})]
    stats = build(docs, groupby=['resource_metadata.cores'])
    got = {s.groupby['resource_metadata.cores']: s.sum for s in stats}
    assert got == {'4': 1.0, '4.5': 2.0, 'True': 3.0, 'many': 5.0}


def test_groups_within_periods_are_ordered_by_start_then_values():
    origin = BASE
    stats = build(FLEET, groupby=['project_id', 'resource_id'], period=25,
                  origin=origin)
    order = [(s.period_start, s.groupby['project_id'],
              s.groupby['resource_id']) for s in stats]
    assert order == [
        (origin, 'p-1', 'r-a'),
        (origin, 'p-1', 'r-b'),
        (origin, 'p-2', 'r-b'),
        (origin + 25 * SECOND, 'p-1', 'r-a'),
        (origin + 25 * SECOND, 'p-2', 'r-c'),
    ]
    assert [s.sum for s in stats] == [2.0, 1.0, 4.0, 16.0, 8.0]
    assert all(s.period_end == s.period_start + 25 * SECOND
               for s in stats)


def test_without_groupby_the_groupby_field_is_none():
    for stat in build(FLEET, period=25, origin=BASE):
        assert stat.groupby is None


# -- selectable aggregates ----------------------------------------------------

def test_selected_aggregates_replace_the_standard_ones():
    stat, = build(POWER, aggregates=[Aggregate('max'), Aggregate('avg')])
    volumes = [d['counter_volume'] for d in POWER]
    assert stat.aggregate == {'max': 248.25,
                              'avg': pytest.approx(statistics.fmean(volumes))}
    present = values(stat)
    for name in ('count', 'sum', 'min'):
        assert name not in present
    # time fields are still reported
    assert stat.duration == 173.0


@pytest.mark.parametrize('func', ['count', 'sum', 'min', 'max', 'avg'])
def test_each_standard_function_can_be_selected(func):
    python = {'count': len, 'sum': math.fsum, 'min': min, 'max': max,
              'avg': statistics.fmean}[func]
    stats = build(FLEET, groupby=['project_id'],
                  aggregates=[Aggregate(func)])
    for stat in stats:
        volumes = [d['counter_volume'] for d in FLEET
                   if d['project_id'] == stat.groupby['project_id']]
        assert stat.aggregate == {func: pytest.approx(python(volumes))}


def test_stddev_matches_pstdev_per_group():
    stats = build(FLEET, groupby=['project_id'],
                  aggregates=[Aggregate('stddev')])
    for stat in stats:
        volumes = [d['counter_volume'] for d in FLEET
                   if d['project_id'] == stat.groupby['project_id']]
        assert stat.aggregate['stddev'] == pytest.approx(
            statistics.pstdev(volumes))
    # p-1: 1, 2, 16 -> population sd 6.8475..
    assert stats[0].aggregate['stddev'] == pytest.approx(6.847546, abs=1e-6)


def test_stddev_of_one_sample_or_equal_samples_is_zero():
    stat, = build(POWER[:1], aggregates=[Aggregate('stddev')])
    assert stat.aggregate == {'stddev': 0.0}
    same = [doc(BASE + i * SECOND, 0.1) for i in range(7)]
    stat, = build(same, aggregates=[Aggregate('stddev')])
    assert stat.aggregate['stddev'] == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize('seed', [3, 17, 2024])
def test_stddev_of_random_volumes(seed):
    rng = random.Random(seed)
    volumes = [rng.uniform(-50, 500) for _ in range(rng.randint(2, 300))]
    docs = [doc(BASE + i * SECOND, v) for i, v in enumerate(volumes)]
    stat, = build(docs, aggregates=[Aggregate('stddev')])
    assert stat.aggregate['stddev'] == pytest.approx(
        statistics.pstdev(volumes), rel=1e-9)


@pytest.mark.parametrize('volumes', [
    [1e9 + 1, 1e9 + 2, 1e9 + 3],
    [123456789.5, 123456790.5],
    [7.5e12, 7.5e12 + 4096, 7.5e12 + 8192, 7.5e12 + 2048],
], ids=['gigabytes', 'hundred_millions', 'terabytes'])
def test_stddev_of_large_close_volumes(volumes):
    """Big cumulative counters (bytes) that differ little still have the
    spread of their differences."""
    docs = [doc(BASE + i * SECOND, v) for i, v in enumerate(volumes)]
    stat, = build(docs, aggregates=[Aggregate('stddev')])
    assert stat.aggregate['stddev'] == pytest.approx(
        statistics.pstdev(volumes), rel=1e-6)


def test_population_stddev_from_sums():
    volumes = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
    got = population_stddev(len(volumes), sum(volumes),
                            sum(v * v for v in volumes))
    assert got == 2.0
    assert got == statistics.pstdev(volumes)
    assert population_stddev(0, 0.0, 0.0) == 0.0
    assert population_stddev(1, 3.0, 9.0) == 0.0


def test_population_stddev_never_negative_or_nan():
    # rounding can make the variance a tiny negative number
    volumes = [0.1] * 10
    got = population_stddev(10, sum(volumes), sum(v * v for v in volumes))
    assert got >= 0.0
    assert not math.isnan(got)
    assert got == pytest.approx(0.0, abs=1e-7)


@pytest.mark.parametrize('field', ['resource_id', 'project_id'])
def test_cardinality_counts_distinct_values(field):
    stat, = build(FLEET, aggregates=[Aggregate('cardinality', field)])
    key = 'cardinality/' + field
    assert stat.aggregate == {key: float(len({d[field] for d in FLEET}))}
    assert isinstance(stat.aggregate[key], float)


def test_cardinality_per_group_and_period():
    stats = build(FLEET, groupby=['project_id'], period=25, origin=BASE,
                  aggregates=[Aggregate('cardinality', 'resource_id'),
                              Aggregate('count')])
    got = [(s.period_start, s.groupby['project_id'], s.aggregate)
           for s in stats]
    assert got == [
        (BASE, 'p-1', {'cardinality/resource_id': 2.0, 'count': 2}),
        (BASE, 'p-2', {'cardinality/resource_id': 1.0, 'count': 1}),
        (BASE + 25 * SECOND, 'p-1',
         {'cardinality/resource_id': 1.0, 'count': 1}),
        (BASE + 25 * SECOND, 'p-2',
         {'cardinality/resource_id': 1.0, 'count': 1}),
    ]


def test_cardinality_of_several_fields_at_once():
    docs = [doc(BASE + i * SECOND, float(i), user_id='u-%d' % (i % 3),
                source='s-%d' % (i % 5), resource_id='r-%d' % (i % 7))
            for i in range(60)]
    aggregates = [Aggregate('cardinality', 'user_id'),
                  Aggregate('cardinality', 'source'),
                  Aggregate('cardinality', 'resource_id'),
                  Aggregate('sum')]
    stat, = build(docs, aggregates=aggregates)
    assert stat.aggregate == {'cardinality/user_id': 3.0,
                              'cardinality/source': 5.0,
                              'cardinality/resource_id': 7.0,
                              'sum': float(sum(range(60)))}


# -- projection ---------------------------------------------------------------

def test_projection_of_plain_statistics():
    assert StatisticsBuilder().projection == {
        'counter_unit': True, 'counter_volume': True, 'timestamp': True}


def test_projection_adds_groupby_and_cardinality_fields():
    builder = StatisticsBuilder(
        period=60, origin=BASE,
        groupby=['project_id', 'resource_metadata.flavor'],
        aggregates=[Aggregate('cardinality', 'user_id'),
                    Aggregate('cardinality', 'project_id'),
                    Aggregate('stddev'), Aggregate('max')])
    assert builder.projection == {
        'counter_unit': True, 'counter_volume': True, 'timestamp': True,
        'project_id': True, 'resource_metadata.flavor': True,
        'user_id': True}


def test_projected_documents_are_enough():
    """Folding only the projected fields gives the same statistics."""
    kwargs = dict(groupby=['resource_metadata.flavor'],
                  aggregates=[Aggregate('cardinality', 'resource_id'),
                              Aggregate('avg')])
    fields = StatisticsBuilder(**kwargs).projection

    def project(d):
        out = {}
        for f in fields:
            node, target = d, out
            parts = f.split('.')
            for part in parts[:-1]:
                node = node.get(part) if isinstance(node, dict) else None
                target = target.setdefault(part, {})
            if isinstance(node, dict) and parts[-1] in node:
                target[parts[-1]] = node[parts[-1]]
        return out

    full = build(FLEET, **kwargs)
    slim = build([project(d) for d in FLEET], **kwargs)
    assert [values(s) for s in slim] == [values(s) for s in full]
    assert len(full) == 3
