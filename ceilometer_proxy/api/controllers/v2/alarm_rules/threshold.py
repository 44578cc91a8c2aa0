"""The ``threshold`` rule: a statistic of a meter compared to a value."""

import pecan
import wsme
from wsme import types as wtypes

from ceilometer_proxy.api.controllers.v2.alarm_rules import AlarmRule
from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api.controllers.v2 import utils as v2_utils
from ceilometer_proxy.api import rbac

COMPARISON_OPERATORS = ('lt', 'le', 'eq', 'ne', 'ge', 'gt')
STATISTICS = ('max', 'min', 'avg', 'sum', 'count')


def implicit_project(owner_project):
    """The project a rule's or a check's scope is forced to.

    A scoped caller is limited to their own project; an admin acting for
    another project is limited to that project; an admin acting in their
    own project is not limited (None).
    """
    limited = rbac.get_limited_to_project(pecan.request.headers)
    if limited is not None:
        return limited
    if owner_project != pecan.request.headers.get('X-Project-Id'):
        return owner_project
    return None


class AlarmThresholdRule(AlarmRule):
    """When to trigger the alarm, from statistics of a meter."""

    meter_name = wsme.wsattr(wtypes.text, mandatory=True)
    "The name of the meter"

    query = wsme.wsattr([base.Query], default=[])
    """The query finding the samples statistics are computed from; the
    alarm owner's project is added to it when scoping requires."""

    period = wsme.wsattr(wtypes.IntegerType(minimum=1), default=60)
    "The time range in seconds over which to query"

    comparison_operator = wsme.wsattr(
        wtypes.Enum(str, *COMPARISON_OPERATORS), default='eq')
    "The comparison against the alarm threshold"

    threshold = wsme.wsattr(float, mandatory=True)
    "The threshold of the alarm"

    statistic = wsme.wsattr(wtypes.Enum(str, *STATISTICS), default='avg')
    "The statistic to compare to the threshold"

    evaluation_periods = wsme.wsattr(wtypes.IntegerType(minimum=1),
                                     default=1)
    "The number of historical periods to evaluate the threshold"

    exclude_outliers = wsme.wsattr(bool, default=False)
    "Whether datapoints with anomalously low sample counts are excluded"

    def __init__(self, query=None, **kwargs):
        if query:
            query = [q if isinstance(q, base.Query) else base.Query(**q)
                     for q in query]
        super().__init__(query=query or [], **kwargs)

    @staticmethod
    def validate(rule):
        # The evaluator sets the time bounds of each statistics query
        # itself, so timestamps have no place in the rule's query.
        if not rule.query:
            rule.query = []
        v2_utils.validate_query(rule.query, v2_utils.SAMPLE_KEYS,
                                allow_timestamps=False)
        return rule

    @staticmethod
    def validate_alarm(alarm):
        rule = alarm.threshold_rule
        rule.query = v2_utils.sanitize_query(
            rule.query, implicit_project(alarm.project_id))

    @property
    def default_description(self):
        return ('Alarm when %s is %s a %s of %s over %s seconds'
                % (self.meter_name, self.comparison_operator,
                   self.statistic, self.threshold, self.period))

    def as_dict(self):
        rule = self.as_dict_from_keys(['period', 'comparison_operator',
                                       'threshold', 'statistic',
                                       'evaluation_periods', 'meter_name',
                                       'exclude_outliers'])
        rule['query'] = [q.as_dict() for q in self.query or []]
        return rule

    @classmethod
    def sample(cls):
        return cls(meter_name='cpu_util', period=60, evaluation_periods=1,
                   threshold=300.0, statistic='avg',
                   comparison_operator='gt',
                   query=[{'field': 'resource_id', 'op': 'eq',
                           'value': '2a4d689b-f0b8-49c1-9eef-87cae58d80db',
                           'type': 'string'}])
