"""What a region driver hands back is checked before the cascading level
uses it.

A region is another service, and it can answer anything: an HTML error
page with status 200, a truncated body, JSON of the wrong shape (``[]``
where an alarm belongs, a number where a timestamp belongs). The merge,
routing and alarm-table code trusts the shapes of base.RegionDriver; a
wrong one would fail deep inside with a TypeError, and the client would
get a 500 for the region's fault. So every driver comes wrapped in a
Checked driver: each answer is checked against the shape its method
promises (below), and an answer that cannot be read, or does not have
that shape, makes the region *unavailable* for this call
(errors.RegionUnavailable: 503, or a partial answer that names the
region, like any other region failure). The traceback of an answer that
broke a driver goes to the log, never to the client.
"""

import datetime
import numbers

from oslo_log import log

from ceilometer_proxy.alarm.storage import models
from ceilometer_proxy.cascading import errors

LOG = log.getLogger(__name__)

# Exceptions a driver raises when it reads an answer it cannot make sense
# of (a missing key, a list where a dict was expected, text that is not a
# timestamp).
UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, IndexError,
              OverflowError, UnicodeError)


class Unusable(Exception):
    """An answer that does not have the promised shape."""


def _is(kind, value):
    optional = kind.endswith('?')
    kind = kind.rstrip('?')
    if value is None:
        return optional
    if kind == 'text':
        return isinstance(value, str)
    if kind == 'number':
        return isinstance(value, numbers.Real) and not isinstance(value,
                                                                  bool)
    if kind == 'time':
        return isinstance(value, datetime.datetime)
    if kind == 'stamp':  # parsed, or ISO text passed through
        return isinstance(value, (datetime.datetime, str))
    if kind == 'object':
        return isinstance(value, dict)
    if kind == 'list':
        return isinstance(value, list)
    raise AssertionError('unknown kind %s' % kind)


def shaped(what, fields):
    """A check that the value is an object with ``fields`` ({name: kind},
    kind one of text, number, time, stamp, object, list, with ``?`` when it may
    be missing or null)."""
    def check(value):
        if not isinstance(value, dict):
            raise Unusable('%s is not an object' % what)
        for name, kind in fields.items():
            if not _is(kind, value.get(name)):
                raise Unusable('%s has no usable %s (%r)'
                               % (what, name, value.get(name)))
    return check


def each(check):
    def check_all(value):
        if not isinstance(value, list):
            raise Unusable('a list was expected')
        for item in value:
            check(item)
    return check_all


def optional(check):
    def check_optional(value):
        if value is not None:
            check(value)
    return check_optional


def state(value):
    if value not in models.Alarm.STATES:
        raise Unusable('%r is not an alarm state' % (value,))


SAMPLE = shaped('a sample', {'timestamp': 'time', 'resource_id': 'text?'})
STATISTICS = shaped('a statistics bucket', {
    'period_start': 'time?', 'period_end': 'time?', 'duration_start': 'time?',
    'duration_end': 'time?', 'groupby': 'object?', 'count': 'number?',
    'period': 'number?', 'duration': 'number?', 'aggregate': 'object?'})
# The same shapes as the region's JSON has them, timestamps still text:
# what a passed-through answer (cascading/passthrough.py) is checked for.
RAW_SAMPLE = shaped('a sample', {'timestamp': 'stamp',
                                 'resource_id': 'text?'})
RAW_STATISTICS = shaped('a statistics bucket', {
    'period_start': 'stamp?', 'period_end': 'stamp?',
    'duration_start': 'stamp?', 'duration_end': 'stamp?',
    'groupby': 'object?', 'count': 'number?', 'period': 'number?',
    'duration': 'number?', 'aggregate': 'object?'})
RESOURCE = shaped('a resource', {
    'resource_id': 'text', 'project_id': 'text?', 'user_id': 'text?',
    'first_sample_timestamp': 'time?', 'last_sample_timestamp': 'time?',
    'metadata': 'object?', 'meter_names': 'list?'})
METER = shaped('a meter', {'name': 'text', 'resource_id': 'text?',
                           'project_id': 'text?', 'user_id': 'text?'})
ALARM = shaped('an alarm', {
    'alarm_id': 'text', 'name': 'text', 'type': 'text', 'rule': 'object',
    'state': 'text', 'project_id': 'text?', 'user_id': 'text?',
    'timestamp': 'time?', 'state_timestamp': 'time?'})
CHANGE = shaped('an alarm change', {'event_id': 'text?', 'type': 'text?',
                                    'detail': 'text?', 'timestamp': 'stamp?',
                                    'alarm_id': 'text?'})


def alarm(value):
    ALARM(value)
    state(value['state'])


# The shape each RegionDriver method promises.
CHECKS = {
    'samples': each(SAMPLE),
    'sample': optional(SAMPLE),
    'statistics': each(STATISTICS),
    'resources': each(RESOURCE),
    'resource': optional(RESOURCE),
    'meters': each(METER),
    'create_alarm': alarm,
    'get_alarm': alarm,
    'update_alarm': alarm,
    'list_alarms': each(alarm),
    'alarm_state': state,
    'set_alarm_state': state,
    'alarm_history': each(CHANGE),
}


class Checked(object):
    """A region driver whose answers are checked (see the module)."""

    def __init__(self, driver):
        self.driver = driver

    def __getattr__(self, name):
        attr = getattr(self.driver, name)
        if name.startswith('_') or name == 'close' or not callable(attr):
            return attr
        return self._checked(name, attr)

    def _checked(self, name, method):
        check = CHECKS.get(name)
        region = self.driver.region

        def call(*args, **kwargs):
            try:
                result = method(*args, **kwargs)
                if check is not None:
                    check(result)
                return result
            except errors.CascadingError:
                raise
            except Unusable as err:
                LOG.warning('Region %s: the answer to %s is unusable: %s',
                            region, name, err)
                raise errors.RegionUnavailable(
                    region, 'its answer is unusable: %s' % err)
            except UNREADABLE as err:
                LOG.warning('Region %s: the answer to %s could not be read',
                            region, name, exc_info=True)
                raise errors.RegionUnavailable(
                    region, 'its answer could not be read (%s)'
                    % type(err).__name__)
        call.__name__ = name
        return call
