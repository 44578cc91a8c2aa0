"""The pure parts of the Gnocchi indexer cache: Gnocchi's timedelta text
as seconds, and archive policies as granularities, timespans and
methods."""

import pytest

from ceilometer_proxy.cascading.drivers.gnocchi import indexer

MEDIUM = {
    'name': 'medium',
    'definition': [
        {'timespan': '7 days, 0:00:00', 'granularity': '0:01:00',
         'points': 10080},
        {'timespan': '365 days, 0:00:00', 'granularity': '1:00:00',
         'points': 8760}],
    'aggregation_methods': ['mean', 'min', 'max', 'sum', 'std', 'count']}


@pytest.mark.parametrize('text, expected', [
    ('0:01:00', 60.0),
    ('1:00:00', 3600.0),
    ('0:00:00', 0.0),
    ('1 day, 0:00:00', 86400.0),
    ('7 days, 0:00:00', 7 * 86400.0),
    ('365 days, 0:00:00', 365 * 86400.0),
    ('2 days, 3:04:05', 2 * 86400 + 3 * 3600 + 4 * 60 + 5.0),
])
def test_seconds_of_timedelta_text(text, expected):
    assert indexer.seconds(text) == expected


def test_seconds_keeps_fractional_seconds():
    assert indexer.seconds('0:00:00.500000') == 0.5
    assert indexer.seconds('0:01:01.250000') == 61.25


def test_seconds_of_day_with_fractional_seconds():
    assert indexer.seconds('1 day, 0:00:00.500000') == 86400.5


@pytest.mark.parametrize('number, expected', [
    (60, 60.0), (0.5, 0.5), (3600.0, 3600.0)])
def test_seconds_of_numbers_are_floats(number, expected):
    result = indexer.seconds(number)
    assert result == expected
    assert isinstance(result, float)


def test_policy_granularities_are_sorted_seconds():
    assert indexer.Policy(MEDIUM).granularities == [60.0, 3600.0]


def test_policy_timespans_by_granularity():
    assert indexer.Policy(MEDIUM).timespans == {60.0: 604800.0,
                                                3600.0: 31536000.0}


def test_policy_name_and_methods():
    policy = indexer.Policy(MEDIUM)
    assert policy.name == 'medium'
    assert policy.methods == {'mean', 'min', 'max', 'sum', 'std', 'count'}


def test_policy_longest_kept_granularity():
    assert indexer.Policy(MEDIUM).longest_kept() == 3600.0


def test_policy_timespan_from_points_when_none_is_given():
    policy = indexer.Policy({'name': 'points', 'definition': [
        {'granularity': '0:05:00', 'points': 12}]})
    assert policy.timespans == {300.0: 3600.0}


def test_policy_longest_kept_tie_goes_to_the_coarsest():
    policy = indexer.Policy({'name': 'tie', 'definition': [
        {'timespan': '1 day, 0:00:00', 'granularity': '0:01:00'},
        {'timespan': '1 day, 0:00:00', 'granularity': '1:00:00'},
        {'timespan': '1 day, 0:00:00', 'granularity': '0:05:00'}]})
    assert policy.longest_kept() == 3600.0


def test_policy_longest_kept_may_be_a_finer_granularity():
    policy = indexer.Policy({'name': 'odd', 'definition': [
        {'timespan': '30 days, 0:00:00', 'granularity': '0:01:00'},
        {'timespan': '1 day, 0:00:00', 'granularity': '1:00:00'}]})
    assert policy.longest_kept() == 60.0


def test_policy_without_methods_or_definition():
    policy = indexer.Policy({'name': 'empty'})
    assert policy.methods == frozenset()
    assert policy.granularities == []
