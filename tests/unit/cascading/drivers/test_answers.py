"""Region answers checked at the driver seam (drivers/answers.py)."""

import datetime

import pytest

from ceilometer_proxy.cascading.drivers import answers
from ceilometer_proxy.cascading import errors

T = datetime.datetime(2026, 1, 1)
ALARM = {'alarm_id': 'a1', 'name': 'n', 'type': 'threshold', 'rule': {},
         'state': 'ok', 'project_id': 'p', 'user_id': None,
         'timestamp': T, 'state_timestamp': None}


class FakeDriver(object):
    name = 'fake'
    region = 'r1'

    def __init__(self, answer=None, raises=None):
        self.answer = answer
        self.raises = raises
        self.closed = False

    def _reply(self):
        if self.raises is not None:
            raise self.raises
        return self.answer

    def get_alarm(self, caller, alarm_id):
        return self._reply()

    def samples(self, caller, meter, query, limit):
        return self._reply()

    def alarm_state(self, caller, alarm_id):
        return self._reply()

    def delete_alarm(self, caller, alarm_id):
        return self._reply()

    def close(self):
        self.closed = True


def checked(**kwargs):
    return answers.Checked(FakeDriver(**kwargs))


def test_a_good_answer_passes_unchanged():
    assert checked(answer=ALARM).get_alarm(None, 'a1') is ALARM
    good = [{'timestamp': T, 'resource_id': 'r'}]
    assert checked(answer=good).samples(None, 'm', [], None) == good


@pytest.mark.parametrize('answer', [
    None, [], 'ok', 7, dict(ALARM, alarm_id=7), dict(ALARM, state='fine'),
    dict(ALARM, rule=None), dict(ALARM, timestamp='2026-01-01'),
    {k: v for k, v in ALARM.items() if k != 'name'}])
def test_an_alarm_of_the_wrong_shape_is_the_regions_failure(answer):
    with pytest.raises(errors.RegionUnavailable) as err:
        checked(answer=answer).get_alarm(None, 'a1')
    assert err.value.region == 'r1'
    assert 'unusable' in err.value.reason


@pytest.mark.parametrize('answer', [
    {}, [{}], [{'timestamp': None}], [{'timestamp': T, 'resource_id': 3}],
    [7]])
def test_samples_of_the_wrong_shape(answer):
    with pytest.raises(errors.RegionUnavailable):
        checked(answer=answer).samples(None, 'm', [], None)


def test_a_state_must_be_an_alarm_state():
    assert checked(answer='alarm').alarm_state(None, 'a') == 'alarm'
    with pytest.raises(errors.RegionUnavailable):
        checked(answer=['ok']).alarm_state(None, 'a')


@pytest.mark.parametrize('raised', [
    KeyError('alarm_id'), TypeError('list indices'), ValueError('not ISO'),
    AttributeError('get'), IndexError('0'), OverflowError('big')])
def test_an_answer_that_breaks_the_driver_is_the_regions_failure(raised):
    with pytest.raises(errors.RegionUnavailable) as err:
        checked(raises=raised).get_alarm(None, 'a1')
    assert type(raised).__name__ in err.value.reason


def test_cascading_errors_pass_through_and_unchecked_methods_too():
    refusal = errors.RegionHTTPError('r1', 404, 'gone')
    with pytest.raises(errors.RegionHTTPError):
        checked(raises=refusal).get_alarm(None, 'a1')
    assert checked(answer=None).delete_alarm(None, 'a1') is None
    driver = checked()
    assert (driver.name, driver.region) == ('fake', 'r1')
    driver.close()
    assert driver.driver.closed
