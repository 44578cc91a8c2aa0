"""Hourly summaries of samples, kept on write.

Statistics over millions of samples should not read millions of documents:
alongside every batch of stored samples the driver inserts one summary
(count, sum, min, max, first and last timestamp) per series (meter,
resource, project, user, source, unit) and hour touched. A statistics
query then reads the
summaries of the buckets that lie wholly inside its time range and inside
one of its periods, and reads raw samples only for the partial buckets at
the edges. Answers are the same as from raw samples (up to float summation
order), on MongoDB and on FerretDB (whose aggregation pipeline lacks
``$min``/``$max``), and the cost follows the number of series x buckets
instead of the number of samples.

Summaries cannot serve metadata filters or groups, stddev (no squares are
kept: their sum loses precision) or message-id lookups; those queries read
raw samples. This module is pure: it builds summary documents and plans
queries; the driver runs them.
"""

import datetime

from ceilometer_proxy.storage.base import CARDINALITY_FIELDS

EPOCH = datetime.datetime(1970, 1, 1)
# Bucket lengths in seconds, coarsest first. One level keeps the write cost
# at one upsert per series and hour touched by a batch; a finer level would
# serve minute-aligned queries without raw edges but cost about one upsert
# per sample for series polled every few minutes.
LEVELS = (3600,)
DIMENSIONS = ('counter_name', 'resource_id', 'project_id', 'user_id',
              'source', 'counter_unit')
GROUPABLE = ('resource_id', 'project_id', 'user_id', 'source')
# The same buckets kept again with fewer dimensions, coarsest first: a
# query that filters, groups and counts distinct values on none of the
# dimensions a scope leaves out reads that scope, which holds one document
# per hour where the series hold one per resource (or user, or source) and
# hour. Reading a document costs a store about what reading a sample does,
# so a whole meter's hourly statistics read a hundredth of the documents.
SCOPES = (('meter', ('counter_name', 'counter_unit')),
          ('project', ('counter_name', 'project_id', 'counter_unit')),
          ('series', DIMENSIONS))
SUMMARY_AGGREGATES = ('sum', 'avg', 'min', 'max', 'count', 'cardinality')
# Beyond this many raw windows a query reads raw samples throughout.
MAX_RAW_WINDOWS = 64
MS = datetime.timedelta(milliseconds=1)


