"""Threshold evaluation: windows, transitions, outliers and batching."""

import datetime
import json

import pytest

from ceilometer_proxy.alarm.evaluator import threshold
from ceilometer_proxy import service
from ceilometer_proxy import storage
from tests.unit.alarm import fakes
from tests.unit.alarm.fakes import NOW


@pytest.fixture(scope='module')
def conf():
    return service.prepare_service([], config_files=[])


def run(conf, alarm, series, now=NOW):
    """Evaluate one alarm; return (alarm store, notifier, metering)."""
    alarms = fakes.AlarmStore(alarm)
    metering = fakes.MeteringStore(series)
    notifier = fakes.Notifier()
    ev = threshold.ThresholdEvaluator(conf, alarms, notifier, metering)
    ev.prepare([alarm], now, {alarm.alarm_id: alarm})
    ev.evaluate(alarm, now)
    return alarms, notifier, metering


def test_window_covers_the_periods_plus_one_of_look_back():
    alarm = fakes.make_alarm(rule={'period': 60, 'evaluation_periods': 3})
    request = threshold.Request(alarm.rule, NOW)
    assert request.start == NOW - datetime.timedelta(seconds=240)
    assert request.end == NOW
    f = request.sample_filter()
    assert (f.meter, f.resource) == ('cpu_util', 'vm-1')
    assert (f.start_timestamp_op, f.end_timestamp_op) == ('ge', 'le')


def test_exclude_outliers_looks_back_as_many_periods():
    alarm = fakes.make_alarm(rule={'period': 60, 'evaluation_periods': 3,
                                   'exclude_outliers': True})
    request = threshold.Request(alarm.rule, NOW)
    assert request.start == NOW - datetime.timedelta(seconds=360)


def test_query_fields_become_filter_arguments():
    rule = {'meter_name': 'm', 'query': [
        {'field': 'project_id', 'op': 'eq', 'value': 'p1'},
        {'field': 'metadata.size', 'op': 'eq', 'value': '3', 'type': ''},
        {'field': 'resource_metadata.flavor', 'op': 'eq', 'value': '3',
         'type': 'string'}]}
    assert threshold.filter_arguments(rule) == {
        'meter': 'm', 'project': 'p1',
        'metaquery': {'metadata.size': 3, 'metadata.flavor': '3'}}
    with pytest.raises(ValueError):
        threshold.filter_arguments({'meter_name': 'm', 'query': [
            {'field': 'resource_id', 'op': 'gt', 'value': 'x'}]})


def test_breach_moves_to_alarm_records_history_and_notifies(conf):
    alarm = fakes.make_alarm(state='ok')
    alarms, notifier, _ = run(conf, alarm, {'vm-1': [fakes.stat(90.0)]})
    assert alarms.state(alarm.alarm_id) == 'alarm'
    assert alarms.alarms[alarm.alarm_id].state_timestamp == NOW
    [change] = alarms.changes
    assert change['type'] == 'state transition'
    assert json.loads(change['detail']) == {'state': 'alarm'}
    assert change['on_behalf_of'] == 'p'
    [sent] = notifier.sent
    assert (sent['previous'], sent['current']) == ('ok', 'alarm')
    assert sent['reason'] == ('Transition to alarm due to 1 samples outside '
                              'threshold, most recent: 90.0')
    assert sent['reason_data'] == {'type': 'threshold',
                                   'disposition': 'outside', 'count': 1,
                                   'most_recent': 90.0}


def test_no_breach_moves_to_ok(conf):
    alarm = fakes.make_alarm(state='alarm')
    alarms, notifier, _ = run(conf, alarm, {'vm-1': [fakes.stat(10.0)]})
    assert alarms.state(alarm.alarm_id) == 'ok'
    assert notifier.sent[0]['reason_data']['disposition'] == 'inside'


def test_only_the_last_evaluation_periods_count(conf):
    alarm = fakes.make_alarm(state='ok', rule={'evaluation_periods': 2})
    series = {'vm-1': [fakes.stat(10.0), fakes.stat(80.0),
                       fakes.stat(90.0)]}
    alarms, _, _ = run(conf, alarm, series)
    assert alarms.state(alarm.alarm_id) == 'alarm'


def test_mixed_datapoints_keep_a_known_state(conf):
    alarm = fakes.make_alarm(state='ok', rule={'evaluation_periods': 2})
    alarms, notifier, _ = run(conf, alarm, {'vm-1': [fakes.stat(90.0),
                                                     fakes.stat(10.0)]})
    assert alarms.state(alarm.alarm_id) == 'ok'
    assert notifier.sent == [] and alarms.changes == []


def test_mixed_datapoints_take_unknown_to_the_latest_trend(conf):
    alarm = fakes.make_alarm(rule={'evaluation_periods': 2})
    alarms, _, _ = run(conf, alarm, {'vm-1': [fakes.stat(10.0),
                                              fakes.stat(90.0)]})
    assert alarms.state(alarm.alarm_id) == 'alarm'


