"""Merged statistics equal those of one store holding every sample.

Each "region" folds its share of the samples with the same explicit origin
(as the fan-out asks them to), its answer goes through JSON-like dicts as
a region's API would give it, and the merge must equal the statistics of
all samples folded at once.
"""

import datetime
import random

import pytest

from ceilometer_proxy.cascading import merge
from ceilometer_proxy.storage import filters
from ceilometer_proxy.storage import statistics

BASE = datetime.datetime(2026, 1, 1)


def _samples(n, seed):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        out.append({'timestamp': BASE + datetime.timedelta(
                        seconds=rng.randrange(0, 3 * 3600)),
                    'counter_volume': rng.choice([1e9, 0.0, -3.5]) +
                    rng.random() * 1000,
                    'counter_unit': 'B',
                    'resource_id': 'r%d' % rng.randrange(4),
                    'project_id': 'p%d' % rng.randrange(2),
                    'user_id': 'u'})
    return out


def _fold(docs, period, origin, groupby, aggregates):
    builder = statistics.StatisticsBuilder(
        period=period, origin=origin, groupby=groupby,
        aggregates=[filters.Aggregate(f, p) for f, p in aggregates])
    builder.add(docs)
    return [s.as_dict() for s in builder.results()]


def _region_answer(stats):
    """What the API shows: absent keys stay absent, timestamps as text."""
    out = []
    for stat in stats:
        shown = {k: v for k, v in stat.items() if v is not None}
        for key in merge.STAT_TIMES:
            if key in shown:
                shown[key] = shown[key].isoformat()
        out.append(merge.parse_times(shown, merge.STAT_TIMES))
    return out


def _split(docs, parts, seed):
    rng = random.Random(seed)
    regions = [[] for _ in range(parts)]
    for doc in docs:
        regions[rng.randrange(parts)].append(doc)
    return regions


def _assert_same(merged, expected):
    assert len(merged) == len(expected)
    for got, want in zip(merged, expected):
        for key, value in want.items():
            if value is None:
                assert got.get(key) is None, key
            elif isinstance(value, float):
                assert got[key] == pytest.approx(value, rel=1e-9, abs=1e-9)
            elif key == 'aggregate':
                assert set(got[key]) == set(value)
                for name in value:
                    assert got[key][name] == pytest.approx(
                        value[name], rel=1e-9, abs=1e-9), name
            else:
                assert got[key] == value, key


CASES = [
    (0, [], []),
    (600, [], []),
    (600, ['resource_id'], []),
    (1800, ['project_id', 'resource_id'], [('stddev', None),
                                           ('avg', None)]),
    (0, ['resource_id'], [('stddev', None), ('count', None),
                          ('sum', None)]),
    (900, [], [('min', None), ('max', None), ('stddev', None)]),
]


@pytest.mark.parametrize('period,groupby,aggregates', CASES)
@pytest.mark.parametrize('parts', [2, 3, 5])
def test_merge_equals_one_store(period, groupby, aggregates, parts):
    docs = _samples(400, seed=period + parts)
    origin = min(d['timestamp'] for d in docs) if period else None
    expected = _fold(docs, period, origin, groupby, aggregates)
    asked = list(aggregates)
    if asked:
        asked += [a for a in (('count', None), ('sum', None))
                  if a not in asked]
    answers = [_region_answer(_fold(region, period, origin, groupby, asked))
               for region in _split(docs, parts, seed=parts)]
    merged = merge.merge_statistics(answers, period, groupby, aggregates)
    _assert_same(merged, expected)


def test_merge_of_no_answers_is_empty():
    assert merge.merge_statistics([[], []], 60, [], []) == []


def test_samples_merge_newest_first_with_global_limit():
    a = [{'timestamp': BASE + datetime.timedelta(minutes=m), 'id': 'a%d' % m}
         for m in (9, 5, 1)]
    b = [{'timestamp': BASE + datetime.timedelta(minutes=m), 'id': 'b%d' % m}
         for m in (8, 7, 2)]
    merged = merge.merge_samples([a, b], limit=4)
    assert [s['id'] for s in merged] == ['a9', 'b8', 'b7', 'a5']
    assert len(merge.merge_samples([a, b], limit=None)) == 6
