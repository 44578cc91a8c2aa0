"""Alarm evaluators: decide an alarm's state, record it and notify.

One evaluator per alarm type (``threshold``, ``combination``). The service
hands each evaluator the alarms of one cycle twice: ``prepare()`` once with
all of them, so an evaluator can batch its store reads (one statistics query
for many threshold alarms), then ``evaluate()`` per alarm. Every evaluation
of a cycle uses the same ``now``, which is what lets alarms share windows.

State changes go straight to the alarm store, shaped exactly like the API's
``PUT /v2/alarms/<id>/state``: the state and ``state_timestamp`` change and
a ``state transition`` history event with detail ``{"state": ...}`` is
recorded on behalf of the alarm's project.
"""

import abc
import datetime
import json
import uuid
import zoneinfo

import croniter
from oslo_log import log

from ceilometer_proxy.alarm.storage import models
from ceilometer_proxy import utils

LOG = log.getLogger(__name__)

UNKNOWN = models.Alarm.STATE_INSUFFICIENT_DATA
OK = models.Alarm.STATE_OK
ALARM = models.Alarm.STATE_ALARM

# A cron start matches "now" for this long: cron has minute precision.
CRON_PRECISION = datetime.timedelta(seconds=60)


def within_time_constraints(alarm, now):
    """Whether ``now`` (naive UTC) falls in one of the alarm's windows.

    An alarm without time constraints is always evaluated. A window starts
    at each occurrence of the constraint's cron expression, in its
    timezone (UTC when empty), and lasts ``duration`` seconds.
    """
    if not alarm.time_constraints:
        return True
    now_utc = now.replace(tzinfo=datetime.timezone.utc)
    return any(_within(tc, now_utc) for tc in alarm.time_constraints)


def _within(constraint, now_utc):
    zone = (zoneinfo.ZoneInfo(constraint['timezone'])
            if constraint.get('timezone') else datetime.timezone.utc)
    local_now = now_utc.astimezone(zone)
    # A start in the last minute counts even with a zero duration;
    # croniter's get_prev alone would skip the start we are standing on.
    recent = croniter.croniter(constraint['start'],
                               local_now - CRON_PRECISION)
    if recent.get_next(datetime.datetime) <= local_now:
        return True
    latest = croniter.croniter(constraint['start'],
                               local_now).get_prev(datetime.datetime)
    duration = datetime.timedelta(seconds=constraint['duration'])
    return latest <= local_now <= latest + duration


class Evaluator(metaclass=abc.ABCMeta):
    """Base of the evaluators of one alarm type.

    :param conf: the service's ConfigOpts (``[alarm] record_history``).
    :param alarm_conn: the alarm storage driver.
    :param notifier: what runs the actions (notifier.AlarmNotifier); None
                     runs none.
    """

    def __init__(self, conf, alarm_conn, notifier):
        self.conf = conf
        self.alarm_conn = alarm_conn
        self.notifier = notifier

    def prepare(self, alarms, now, known):
        """Called once per cycle before any evaluate().

        :param alarms: the alarms of this type this process evaluates.
        :param now: the cycle's time (naive UTC).
        :param known: {alarm_id: Alarm} of every enabled alarm, whoever
                      evaluates it (combination rules read it).
        """

    @abc.abstractmethod
    def evaluate(self, alarm, now):
        """Evaluate one alarm at ``now``, refreshing its state if needed.

        Store errors propagate: the service logs them and the alarm keeps
        its state until the next cycle.
        """

    def refresh(self, alarm, state, reason, reason_data, now):
        """Move ``alarm`` to ``state`` (if it is not there) and notify.

        The alarm is read again by id before the write, so that changes a
        user made through the API meanwhile are kept; an alarm deleted or
        disabled meanwhile is left alone.
        """
        previous = alarm.state
        if previous != state:
            LOG.info('alarm %s transitioning to %s because %s',
                     alarm.alarm_id, state, reason)
            if not self._store_state(alarm, state, now):
                return
        alarm.state = state
        if self.notifier is not None:
            self.notifier.notify(alarm, previous, reason, reason_data)

    def _store_state(self, alarm, state, now):
        found = self.alarm_conn.get_alarms(alarm_id=alarm.alarm_id)
        if not found or not found[0].enabled:
            LOG.info('alarm %s was deleted or disabled meanwhile',
                     alarm.alarm_id)
            return False
        fresh = found[0]
        stamp = utils.to_millis(now)
        if fresh.state != state:
            fresh.state = state
            fresh.state_timestamp = stamp
            if self.alarm_conn.update_alarm(fresh) is None:
                return False
            alarm.state_timestamp = stamp
        self._record_transition(fresh, state, stamp)
        return True

    def _record_transition(self, alarm, state, stamp):
        if not self.conf.alarm.record_history:
            return
        self.alarm_conn.record_alarm_change({
            'event_id': str(uuid.uuid4()),
            'alarm_id': alarm.alarm_id,
            'type': models.AlarmChange.STATE_TRANSITION,
            'detail': json.dumps({'state': state}),
            # Nobody signed in made this change: the service did.
            'user_id': None,
            'project_id': None,
            'on_behalf_of': alarm.project_id,
            'severity': alarm.severity,
            'timestamp': stamp})
