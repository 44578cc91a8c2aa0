"""The ``combination`` rule: the states of other alarms, and-ed or or-ed."""

import pecan
import wsme
from wsme import types as wtypes

from ceilometer_proxy.api.controllers.v2.alarm_rules import AlarmRule
from ceilometer_proxy.api.controllers.v2.alarm_rules import threshold
from ceilometer_proxy.api.controllers.v2 import base


class AlarmNotFound(base.ClientSideError):
    """An alarm the caller cannot see (404)."""

    def __init__(self, alarm_id, project=None):
        if project:
            message = ("Alarm %s not found in project %s"
                       % (alarm_id, project))
        else:
            message = 'Alarm %s not found' % alarm_id
        super().__init__(message, status_code=404)


class AlarmCombinationRule(AlarmRule):
    """When to trigger the alarm, from the states of other alarms."""

    operator = wsme.wsattr(wtypes.Enum(str, 'or', 'and'), default='and')
    "How to combine the sub-alarms"

    alarm_ids = wsme.wsattr([wtypes.text], mandatory=True)
    "List of alarm identifiers to combine"

    @staticmethod
    def validate(rule):
        unique = list(dict.fromkeys(rule.alarm_ids))
        if len(unique) <= 1:
            raise base.ClientSideError('Alarm combination rule should '
                                       'contain at least two different '
                                       'alarm ids.')
        rule.alarm_ids = unique
        return rule

    @staticmethod
    def validate_alarm(alarm):
        # Sub-alarms must be visible in the project the alarm acts for.
        project = threshold.implicit_project(alarm.project_id)
        conn = pecan.request.alarm_storage_conn
        for alarm_id in alarm.combination_rule.alarm_ids:
            if not conn.get_alarms(alarm_id=alarm_id, project=project):
                raise AlarmNotFound(alarm_id, project)

    @staticmethod
    def update_hook(alarm):
        # A full cycle check would read every alarm; only the direct
        # self-reference is refused, as Ceilometer did.
        if alarm.alarm_id in alarm.combination_rule.alarm_ids:
            raise base.ClientSideError(
                'Cannot specify alarm %s itself in combination rule'
                % alarm.alarm_id)

    @property
    def default_description(self):
        joiner = ' %s ' % self.operator
        return 'Combined state of alarms %s' % joiner.join(self.alarm_ids)

    def as_dict(self):
        return self.as_dict_from_keys(['operator', 'alarm_ids'])

    @classmethod
    def sample(cls):
        return cls(operator='or',
                   alarm_ids=['739e99cb-c2ec-4718-b900-332502355f38',
                              '153462d0-a9b8-4b5b-8175-9e4b05e9b856'])
