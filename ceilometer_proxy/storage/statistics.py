"""Statistics computed from a stream of samples, in Python.

MongoDB-wire servers differ in what their aggregation pipelines support
(FerretDB has only ``$count`` and ``$sum``), so the MongoDB driver streams a
filtered, projected cursor and this module folds it into Ceilometer's
statistics: per period bucket and group, count/sum/min/max/avg, population
stddev, cardinality, first and last timestamps. Every store then gives the
same answer, and the arithmetic is testable without one.
"""

import datetime
import math

from ceilometer_proxy.storage import models

EPOCH = datetime.datetime(1970, 1, 1)


def _get_path(doc, dotted):
    """Read a dotted path ('resource_metadata.flavor') from a document."""
    value = doc
    for part in dotted.split('.'):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _group_text(value):
    """Group values are shown as text, as Ceilometer's API typed them."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else str(value)


class _Bucket(object):
    """Running aggregates of one period bucket and group.

    Squares are summed around ``shift`` (the bucket's first value) so the
    variance of large, close values (byte counters) keeps its precision.
    """

    __slots__ = ('count', 'total', 'shift', 'shifted', 'squares', 'low',
                 'high', 'first', 'last', 'distinct')

    def __init__(self, cardinality_fields, shift):
        self.count = 0
        self.total = 0.0
        self.shift = shift
        self.shifted = 0.0
        self.squares = 0.0
        self.low = math.inf
        self.high = -math.inf
        self.first = None
        self.last = None
        self.distinct = {f: set() for f in cardinality_fields}


class StatisticsBuilder(object):
    """Fold samples into statistics.

    :param period: bucket length in seconds, or None/0 for one bucket.
    :param origin: naive UTC datetime where bucket 0 starts (the query's
        start, or the first matching sample); needed when period is set.
    :param groupby: sample fields to group by ('resource_id',
        'resource_metadata.flavor', ...).
    :param aggregates: list of filters.Aggregate; empty means the standard
        set (min, max, avg, sum, count).
    """

    def __init__(self, period=None, origin=None, groupby=None,
                 aggregates=None):
        self.period = period or 0
        if self.period and origin is None:
            raise ValueError('a period needs an origin')
        self.origin = origin
        self.groupby = list(groupby or [])
        self.aggregates = list(aggregates or [])
        self.cardinality_fields = sorted({a.param for a in self.aggregates
                                          if a.func == 'cardinality'})
        self._buckets = {}

    @property
    def projection(self):
        """The sample fields the cursor must return."""
        fields = {'timestamp', 'counter_volume', 'counter_unit'}
        fields.update(self.groupby)
        fields.update(self.cardinality_fields)
        return {f: True for f in sorted(fields)}

    def add(self, docs):
        """Fold an iterable of sample documents (or dicts) in."""
        period = self.period
        origin = self.origin
        groupby = self.groupby
        card_fields = self.cardinality_fields
        buckets = self._buckets
        period_us = period * 1000000
        for doc in docs:
            ts = doc['timestamp']
            volume = doc['counter_volume']
            if volume is None:
                continue
            volume = float(volume)
            if period:
                delta = ts - origin
                index = ((delta.days * 86400 + delta.seconds) * 1000000
                         + delta.microseconds) // period_us
            else:
                index = 0
            if groupby:
                key = (index, doc.get('counter_unit'),
                       tuple(_get_path(doc, g) for g in groupby))
            else:
                key = (index, doc.get('counter_unit'), ())
            bucket = buckets.get(key)
            if bucket is None:
                bucket = buckets[key] = _Bucket(card_fields, volume)
            bucket.count += 1
            bucket.total += volume
            offset = volume - bucket.shift
            bucket.shifted += offset
            bucket.squares += offset * offset
            if volume < bucket.low:
                bucket.low = volume
            if volume > bucket.high:
                bucket.high = volume
            if bucket.first is None or ts < bucket.first:
                bucket.first = ts
            if bucket.last is None or ts > bucket.last:
                bucket.last = ts
            for field in card_fields:
                bucket.distinct[field].add(_get_path(doc, field))

    def add_summaries(self, summaries):
        """Fold pre-aggregated summaries in (see storage.mongo.rollups).

        Each has ``bucket`` (its start; it must lie wholly inside one
        period), ``count``, ``sum``, ``min``, ``max``, ``first``, ``last``,
        ``counter_unit`` and the group fields. They carry no squares, so a
        query asking for stddev must not use them.
        """
        if any(a.func == 'stddev' for a in self.aggregates):
            raise ValueError('stddev cannot be computed from summaries')
        period_us = self.period * 1000000
        for doc in summaries:
            if not doc.get('count'):
                continue
            if self.period:
                delta = doc['bucket'] - self.origin
                index = ((delta.days * 86400 + delta.seconds) * 1000000
                         + delta.microseconds) // period_us
            else:
                index = 0
            key = (index, doc.get('counter_unit'),
                   tuple(_get_path(doc, g) for g in self.groupby))
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(
                    self.cardinality_fields, 0.0)
            bucket.count += doc['count']
            bucket.total += doc['sum']
            bucket.low = min(bucket.low, doc['min'])
            bucket.high = max(bucket.high, doc['max'])
            if bucket.first is None or doc['first'] < bucket.first:
                bucket.first = doc['first']
            if bucket.last is None or doc['last'] > bucket.last:
                bucket.last = doc['last']
            for field in self.cardinality_fields:
                bucket.distinct[field].add(_get_path(doc, field))

    def results(self):
        """Statistics ordered by period start, then group values."""
        origin = self.origin
        if origin is None and self._buckets:
            # No period and no start: the query's single period starts at
            # its first matching sample, the same for every group.
            origin = min(b.first for b in self._buckets.values())
        return [self._make(index, unit, groups, bucket, origin)
                for (index, unit, groups), bucket in sorted(
                    self._buckets.items(), key=_sort_key)]

    def _make(self, index, unit, groups, bucket, origin):
        if self.period:
            start = origin + datetime.timedelta(seconds=index * self.period)
            end = start + datetime.timedelta(seconds=self.period)
        else:
            start = origin
            end = bucket.last
        values = {
            'unit': unit,
            'period': self.period,
            'period_start': start,
            'period_end': end,
            'duration': (bucket.last - bucket.first).total_seconds(),
            'duration_start': bucket.first,
            'duration_end': bucket.last,
            'groupby': ({g: _group_text(v)
                         for g, v in zip(self.groupby, groups)}
                        if self.groupby else None),
        }
        standard = _standard(bucket)
        if not self.aggregates:
            values.update(standard)
            return models.Statistics(**values)
        # Selected standard aggregates show both at the top level and under
        # 'aggregate'; unselected ones are absent.
        values['aggregate'] = {}
        for agg in self.aggregates:
            if agg.func == 'cardinality':
                value = float(len(bucket.distinct[agg.param]))
            elif agg.func == 'stddev':
                value = population_stddev(bucket.count, bucket.shifted,
                                          bucket.squares)
            else:
                value = standard[agg.func]
                values[agg.func] = value
            values['aggregate'][agg.key] = value
        return models.Statistics(**values)


def _standard(bucket):
    return {'count': bucket.count,
            'sum': bucket.total,
            'avg': bucket.total / bucket.count,
            'min': bucket.low,
            'max': bucket.high}


def _sort_key(item):
    (index, unit, groups), _bucket = item
    return (index, tuple('' if g is None else str(g) for g in groups),
            unit or '')


def population_stddev(count, total, squares):
    """Population standard deviation from count, sum and sum of squares.

    ``total`` and ``squares`` may be taken around any shift (sum of x - k
    and of (x - k)**2); the result does not depend on k, but precision is
    best with k close to the values.
    """
    if not count:
        return 0.0
    variance = (squares - total * total / count) / count
    return math.sqrt(variance) if variance > 0 else 0.0
