"""Threshold alarms: a statistic of a meter compared with a value.

Each alarm looks at the window ``[now - period * (evaluation_periods +
look_back), now]`` split into ``period``-long buckets from its start; the
last ``evaluation_periods`` buckets holding samples decide: all breaching
is ``alarm``, none is ``ok``, fewer buckets than needed is ``insufficient
data``. ``look_back`` is one period (slack for samples that arrive late),
or ``evaluation_periods`` when ``exclude_outliers`` is set so that the
trend of sample counts that outliers are judged by is long enough.

Statistics come from the metering storage driver, never over HTTP, and
they are read once per cycle per distinct question: alarms asking the same
thing share one answer, and alarms that differ only by resource share one
query grouped by ``resource_id``. On a store that scans a collection for
every query (FerretDB v1) this is the difference between one scan per
cycle and one scan per alarm.
"""

import collections
import datetime
import math
import operator

from oslo_log import log

from ceilometer_proxy.alarm import evaluator
from ceilometer_proxy import query_values
from ceilometer_proxy import storage

LOG = log.getLogger(__name__)

COMPARATORS = {
    'gt': operator.gt,
    'lt': operator.lt,
    'ge': operator.ge,
    'le': operator.le,
    'eq': operator.eq,
    'ne': operator.ne,
}

# Periods added to the window for samples reported late.
LOOK_BACK = 1

# Rule query fields -> SampleFilter arguments.
FILTER_ARGS = {'user_id': 'user', 'user': 'user',
               'project_id': 'project', 'project': 'project',
               'resource_id': 'resource', 'resource': 'resource',
               'source': 'source', 'message_id': 'message_id'}


def _frozen(kwargs):
    """A hashable form of SampleFilter arguments."""
    items = []
    for key, value in sorted(kwargs.items()):
        if isinstance(value, dict):
            value = tuple(sorted((k, repr(v)) for k, v in value.items()))
        items.append((key, value))
    return tuple(items)


class Request(object):
    """The statistics query of one threshold rule at one time.

    :param rule: the alarm's rule dict.
    :param now: the cycle's time (naive UTC), the end of the window.
    :raises ValueError: for a query the evaluator cannot express.
    """

    def __init__(self, rule, now):
        look_back = (rule['evaluation_periods']
                     if rule.get('exclude_outliers') else LOOK_BACK)
        span = rule['period'] * (rule['evaluation_periods'] + look_back)
        self.period = rule['period']
        self.start = now - datetime.timedelta(seconds=span)
        self.end = now
        self.filters = filter_arguments(rule)
        self.resource = self.filters.get('resource')
        shared = dict(self.filters)
        shared.pop('resource', None)
        self.shared_key = (_frozen(shared), self.period, self.start,
                           self.end)
        self.key = self.shared_key + (self.resource,)

    def sample_filter(self, with_resource=True):
        kwargs = dict(self.filters)
        if not with_resource:
            kwargs.pop('resource', None)
        return storage.SampleFilter(
            start_timestamp=self.start, start_timestamp_op='ge',
            end_timestamp=self.end, end_timestamp_op='le', **kwargs)


def filter_arguments(rule):
    """SampleFilter arguments (without time bounds) of a rule (pure).

    Metadata values are typed the way the statistics API types them, so
    an alarm means what the same query means at /v2/meters/.../statistics.
    """
    kwargs = {'meter': rule['meter_name']}
    meta = {}
    for item in rule.get('query') or []:
        field = item['field']
        if item.get('op', 'eq') != 'eq':
            raise ValueError('unsupported operator %s on %s'
                             % (item.get('op'), field))
        if field.startswith(('metadata.', 'resource_metadata.')):
            key = 'metadata.' + field.split('.', 1)[1]
            meta[key] = query_values.typed_value(item['value'],
                                                 item.get('type'))
        elif field in FILTER_ARGS:
            kwargs[FILTER_ARGS[field]] = item['value']
        else:
            raise ValueError('unsupported query field %s' % field)
    if meta:
        kwargs['metaquery'] = meta
    return kwargs


def without_outliers(statistics):
    """Statistics whose sample count lies within mean +/- 2 stddev."""
    counts = [s.count for s in statistics]
    if not counts:
        return statistics
    mean = math.fsum(counts) / len(counts)
    stddev = math.sqrt(math.fsum((c - mean) ** 2 for c in counts)
                       / len(counts))
    low, high = mean - 2 * stddev, mean + 2 * stddev
    kept = [s for s in statistics if low <= s.count <= high]
    if len(kept) != len(statistics):
        LOG.debug('excluded weak datapoints with sample counts %s',
                  [s.count for s in statistics if s not in kept])
    return kept


