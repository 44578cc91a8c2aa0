"""The alarm evaluation service: a periodic loop over the enabled alarms.

Every ``[alarm] evaluation_interval`` seconds a cycle reads the enabled
alarms once, keeps this member's share of them (coordination), lets each
evaluator prepare its reads for the whole share, then evaluates threshold
alarms before combination alarms (so combinations see this cycle's
states). One alarm failing, or its webhook hanging, never stops the
others: errors are logged per alarm and actions run on the notifier's
threads.
"""

import collections
import threading
import time

from oslo_config import cfg
from oslo_log import log

from ceilometer_proxy.alarm.evaluator import combination
from ceilometer_proxy.alarm.evaluator import threshold
from ceilometer_proxy import storage
from ceilometer_proxy import utils

LOG = log.getLogger(__name__)

OPTS = [
    cfg.IntOpt('evaluation_interval', default=60, min=1,
               help='Seconds between evaluation cycles; should be no '
                    'shorter than the interval at which the underlying '
                    'meters are collected.'),
]

# Operands before the alarms combining them.
EVALUATION_ORDER = ('threshold', 'combination')


class AlarmEvaluationService(object):
    """Evaluates this member's alarms every cycle.

    :param conf: the service's ConfigOpts.
    :param alarm_conn: the alarm storage driver.
    :param metering_conn: the metering storage driver (statistics).
    :param notifier: runs the actions (notifier.AlarmNotifier) or None.
    :param coordinator: coordination.PartitionCoordinator.
    """

    def __init__(self, conf, alarm_conn, metering_conn, notifier,
                 coordinator):
        self.conf = conf
        self.alarm_conn = alarm_conn
        self.notifier = notifier
        self.coordinator = coordinator
        self.evaluators = {
            'threshold': threshold.ThresholdEvaluator(
                conf, alarm_conn, notifier, metering_conn),
            'combination': combination.CombinationEvaluator(
                conf, alarm_conn, notifier),
        }
        self.cycle = 0
        self._stopping = threading.Event()

    def evaluate_cycle(self, now=None):
        """Run one cycle; return the ids of the alarms evaluated.

        :param now: the cycle's time (naive UTC); the current time when
                    not given.
        """
        now = now or utils.utcnow()
        self.cycle += 1
        try:
            alarms = self.alarm_conn.get_alarms(enabled=True)
        except storage.StorageError as err:
            LOG.error('Evaluation cycle %d skipped, alarms unreadable: %s',
                      self.cycle, err)
            return []
        mine, members = self.coordinator.extract_my_subset(alarms)
        LOG.info('Evaluation cycle %d: %d of %d alarms assigned, '
                 '%d members', self.cycle, len(mine), len(alarms), members)
        by_type = collections.defaultdict(list)
        for alarm in mine:
            by_type[alarm.type].append(alarm)
        known = {alarm.alarm_id: alarm for alarm in alarms}
        evaluated = []
        for kind in EVALUATION_ORDER:
            if not by_type[kind]:
                continue
            evaluator = self.evaluators[kind]
            try:
                evaluator.prepare(by_type[kind], now, known)
            except Exception:  # each alarm then reads its own data
                LOG.exception('Preparing the %s alarms failed', kind)
            for alarm in by_type[kind]:
                self._evaluate(evaluator, alarm, now)
                evaluated.append(alarm.alarm_id)
        for kind in set(by_type) - set(EVALUATION_ORDER):
            LOG.debug('skipping %d alarms of unsupported type %s',
                      len(by_type[kind]), kind)
        return evaluated

    def _evaluate(self, evaluator, alarm, now):
        # One line per alarm and cycle: shows who evaluated what.
        LOG.debug('cycle %d: evaluating alarm %s', self.cycle,
                  alarm.alarm_id)
        try:
            evaluator.evaluate(alarm, now)
        except Exception:  # one broken alarm must not stop the cycle
            LOG.exception('Failed to evaluate alarm %s', alarm.alarm_id)

    def _heartbeat(self):
        interval = self.coordinator.heartbeat_interval
        while not self._stopping.wait(interval):
            self.coordinator.heartbeat()

    def run(self):
        """Evaluate every interval until stop(); then leave the group and
        let queued actions finish."""
        interval = self.conf.alarm.evaluation_interval
        self.coordinator.start()
        delay = 0
        if self.coordinator.enabled:
            threading.Thread(target=self._heartbeat, name='heartbeat',
                             daemon=True).start()
            # Let the other members see this one before it takes a share.
            delay = min(interval, 2 * self.coordinator.heartbeat_interval)
        due = time.monotonic() + delay
        try:
            while not self._stopping.wait(max(0.0, due - time.monotonic())):
                due = max(due + interval, time.monotonic())
                self.evaluate_cycle()
        finally:
            self.coordinator.stop()
            if self.notifier is not None:
                self.notifier.shutdown(wait=True)
        LOG.info('Alarm evaluator stopped after %d cycles', self.cycle)

    def stop(self):
        """Ask run() to return after the current cycle."""
        self._stopping.set()
