"""Parallel fan-out, its concurrency cap and the partial-results policy."""

import threading
import time

import pytest

from ceilometer_proxy.cascading import caller
from ceilometer_proxy.cascading import context
from ceilometer_proxy.cascading import errors
from ceilometer_proxy.cascading import fanout
from tests.unit.cascading import helpers


def test_regions_are_called_in_parallel():
    conf = helpers.make_conf(max_parallel_regions=8)
    started = time.monotonic()
    out = fanout.fan_out(['a', 'b', 'c', 'd'],
                         lambda r: time.sleep(0.3) or r.upper(), conf)
    assert time.monotonic() - started < 0.9
    assert out.results == {'a': 'A', 'b': 'B', 'c': 'C', 'd': 'D'}
    assert out.failures == {}


def test_at_most_max_parallel_regions_at_once():
    conf = helpers.make_conf(max_parallel_regions=2)
    lock = threading.Lock()
    state = {'now': 0, 'peak': 0}

    def call(region):
        with lock:
            state['now'] += 1
            state['peak'] = max(state['peak'], state['now'])
        time.sleep(0.05)
        with lock:
            state['now'] -= 1

    fanout.fan_out(list('abcdef'), call, conf)
    assert state['peak'] == 2


def _failing(names):
    def call(region):
        if region in names:
            raise errors.RegionUnavailable(region, 'down')
        return region
    return call


def test_failures_raise_503_without_partial_results():
    conf = helpers.make_conf(partial_results=False)
    out = fanout.fan_out(['a', 'b', 'c'], _failing({'c', 'b'}), conf)
    assert out.results == {'a': 'a'}
    with pytest.raises(errors.RegionsUnavailable) as caught:
        out.settle(conf)
    assert caught.value.regions == ['b', 'c']


def test_partial_results_report_the_missing_regions():
    conf = helpers.make_conf(partial_results=True)
    out = fanout.fan_out(['a', 'b', 'c'], _failing({'c'}), conf)
    assert out.settle(conf) == ['c']


def test_partial_results_still_fail_when_nothing_answered():
    conf = helpers.make_conf(partial_results=True)
    out = fanout.fan_out(['a', 'b'], _failing({'a', 'b'}), conf)
    with pytest.raises(errors.RegionsUnavailable):
        out.settle(conf)


def test_a_region_4xx_is_raised_as_it_is():
    conf = helpers.make_conf(partial_results=True)

    def call(region):
        if region == 'b':
            raise errors.RegionHTTPError('b', 400, 'bad')
        return region

    out = fanout.fan_out(['a', 'b'], call, conf)
    with pytest.raises(errors.RegionHTTPError):
        out.settle(conf)


def test_other_exceptions_propagate():
    conf = helpers.make_conf()
    with pytest.raises(ZeroDivisionError):
        fanout.fan_out(['a', 'b'], lambda r: 1 / 0, conf)


def test_context_collects_missing_regions():
    conf = helpers.make_conf(partial_results=True)
    ctx = context.CascadingContext(conf, caller.Caller(), None, None)
    ctx.fan_out(['a', 'b', 'c'], _failing({'c'}))
    ctx.fan_out(['a', 'b'], _failing({'a'}))
    assert ctx.missing_regions == ['a', 'c']
