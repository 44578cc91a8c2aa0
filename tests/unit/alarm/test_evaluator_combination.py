"""Combination evaluation and time constraints."""

import datetime

import pytest

from ceilometer_proxy.alarm import evaluator
from ceilometer_proxy.alarm.evaluator import combination
from ceilometer_proxy import service
from tests.unit.alarm import fakes
from tests.unit.alarm.fakes import NOW


@pytest.fixture(scope='module')
def conf():
    return service.prepare_service([], config_files=[])


def combined(operator, operands, **fields):
    return fakes.make_alarm(type='combination', rule={
        'operator': operator,
        'alarm_ids': [a.alarm_id for a in operands]}, **fields)


def run(conf, alarm, operands, stored=()):
    alarms = fakes.AlarmStore(alarm, *operands, *stored)
    notifier = fakes.Notifier()
    ev = combination.CombinationEvaluator(conf, alarms, notifier)
    known = {a.alarm_id: a for a in (alarm,) + tuple(operands)}
    ev.prepare([alarm], NOW, known)
    ev.evaluate(alarm, NOW)
    return alarms, notifier


@pytest.mark.parametrize('operator,states,expected', [
    ('and', ('alarm', 'alarm'), 'alarm'),
    ('and', ('alarm', 'ok'), 'ok'),
    ('or', ('alarm', 'ok'), 'alarm'),
    ('or', ('ok', 'ok'), 'ok'),
    ('or', ('alarm', 'insufficient data'), 'alarm'),
    ('and', ('alarm', 'insufficient data'), 'insufficient data'),
])
def test_operands_decide(conf, operator, states, expected):
    operands = [fakes.make_alarm(state=s) for s in states]
    alarm = combined(operator, operands, state='ok'
                     if expected != 'ok' else 'alarm')
    alarms, notifier = run(conf, alarm, operands)
    assert alarms.state(alarm.alarm_id) == expected
    assert notifier.sent[0]['current'] == expected


def test_reason_names_the_operands_in_that_state(conf):
    operands = [fakes.make_alarm(state='alarm'),
                fakes.make_alarm(state='ok')]
    alarm = combined('or', operands, state='ok')
    _, notifier = run(conf, alarm, operands)
    [sent] = notifier.sent
    assert sent['reason'] == ('Transition to alarm due to alarms %s in '
                              'state alarm' % operands[0].alarm_id)
    assert sent['reason_data'] == {'type': 'combination',
                                   'alarm_ids': [operands[0].alarm_id]}


def test_deleted_operand_makes_it_unknown(conf):
    gone = fakes.make_alarm(state='alarm')
    present = fakes.make_alarm(state='alarm')
    alarm = combined('and', [gone, present], state='alarm')
    alarms = fakes.AlarmStore(alarm, present)
    ev = combination.CombinationEvaluator(conf, alarms, fakes.Notifier())
    ev.prepare([alarm], NOW, {present.alarm_id: present})
    ev.evaluate(alarm, NOW)
    assert alarms.state(alarm.alarm_id) == 'insufficient data'


def test_disabled_operand_is_read_by_id(conf):
    disabled = fakes.make_alarm(state='alarm', enabled=False)
    alarm = combined('and', [disabled], state='ok')
    alarms = fakes.AlarmStore(alarm, disabled)
    ev = combination.CombinationEvaluator(conf, alarms, fakes.Notifier())
    ev.prepare([alarm], NOW, {})
    ev.evaluate(alarm, NOW)
    assert alarms.state(alarm.alarm_id) == 'alarm'


def test_repeat_actions_renotify(conf):
    operands = [fakes.make_alarm(state='alarm')]
    alarm = combined('and', operands, state='alarm', repeat_actions=True)
    _, notifier = run(conf, alarm, operands)
    assert notifier.sent[0]['reason'].startswith('Remaining as alarm')


# -- time constraints -------------------------------------------------------

def constrained(start, duration, timezone=''):
    return fakes.make_alarm(time_constraints=[{
        'name': 'tc', 'start': start, 'duration': duration,
        'timezone': timezone}])


def at(hour, minute=0):
    return datetime.datetime(2015, 10, 1, hour, minute)


def test_no_constraints_means_always():
    assert evaluator.within_time_constraints(fakes.make_alarm(), NOW)


@pytest.mark.parametrize('now,inside', [
    (at(10, 59), False), (at(11, 0), True), (at(11, 30), True),
    (at(12, 0), True), (at(12, 1), False)])
def test_cron_start_and_duration(now, inside):
    alarm = constrained('0 11 * * *', 3600)
    assert evaluator.within_time_constraints(alarm, now) is inside


def test_zero_duration_matches_its_minute():
    alarm = constrained('30 11 * * *', 0)
    assert evaluator.within_time_constraints(alarm, at(11, 30))
    assert not evaluator.within_time_constraints(alarm, at(11, 32))


def test_timezone_of_the_constraint():
    # 11:00 in Ljubljana (CEST, UTC+2) is 09:00 UTC.
    alarm = constrained('0 11 * * *', 600, 'Europe/Ljubljana')
    assert evaluator.within_time_constraints(alarm, at(9, 5))
    assert not evaluator.within_time_constraints(alarm, at(11, 5))


def test_constrained_alarm_is_not_evaluated_outside(conf):
    operands = [fakes.make_alarm(state='alarm')]
    alarm = combined('and', operands, state='ok', time_constraints=[{
        'name': 'night', 'start': '0 23 * * *', 'duration': 3600,
        'timezone': ''}])
    alarms, notifier = run(conf, alarm, operands)
    assert alarms.state(alarm.alarm_id) == 'ok' and notifier.sent == []