class ThresholdEvaluator(evaluator.Evaluator):
    """Evaluates ``threshold`` alarms from the metering store.

    :param metering_conn: the metering storage driver.
    """

    def __init__(self, conf, alarm_conn, notifier, metering_conn):
        super().__init__(conf, alarm_conn, notifier)
        self.metering_conn = metering_conn
        self._answers = {}
        self.queries = 0

    # -- statistics ---------------------------------------------------------

    def prepare(self, alarms, now, known):
        """Read the statistics of alarms differing only by resource with
        one grouped query per (meter, query, period, window)."""
        self._answers = {}
        groups = collections.defaultdict(list)
        for alarm in alarms:
            if not evaluator.within_time_constraints(alarm, now):
                continue
            try:
                request = Request(alarm.rule, now)
            except ValueError:
                continue  # reported when the alarm is evaluated
            if request.resource is not None:
                groups[request.shared_key].append(request)
        for requests in groups.values():
            if len({r.resource for r in requests}) > 1:
                self._fetch_grouped(requests)

    def _fetch_grouped(self, requests):
        first = requests[0]
        try:
            self.queries += 1
            found = self.metering_conn.get_meter_statistics(
                first.sample_filter(with_resource=False), first.period,
                ['resource_id'])
        except storage.StorageError as err:
            for request in requests:
                self._answers[request.key] = err
            return
        by_resource = collections.defaultdict(list)
        for stat in found:
            by_resource[stat.groupby['resource_id']].append(stat)
        for request in requests:
            self._answers[request.key] = by_resource.get(request.resource,
                                                         [])

    def statistics(self, request):
        """The statistics of a request, read at most once per cycle."""
        answer = self._answers.get(request.key)
        if answer is None:
            try:
                self.queries += 1
                answer = self.metering_conn.get_meter_statistics(
                    request.sample_filter(), request.period)
            except storage.StorageError as err:
                answer = err
            self._answers[request.key] = answer
        if isinstance(answer, Exception):
            raise answer
        return answer

    # -- evaluation ---------------------------------------------------------

    def evaluate(self, alarm, now):
        if not evaluator.within_time_constraints(alarm, now):
            LOG.debug('alarm %s is outside its time constraints',
                      alarm.alarm_id)
            return
        rule = alarm.rule
        try:
            request = Request(rule, now)
        except ValueError as err:
            LOG.warning('alarm %s cannot be evaluated: %s',
                        alarm.alarm_id, err)
            return
        statistics = self.statistics(request)
        if rule.get('exclude_outliers'):
            statistics = without_outliers(statistics)
        statistics = statistics[-rule['evaluation_periods']:]
        if self._sufficient(alarm, statistics, now):
            op = COMPARATORS[rule['comparison_operator']]
            compared = [op(getattr(s, rule['statistic']), rule['threshold'])
                        for s in statistics]
            self._transition(alarm, statistics, compared, now)

    def _sufficient(self, alarm, statistics, now):
        """Whether there are enough datapoints; moves the alarm to
        insufficient data when there are not."""
        wanted = alarm.rule['evaluation_periods']
        if len(statistics) >= wanted:
            return True
        if alarm.state != evaluator.UNKNOWN:
            LOG.warning('alarm %s expects %d datapoints but got %d',
                        alarm.alarm_id, wanted, len(statistics))
            last = (getattr(statistics[-1], alarm.rule['statistic'])
                    if statistics else None)
            # The reason text is Ceilometer's: consumers may parse it.
            self.refresh(alarm, evaluator.UNKNOWN,
                         '%d datapoints are unknown' % wanted,
                         reason_data('unknown', wanted, last), now)
        return False

    def _transition(self, alarm, statistics, compared, now):
        """Change state on unequivocal data only.

        All breaching or none breaching decides; mixed datapoints keep a
        known state, and take an unknown one to the trend of the most
        recent datapoint. With ``repeat_actions`` the actions run again on
        every evaluation.
        """
        breached = all(compared)
        unequivocal = breached or not any(compared)
        unknown = alarm.state == evaluator.UNKNOWN
        repeat = alarm.repeat_actions
        if unequivocal:
            state = evaluator.ALARM if breached else evaluator.OK
            if alarm.state != state or repeat:
                self.refresh(alarm, state,
                             *explain(alarm, statistics, state), now=now)
        elif unknown or repeat:
            if unknown:
                state = evaluator.ALARM if compared[-1] else evaluator.OK
            else:
                state = alarm.state
            self.refresh(alarm, state, *explain(alarm, statistics, state),
                         now=now)


def reason_data(disposition, count, most_recent):
    return {'type': 'threshold', 'disposition': disposition,
            'count': count, 'most_recent': most_recent}


def explain(alarm, statistics, state):
    """(reason, reason_data) of a threshold evaluation, worded as
    Ceilometer did."""
    disposition = 'inside' if state == evaluator.OK else 'outside'
    last = getattr(statistics[-1], alarm.rule['statistic'])
    data = reason_data(disposition, len(statistics), last)
    verb = ('Transition to' if alarm.state != state else 'Remaining as')
    reason = ('%s %s due to %d samples %s threshold, most recent: %s'
              % (verb, state, len(statistics), disposition, last))
    return reason, data
