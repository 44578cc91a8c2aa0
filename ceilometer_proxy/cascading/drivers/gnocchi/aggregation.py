"""v2 statistics from Gnocchi's pre-aggregated series, exactly (pure).

Gnocchi keeps, per metric, one series per granularity of its archive
policy and per aggregation method, in buckets ``[t, t + granularity)``
aligned to the epoch. A v2 statistic is exact from them when:

- the period is a multiple of a kept granularity G and the period start
  (when given) is on a G boundary, so every v2 period is a union of whole
  G buckets; without a period, the time bounds are on G boundaries;
- every number is one the kept methods determine: count (``count``), sum
  (``sum``), min/max (``min``/``max``), avg (sum / count, or ``mean`` of a
  single bucket), stddev (``std`` is the sample deviation, n - 1: each
  bucket's population variance is std^2 (n - 1) / n, pooled with its mean
  as merge.py pools regions), cardinality of resource/project/user ids
  (the series that have a bucket there).

Otherwise NotExact says what is missing, and the driver answers 400.
Gnocchi keeps no sample times: duration_start, duration_end and duration
are None (never invented); without a period, period_end is the end of the
group's last bucket (the last sample's time is not kept).
"""

import datetime
import math

from ceilometer_proxy import utils

STANDARD = ('count', 'sum', 'avg', 'min', 'max')
GROUP_ATTRIBUTES = {'resource_id': 'original_resource_id',
                    'project_id': 'project_id', 'user_id': 'user_id'}
CARDINALITY_ATTRIBUTES = GROUP_ATTRIBUTES


class NotExact(Exception):
    """The statistic asked for cannot be computed exactly."""


def _options(kept, *choices):
    """The first tuple of methods all kept, or None."""
    for choice in choices:
        if all(m in kept for m in choice):
            return choice
    return None


def methods_for(aggregates, kept, meter):
    """The Gnocchi methods to read for ``aggregates`` (empty: standard).

    :param kept: the methods the archive policy keeps.
    :raises NotExact: naming what the policy lacks.
    """
    wanted = set()
    funcs = [func for func, _param in aggregates] or list(STANDARD)
    for func in funcs:
        if func in ('count', 'sum', 'min', 'max'):
            needs = [(func,)]
        elif func == 'avg':
            needs = [('sum', 'count'), ('mean',)]
        elif func == 'stddev':
            needs = [('std', 'count', 'sum'), ('std', 'count', 'mean')]
        elif func == 'cardinality':
            needs = [('count',)]
        else:
            raise NotExact('the %s aggregate has no Gnocchi counterpart'
                           % func)
        found = _options(set(kept), *needs)
        if found is None:
            raise NotExact(
                '%s of %s needs the %s aggregation method(s), and its '
                'archive policy keeps %s' % (
                    func, meter, ' or '.join('+'.join(n) for n in needs),
                    ', '.join(sorted(kept)) or 'none'))
        wanted.update(found)
    for func, param in aggregates:
        if func == 'cardinality' and param not in CARDINALITY_ATTRIBUTES:
            raise NotExact('cardinality/%s: Gnocchi knows the cardinality of '
                           '%s only' % (param, ', '.join(
                               sorted(CARDINALITY_ATTRIBUTES))))
    return wanted


def _aligned(moment, granularity):
    return moment is None or utils.floor_to_period(
        moment, granularity) == moment


def choose_granularity(granularities, period, start, stop):
    """The coarsest kept granularity that answers exactly, or None.

    :param granularities: kept granularities in seconds.
    :param period: seconds, or 0/None for one period.
    """
    fits = [g for g in granularities
            if (not period or period % g == 0)
            and _aligned(start, g) and _aligned(stop, g)]
    return max(fits) if fits else None


def truncated(fine, coarse, coarse_granularity, start=None):
    """Whether the fine series lost measures the coarse one still holds.

    A granularity is kept for its own timespan only; older buckets are
    gone from it but may live on in a coarser one. ``fine`` and ``coarse``
    are {bucket start: {method: value}} of one metric read from ``start``
    (the coarse one from the coarse bucket holding it, which is only
    partly in the range and not compared); a coarse bucket before the
    first fine one, or one whose count the fine buckets inside it do not
    reach, means measures were dropped.
    """
    coarse = {t: v for t, v in coarse.items() if start is None or t >= start}
    if not fine:
        return bool(coarse)
    first = min(fine)
    step = datetime.timedelta(seconds=coarse_granularity)
    for start, values in coarse.items():
        if start >= first:
            continue
        end = start + step
        if end <= first:
            return True
        counted = values.get('count')
        if counted is None:
            return True  # cannot tell: refuse rather than guess
        inside = sum(v.get('count', 0) for t, v in fine.items()
                     if start <= t < end)
        if inside < counted:
            return True
    return False


