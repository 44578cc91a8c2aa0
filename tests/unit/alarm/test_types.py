"""Alarm API types that need no request: cron and rule descriptions."""

import pytest

from ceilometer_proxy.api.controllers.v2.alarm_rules import combination
from ceilometer_proxy.api.controllers.v2.alarm_rules import threshold
from ceilometer_proxy.api.controllers.v2 import alarms


def test_cron_type():
    assert alarms.CronType.validate('0 23 * * *') == '0 23 * * *'
    with pytest.raises(ValueError):
        alarms.CronType.validate('11:00am')


def test_default_descriptions():
    rule = threshold.AlarmThresholdRule(meter_name='cpu', threshold=2.5,
                                        comparison_operator='gt',
                                        statistic='max', period=30)
    assert rule.default_description == ('Alarm when cpu is gt a max of 2.5 '
                                        'over 30 seconds')
    rule = combination.AlarmCombinationRule(alarm_ids=['a', 'b'],
                                            operator='or')
    assert rule.default_description == 'Combined state of alarms a or b'


def test_samples_render():
    alarm = alarms.Alarm.sample()
    assert alarm.as_dict()['rule']['operator'] == 'or'
    assert alarms.AlarmChange.sample().type == 'rule change'
