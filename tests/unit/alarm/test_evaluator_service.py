"""The evaluation cycle and partitioning between members."""

import pytest

from ceilometer_proxy.alarm import coordination
from ceilometer_proxy.alarm import service as alarm_service
from ceilometer_proxy import service
from tests.unit.alarm import fakes
from tests.unit.alarm.fakes import NOW


@pytest.fixture
def conf():
    conf = service.prepare_service([], config_files=[])
    yield conf
    conf.reset()


def test_without_backend_every_alarm_is_mine(conf):
    member = coordination.PartitionCoordinator(conf)
    alarms = [fakes.make_alarm() for _ in range(5)]
    assert member.extract_my_subset(alarms) == (alarms, 1)


def test_members_split_the_alarms_and_survivors_take_over(conf, tmp_path):
    conf.set_override('backend_url', 'file://%s' % tmp_path, 'coordination')
    members = [coordination.PartitionCoordinator(conf, 'm%d' % i)
               for i in range(3)]
    alarms = [fakes.make_alarm() for _ in range(60)]
    try:
        for m in members:
            m.start()
        shares = [m.extract_my_subset(alarms) for m in members]
        assert [count for _, count in shares] == [3, 3, 3]
        ids = [a.alarm_id for share, _ in shares for a in share]
        assert sorted(ids) == sorted(a.alarm_id for a in alarms)
        assert all(share for share, _ in shares)
        members[1].stop()
        rest = [m.extract_my_subset(alarms) for m in (members[0],
                                                      members[2])]
        ids = [a.alarm_id for share, _ in rest for a in share]
        assert sorted(ids) == sorted(a.alarm_id for a in alarms)
        # Consistent hashing: the survivors keep what they had.
        for (before, _), (after, _) in zip((shares[0], shares[2]), rest):
            assert set(a.alarm_id for a in before) <= set(
                a.alarm_id for a in after)
    finally:
        for m in members:
            m.stop()


def test_cycle_evaluates_operands_first_and_survives_failures(conf):
    hot = fakes.make_alarm(state='ok')
    broken = fakes.make_alarm(state='ok', rule={'query': [
        {'field': 'resource_id', 'op': 'eq', 'value': 'vm-broken'}]})
    combo = fakes.make_alarm(type='combination', state='ok', rule={
        'operator': 'and', 'alarm_ids': [hot.alarm_id]})
    disabled = fakes.make_alarm(state='ok', enabled=False)
    store = fakes.AlarmStore(combo, hot, broken, disabled)

    class Metering(fakes.MeteringStore):
        def get_meter_statistics(self, sample_filter, period=None,
                                 groupby=None, aggregate=None):
            # The grouped read of prepare() fails too: alarms fall back
            # to a query each.
            if groupby or sample_filter.resource == 'vm-broken':
                raise RuntimeError('boom')
            return [fakes.stat(90.0)]

    notifier = fakes.Notifier()
    evaluation = alarm_service.AlarmEvaluationService(
        conf, store, Metering(), notifier,
        coordination.PartitionCoordinator(conf))
    evaluated = evaluation.evaluate_cycle(NOW)
    assert set(evaluated) == {hot.alarm_id, broken.alarm_id,
                              combo.alarm_id}
    assert evaluated.index(combo.alarm_id) == 2
    assert store.state(hot.alarm_id) == 'alarm'
    assert store.state(combo.alarm_id) == 'alarm'   # in the same cycle
    assert store.state(broken.alarm_id) == 'ok'
    assert store.state(disabled.alarm_id) == 'ok'