def test_too_few_datapoints_is_insufficient_data(conf):
    alarm = fakes.make_alarm(state='alarm', rule={'evaluation_periods': 3})
    alarms, notifier, _ = run(conf, alarm, {'vm-1': [fakes.stat(90.0)]})
    assert alarms.state(alarm.alarm_id) == 'insufficient data'
    [sent] = notifier.sent
    assert sent['reason'] == '3 datapoints are unknown'
    assert sent['reason_data'] == {'type': 'threshold',
                                   'disposition': 'unknown', 'count': 3,
                                   'most_recent': 90.0}


def test_unchanged_state_is_quiet_without_repeat_actions(conf):
    alarm = fakes.make_alarm(state='alarm')
    alarms, notifier, _ = run(conf, alarm, {'vm-1': [fakes.stat(90.0)]})
    assert notifier.sent == [] and alarms.changes == []


def test_repeat_actions_notify_again_without_history(conf):
    alarm = fakes.make_alarm(state='alarm', repeat_actions=True)
    alarms, notifier, _ = run(conf, alarm, {'vm-1': [fakes.stat(90.0)]})
    [sent] = notifier.sent
    assert (sent['previous'], sent['current']) == ('alarm', 'alarm')
    assert sent['reason'].startswith('Remaining as alarm')
    assert alarms.changes == []


def test_outliers_are_dropped_before_comparing(conf):
    alarm = fakes.make_alarm(state='ok', rule={
        'evaluation_periods': 1, 'exclude_outliers': True})
    # The last period has one sample among periods of ten: an outlier.
    series = {'vm-1': [fakes.stat(90.0, count=10) for _ in range(6)]
              + [fakes.stat(5.0, count=1)]}
    alarms, _, _ = run(conf, alarm, series)
    assert alarms.state(alarm.alarm_id) == 'alarm'
    kept = threshold.without_outliers(series['vm-1'])
    assert [s.count for s in kept] == [10] * 6


def test_deleted_alarm_is_not_resurrected(conf):
    alarm = fakes.make_alarm(state='ok')
    alarms = fakes.AlarmStore()
    notifier = fakes.Notifier()
    ev = threshold.ThresholdEvaluator(
        conf, alarms, notifier,
        fakes.MeteringStore({'vm-1': [fakes.stat(90.0)]}))
    ev.evaluate(alarm, NOW)
    assert alarms.alarms == {} and notifier.sent == []


def test_alarms_differing_by_resource_share_one_grouped_query(conf):
    def alarm(resource, limit):
        return fakes.make_alarm(state='ok', rule={
            'threshold': float(limit), 'query': [
                {'field': 'resource_id', 'op': 'eq', 'value': resource}]})

    made = [alarm('vm-%d' % r, t) for r in range(5) for t in (50, 95)]
    series = {'vm-%d' % r: [fakes.stat(60.0 + 10 * r)] for r in range(4)}
    alarms = fakes.AlarmStore(*made)
    metering = fakes.MeteringStore(series)
    ev = threshold.ThresholdEvaluator(conf, alarms, fakes.Notifier(),
                                      metering)
    ev.prepare(made, NOW, {})
    for alarm in made:
        ev.evaluate(alarm, NOW)
    assert len(metering.calls) == 1 and ev.queries == 1
    sample_filter, period, groupby = metering.calls[0]
    assert sample_filter.resource is None and groupby == ['resource_id']
    states = {(a.rule['query'][0]['value'], a.rule['threshold']):
              alarms.state(a.alarm_id) for a in made}
    assert states[('vm-0', 50.0)] == 'alarm'
    assert states[('vm-0', 95.0)] == 'ok'
    assert states[('vm-3', 95.0)] == 'ok'      # 90 is not above 95
    assert states[('vm-4', 50.0)] == 'insufficient data'   # no samples


def test_identical_alarms_share_one_query(conf):
    made = [fakes.make_alarm(state='ok') for _ in range(3)]
    metering = fakes.MeteringStore({'vm-1': [fakes.stat(90.0)]})
    ev = threshold.ThresholdEvaluator(conf, fakes.AlarmStore(*made),
                                      fakes.Notifier(), metering)
    ev.prepare(made, NOW, {})
    for alarm in made:
        ev.evaluate(alarm, NOW)
    assert len(metering.calls) == 1


def test_store_failure_keeps_the_state_and_is_raised(conf):
    class Broken(fakes.MeteringStore):
        def get_meter_statistics(self, *args, **kwargs):
            self.calls.append(args)
            raise storage.StorageUnavailable('down')

    alarm = fakes.make_alarm(state='alarm')
    alarms = fakes.AlarmStore(alarm)
    metering = Broken()
    ev = threshold.ThresholdEvaluator(conf, alarms, fakes.Notifier(),
                                      metering)
    ev.prepare([alarm], NOW, {})
    with pytest.raises(storage.StorageUnavailable):
        ev.evaluate(alarm, NOW)
    assert alarms.state(alarm.alarm_id) == 'alarm'