def floor_to(ts, seconds):
    delta = ts - EPOCH
    total_ms = (delta.days * 86400 + delta.seconds) * 1000 + (
        delta.microseconds // 1000)
    return EPOCH + datetime.timedelta(
        milliseconds=total_ms - total_ms % (seconds * 1000))


def ceil_to(ts, seconds):
    floor = floor_to(ts, seconds)
    return floor if floor == ts else floor + datetime.timedelta(
        seconds=seconds)


def is_aligned(ts, seconds):
    return floor_to(ts, seconds) == ts


def scope_for(fields):
    """The coarsest scope whose dimensions hold every one of ``fields``
    (the query's filtered, grouped and distinct-counted dimensions)."""
    wanted = set(fields)
    for name, dimensions in SCOPES:
        if wanted <= set(dimensions):
            return name
    return SCOPES[-1][0]


def summaries_of(docs, dimensions=DIMENSIONS):
    """Summary documents of a batch of stored samples.

    One document per series (the values of ``dimensions``), level and
    bucket the batch touches. They are inserted, never updated: a bucket's
    summary is the sum of all its documents (so a write costs an insert,
    not an upsert, which matters on FerretDB) and ``compact`` merges them
    later.
    """
    acc = {}
    for doc in docs:
        volume = doc.get('counter_volume')
        if volume is None:
            continue
        volume = float(volume)
        ts = doc['timestamp']
        dims = tuple(doc.get(d) for d in dimensions)
        for level in LEVELS:
            key = (level, floor_to(ts, level), dims)
            entry = acc.get(key)
            if entry is None:
                acc[key] = [1, volume, volume, volume, ts, ts]
            else:
                entry[0] += 1
                entry[1] += volume
                entry[2] = min(entry[2], volume)
                entry[3] = max(entry[3], volume)
                entry[4] = min(entry[4], ts)
                entry[5] = max(entry[5], ts)
    return [_document(dimensions, level, bucket, dims, *values)
            for (level, bucket, dims), values in acc.items()]


def _document(dimensions, level, bucket, dims, count, total, low, high,
              first, last):
    doc = dict(zip(dimensions, dims))
    doc.update(level=level, bucket=bucket, count=count, sum=total, min=low,
               max=high, first=first, last=last)
    return doc


def merge(summaries, dimensions=DIMENSIONS):
    """Merge summary documents into one per series, level and bucket."""
    acc = {}
    for doc in summaries:
        key = (doc['level'], doc['bucket'],
               tuple(doc.get(d) for d in dimensions))
        entry = acc.get(key)
        if entry is None:
            acc[key] = [doc['count'], doc['sum'], doc['min'], doc['max'],
                        doc['first'], doc['last']]
        else:
            entry[0] += doc['count']
            entry[1] += doc['sum']
            entry[2] = min(entry[2], doc['min'])
            entry[3] = max(entry[3], doc['max'])
            entry[4] = min(entry[4], doc['first'])
            entry[5] = max(entry[5], doc['last'])
    return [_document(dimensions, level, bucket, dims, *values)
            for (level, bucket, dims), values in acc.items()]


def usable_for(sample_filter, groupby, aggregates):
    """Whether summaries can answer this statistics query at all."""
    if sample_filter.metaquery or sample_filter.message_id:
        return False
    if any(g not in GROUPABLE for g in groupby or ()):
        return False
    for agg in aggregates or ():
        if agg.func not in SUMMARY_AGGREGATES:
            return False
        if agg.func == 'cardinality' and agg.param not in CARDINALITY_FIELDS:
            return False
    return True


class Plan(object):
    """How to read one statistics query.

    ``level``: read summaries of that level for buckets starting in
    [start, end) (None: unbounded), except those starting at a time in
    ``skip``; ``raw``: (start, start_op, end, end_op) windows of raw samples
    to read as well. ``level`` is None when summaries serve nothing.
    """

    def __init__(self, level=None, start=None, end=None, skip=(), raw=()):
        self.level = level
        self.start = start
        self.end = end
        self.skip = set(skip)
        self.raw = list(raw)

    def __repr__(self):
        return '<Plan level=%s [%s, %s) skip=%d raw=%s>' % (
            self.level, self.start, self.end, len(self.skip), self.raw)


def plan(start, start_op, end, end_op, period=0, origin=None):
    """Split a query's time range between summaries and raw samples.

    :param start, end: the query's bounds (None: unbounded), with their
        operators ('gt'/'ge', 'lt'/'le'; ge and lt when None).
    :param period: seconds, or 0; ``origin``: where period 0 starts
        (needed with a period).

    Of the levels whose buckets each fall inside one period, the one
    leaving the fewest raw windows wins (the coarsest on a tie); when none
    does, minute buckets cut by a period boundary are read raw.
    """
    everything = Plan(raw=[(start, start_op, end, end_op)])
    first = None if start is None else (
        start + MS if start_op == 'gt' else start)
    last = None if end is None else (end if end_op == 'le' else end - MS)
    candidates = [_plan_level(level, first, last, start, start_op, end,
                              end_op) for level in LEVELS
                  if not period or (period % level == 0 and
                                    is_aligned(origin, level))]
    candidates = [c for c in candidates if c.level is not None]
    if candidates:
        return min(candidates, key=lambda c: len(c.raw))
    if not period:
        return everything
    best = _plan_level(LEVELS[-1], first, last, start, start_op, end, end_op)
    if best.level is None or not _skip_cut_buckets(best, period, origin):
        return everything
    buckets = (best.end - best.start).total_seconds() // best.level
    if len(best.skip) >= buckets:
        return everything
    best.raw = _merged(best.raw)
    return best


def _merged(windows):
    """Join raw windows that touch ([a, b) then [b, c))."""
    out = []
    for window in sorted(windows, key=lambda w: (w[0] is not None, w[0])):
        if out and out[-1][2] == window[0] and out[-1][3] == 'lt' and (
                window[1] == 'ge'):
            out[-1] = (out[-1][0], out[-1][1], window[2], window[3])
        else:
            out.append(window)
    return out


def _plan_level(level, first, last, start, start_op, end, end_op):
    lo = None if first is None else ceil_to(first, level)
    hi = None if last is None else floor_to(last + MS, level)
    if lo is not None and hi is not None and lo >= hi:
        return Plan(raw=[(start, start_op, end, end_op)])
    raw = []
    if first is not None and first < lo:
        raw.append((start, start_op, lo, 'lt'))
    if last is not None and hi <= last:
        raw.append((hi, 'ge', end, end_op))
    return Plan(level, lo, hi, (), raw)


def _skip_cut_buckets(candidate, period, origin):
    """Mark the buckets a period boundary cuts as raw; False if too many
    (or unbounded) to be worth it."""
    if candidate.end is None or candidate.start is None:
        return False
    level = candidate.level
    step = datetime.timedelta(seconds=level)
    period_step = datetime.timedelta(seconds=period)
    ahead = (candidate.start - origin).total_seconds()
    boundary = origin + period_step * max(0, -int(-ahead // period))
    while boundary < candidate.end:
        cut = floor_to(boundary, level)
        if cut != boundary and cut >= candidate.start and (
                cut not in candidate.skip):
            candidate.skip.add(cut)
            candidate.raw.append((cut, 'ge', cut + step, 'lt'))
            if len(candidate.raw) > MAX_RAW_WINDOWS:
                return False
        boundary += period_step
    return True
