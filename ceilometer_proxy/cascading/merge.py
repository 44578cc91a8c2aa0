"""Pure merges of the answers of several regions.

Samples are merged newest first with the limit applied to the whole, as a
single store would have returned them. Statistics are merged per period
bucket and group so that the result equals what one local-mode server
holding every region's samples would compute: counts and sums add, min of
mins, max of maxes, avg = sum / count, and the population standard
deviation is pooled exactly from each region's count, mean and stddev.
The regions must have been asked with the same explicit period start
(metering.py sees to it), so their buckets line up.
"""

import heapq
import math

from ceilometer_proxy import query_values

STAT_TIMES = ('period_start', 'period_end', 'duration_start', 'duration_end')
STANDARD = ('count', 'sum', 'avg', 'min', 'max')


def parse_times(item, fields):
    """Parse the ISO timestamps of a decoded answer in place."""
    for field in fields:
        if item.get(field):
            item[field] = query_values.parse_timestamp(item[field])
    return item


def merge_samples(answers, limit, key='timestamp'):
    """Samples of every region, newest first, at most ``limit`` of them.

    :param answers: iterables of sample dicts, each newest first with
        ``key`` parsed to a datetime.
    """
    merged = heapq.merge(*answers, key=lambda s: s[key], reverse=True)
    out = []
    for sample in merged:
        if limit and len(out) >= limit:
            break
        out.append(sample)
    return out


def _value(stat, name):
    """A standard aggregate of a region's statistics, wherever it is."""
    value = stat.get(name)
    if value is None:
        value = (stat.get('aggregate') or {}).get(name)
    return value


class _Group(object):
    """The running merge of one bucket and group."""

    def __init__(self, stat):
        self.unit = stat.get('unit')
        self.groupby = stat.get('groupby')
        self.period = stat.get('period')
        self.period_start = stat.get('period_start')
        self.period_end = stat.get('period_end')
        self.duration_start = None
        self.duration_end = None
        self.parts = []

    def add(self, stat):
        self.parts.append(stat)
        if stat.get('period_end') and (self.period_end is None or
                                       stat['period_end'] > self.period_end):
            self.period_end = stat['period_end']
        start, end = stat.get('duration_start'), stat.get('duration_end')
        if start and (self.duration_start is None or
                      start < self.duration_start):
            self.duration_start = start
        if end and (self.duration_end is None or end > self.duration_end):
            self.duration_end = end

    def standard(self):
        count = sum(int(_value(p, 'count')) for p in self.parts)
        total = sum(float(_value(p, 'sum')) for p in self.parts)
        values = {'count': count, 'sum': total,
                  'avg': total / count if count else None}
        mins = [_value(p, 'min') for p in self.parts]
        maxes = [_value(p, 'max') for p in self.parts]
        if None not in mins:
            values['min'] = min(float(v) for v in mins)
        if None not in maxes:
            values['max'] = max(float(v) for v in maxes)
        return values

    def stddev(self):
        """Population stddev of the union, from each part's n, mean and
        stddev: sum of n_i * (s_i^2 + (m_i - M)^2) over N."""
        count = sum(int(_value(p, 'count')) for p in self.parts)
        if not count:
            return 0.0
        mean = sum(float(_value(p, 'sum')) for p in self.parts) / count
        acc = 0.0
        for part in self.parts:
            n = int(_value(part, 'count'))
            if not n:
                continue
            m = float(_value(part, 'sum')) / n
            s = float((part.get('aggregate') or {}).get('stddev') or 0.0)
            acc += n * (s * s + (m - mean) * (m - mean))
        variance = acc / count
        return math.sqrt(variance) if variance > 0 else 0.0


def _group_key(stat, periodic):
    groupby = stat.get('groupby') or {}
    groups = tuple(sorted((k, '' if v is None else str(v))
                          for k, v in groupby.items()))
    start = stat.get('period_start') if periodic else None
    return (start, groups, stat.get('unit') or '')


def merge_statistics(answers, period, groupby, aggregates):
    """Statistics of every region merged per bucket and group.

    :param answers: lists of statistics dicts (timestamps parsed, groupby
        values already translated to cascading ids), one per region; each
        asked with the same explicit start when ``period`` is set, and with
        ``count`` and ``sum`` among the aggregates when any were selected.
    :param period: the requested period (seconds) or 0/None.
    :param groupby: the requested groupby fields, in request order.
    :param aggregates: the requested (func, param) pairs; empty for the
        standard set. Cardinality cannot be merged and must not be here.
    :returns: statistics dicts in local mode's order (period start, group
        values, unit), with only the requested aggregates.
    """
    periodic = bool(period)
    groups = {}
    first_start = None
    for stats in answers:
        for stat in stats:
            key = _group_key(stat, periodic)
            group = groups.get(key)
            if group is None:
                group = groups[key] = _Group(stat)
            group.add(stat)
            start = stat.get('period_start')
            if start and (first_start is None or start < first_start):
                first_start = start
    out = []
    for key in sorted(groups, key=lambda k: (
            k[0] or first_start, _group_order(groups[k], groupby), k[2])):
        group = groups[key]
        out.append(_render(group, periodic, first_start, groupby,
                           aggregates))
    return out


def _group_order(group, groupby):
    values = group.groupby or {}
    return tuple('' if values.get(g) is None else str(values.get(g))
                 for g in groupby or [])


def _render(group, periodic, first_start, groupby, aggregates):
    stat = {
        'unit': group.unit,
        'period': group.period,
        # Without a period the query's single period starts at the first
        # sample of all groups (or the requested start, the same for all).
        'period_start': group.period_start if periodic else first_start,
        'period_end': group.period_end,
        'duration_start': group.duration_start,
        'duration_end': group.duration_end,
        'groupby': group.groupby if groupby else None,
        'duration': None,
    }
    if group.duration_start and group.duration_end:
        stat['duration'] = (group.duration_end -
                            group.duration_start).total_seconds()
    standard = group.standard()
    if not aggregates:
        stat.update(standard)
        return stat
    stat['aggregate'] = {}
    for func, param in aggregates:
        if func == 'stddev':
            value = group.stddev()
        else:
            value = standard[func]
            stat[func] = value
        stat['aggregate'][func if not param else '%s/%s' % (func, param)] = (
            value)
    return stat
