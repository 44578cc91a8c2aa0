"""In-memory stand-ins of the stores and the notifier for evaluator tests.

They keep the interfaces of the real drivers (storage.base, alarm
storage.base) so the evaluators run unchanged against them.
"""

import copy
import datetime
import uuid

from ceilometer_proxy.alarm.storage import models
from ceilometer_proxy.storage import models as metering_models

NOW = datetime.datetime(2015, 10, 1, 12, 0, 0)


def make_alarm(**fields):
    """A threshold alarm (60 s, one period, avg > 70) unless overridden."""
    values = {'alarm_id': str(uuid.uuid4()), 'type': 'threshold',
              'enabled': True, 'name': 'alarm-%s' % uuid.uuid4().hex[:6],
              'description': '', 'timestamp': NOW, 'user_id': 'u',
              'project_id': 'p', 'state': 'insufficient data',
              'state_timestamp': NOW, 'ok_actions': ['http://ok'],
              'alarm_actions': ['http://alarm'],
              'insufficient_data_actions': ['http://nodata'],
              'repeat_actions': False, 'time_constraints': [],
              'severity': 'low',
              'rule': {'meter_name': 'cpu_util', 'threshold': 70.0,
                       'comparison_operator': 'gt', 'statistic': 'avg',
                       'period': 60, 'evaluation_periods': 1,
                       'exclude_outliers': False,
                       'query': [{'field': 'resource_id', 'op': 'eq',
                                  'value': 'vm-1', 'type': ''}]}}
    rule = fields.pop('rule', {})
    values.update(fields)
    values['rule'] = dict(values['rule'], **rule)
    return models.Alarm(**values)


def stat(value, count=1, start=NOW, resource=None):
    """One period's statistics with every standard aggregate = value."""
    return metering_models.Statistics(
        unit='%', period=60, period_start=start, period_end=start,
        duration=0, duration_start=start, duration_end=start,
        groupby={'resource_id': resource} if resource else None,
        min=value, max=value, avg=value, sum=value * count, count=count)


class AlarmStore(object):
    """The alarm storage driver's evaluator-facing methods."""

    def __init__(self, *alarms):
        self.alarms = {a.alarm_id: copy.deepcopy(a) for a in alarms}
        self.changes = []
        self.reads = 0

    def get_alarms(self, enabled=None, alarm_id=None, **ignored):
        self.reads += 1
        return [copy.deepcopy(a) for a in self.alarms.values()
                if (enabled is None or a.enabled == enabled)
                and (alarm_id is None or a.alarm_id == alarm_id)]

    def update_alarm(self, alarm):
        if alarm.alarm_id not in self.alarms:
            return None
        self.alarms[alarm.alarm_id] = copy.deepcopy(alarm)
        return alarm

    def record_alarm_change(self, change):
        self.changes.append(change)

    def state(self, alarm_id):
        return self.alarms[alarm_id].state


class MeteringStore(object):
    """get_meter_statistics answering from {resource: [Statistics]}."""

    def __init__(self, series=None):
        self.series = series or {}
        self.calls = []

    def get_meter_statistics(self, sample_filter, period=None, groupby=None,
                             aggregate=None):
        self.calls.append((sample_filter, period, groupby))
        if groupby == ['resource_id']:
            return [metering_models.Statistics(**dict(
                s.as_dict(), groupby={'resource_id': rid}))
                for rid, stats in sorted(self.series.items())
                for s in stats]
        return list(self.series.get(sample_filter.resource, []))


class Notifier(object):
    """Records notifications instead of running actions."""

    def __init__(self):
        self.sent = []

    def notify(self, alarm, previous, reason, reason_data):
        self.sent.append({'alarm_id': alarm.alarm_id, 'previous': previous,
                          'current': alarm.state, 'reason': reason,
                          'reason_data': reason_data})