class Part(object):
    """One metric's bucket: its values and the resource it belongs to."""

    def __init__(self, resource, values):
        self.resource = resource
        self.values = values

    @property
    def count(self):
        return int(self.values['count'])

    def mean(self):
        if 'sum' in self.values and self.values.get('count'):
            return self.values['sum'] / self.values['count']
        return self.values.get('mean')

    def population_variance(self):
        n = self.count
        std = self.values.get('std')
        if n <= 1:
            return 0.0  # Gnocchi keeps no std of a single measure
        if std is None:
            raise NotExact('a bucket of %d measures has no std' % n)
        return std * std * (n - 1) / n


def combine(parts, aggregates):
    """{func or func/param: value} of one v2 period and group."""
    values = {}
    funcs = aggregates or [(f, None) for f in STANDARD]
    for func, param in funcs:
        key = func if not param else '%s/%s' % (func, param)
        values[key] = _value(func, param, parts)
    return values


def _value(func, param, parts):
    if func == 'count':
        return sum(p.count for p in parts)
    if func == 'sum':
        return float(sum(p.values['sum'] for p in parts))
    if func == 'min':
        return float(min(p.values['min'] for p in parts))
    if func == 'max':
        return float(max(p.values['max'] for p in parts))
    if func == 'avg':
        if all('sum' in p.values and 'count' in p.values for p in parts):
            total = sum(p.count for p in parts)
            return sum(p.values['sum'] for p in parts) / total
        if len(parts) == 1:
            return float(parts[0].values['mean'])
        raise NotExact('avg over several buckets needs sum and count')
    if func == 'stddev':
        return _pooled_stddev(parts)
    attribute = CARDINALITY_ATTRIBUTES[param]
    return len({p.resource.get(attribute) for p in parts if p.count})


def _pooled_stddev(parts):
    total = sum(p.count for p in parts)
    if not total:
        return 0.0
    mean = sum(p.count * p.mean() for p in parts) / total
    acc = sum(p.count * (p.population_variance() + (p.mean() - mean) ** 2)
              for p in parts if p.count)
    variance = acc / total
    return math.sqrt(variance) if variance > 0 else 0.0


def statistics(series, granularity, period, start, groupby, aggregates):
    """v2 statistics dicts of several metrics' series.

    :param series: [(resource dict, unit, {bucket start: {method:
        value}})] at ``granularity``, one per metric, read from ``start``
        (the explicit period start, or None: the first bucket).
    :param period: seconds, or 0/None for one period.
    :param groupby: v2 groupby fields (resource_id, project_id, user_id).
    :param aggregates: (func, param) pairs; empty for the standard set.
    """
    starts = [t for _resource, _unit, points in series for t in points]
    if not starts:
        return []
    origin = start or min(starts)
    buckets = {}
    for resource, unit, points in series:
        group = (unit,) + tuple((g, resource.get(GROUP_ATTRIBUTES[g]))
                                for g in groupby)
        for moment, values in points.items():
            if period:
                index = int((moment - origin).total_seconds() // period)
            else:
                index = 0
            parts, latest = buckets.get((index, group), ([], moment))
            parts.append(Part(resource, values))
            buckets[(index, group)] = (parts, max(latest, moment))
    out = []
    order = sorted(buckets.items(),
                   key=lambda item: (item[0][0], _order(item[0][1])))
    for (index, group), (parts, latest) in order:
        out.append(_render(index, group, parts, origin,
                           latest + _seconds(granularity), period, groupby,
                           aggregates))
    return out


def _seconds(value):
    return datetime.timedelta(seconds=value)


def _order(group):
    unit, pairs = group[0], group[1:]
    return tuple('' if v is None else str(v) for _k, v in pairs) + (
        unit or '',)


def _render(index, group, parts, origin, last, period, groupby,
            aggregates):
    unit, group = group[0], group[1:]
    if period:
        period_start = origin + _seconds(index * period)
        period_end = period_start + _seconds(period)
    else:
        # The group's last sample is only known to lie in its last bucket.
        period_start, period_end = origin, last
    stat = {'unit': unit, 'period': period or 0,
            'period_start': period_start, 'period_end': period_end,
            'duration_start': None, 'duration_end': None, 'duration': None,
            'groupby': dict(group) if groupby else None}
    values = combine(parts, aggregates)
    if not aggregates:
        stat.update(values)
        return stat
    stat['aggregate'] = values
    for func, _param in aggregates:
        if func in STANDARD:
            stat[func] = values[func]
    return stat
