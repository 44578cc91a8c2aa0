"""Counters, their report file and rate-limited warnings."""

import json
import logging
import os

from ceilometer_proxy.collector import stats


class Clock(object):
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_counters_add_and_snapshot():
    counters = stats.Counters()
    counters.add(stats.RECEIVED, 3)
    counters.dropped('bad_signature')
    counters.dropped('bad_signature', 2)
    snap = counters.snapshot()
    assert snap[stats.RECEIVED] == 3
    assert snap['dropped.bad_signature'] == 3
    assert snap[stats.STORED] == 0


def test_rate_limited_warnings(caplog):
    clock = Clock()
    limited = stats.RateLimitedLog(interval=10, clock=clock)
    with caplog.at_level(logging.WARNING):
        assert limited.warning('a', 'first %d', 1)
        assert not limited.warning('a', 'second %d', 2)
        assert not limited.warning('a', 'third %d', 3)
        assert limited.warning('b', 'other key')
        clock.now += 10
        assert limited.warning('a', 'fourth %d', 4)
    text = caplog.text
    assert 'first 1' in text and 'other key' in text
    assert 'second' not in text and 'third' not in text
    assert 'fourth 4 (2 similar warnings suppressed)' in text


def test_reporter_writes_the_file(tmp_path):
    counters = stats.Counters()
    path = str(tmp_path / 'stats.json')
    reporter = stats.Reporter(counters, interval=0.05, path=path)
    reporter.start()
    counters.add(stats.STORED, 5)
    reporter.stop()
    with open(path) as f:
        assert json.load(f)[stats.STORED] == 5
    assert os.listdir(str(tmp_path)) == ['stats.json']
