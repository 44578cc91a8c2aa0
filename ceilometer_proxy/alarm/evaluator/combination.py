"""Combination alarms: the states of other alarms joined by and/or.

The states come from the cycle's snapshot of enabled alarms, which the
threshold evaluations of this process have already updated in memory (the
service evaluates threshold alarms first), so a combination follows its
operands within the same cycle when one process evaluates them all. An
operand that is disabled is read by id; one that was deleted counts as
unknown.
"""

from oslo_log import log

from ceilometer_proxy.alarm import evaluator

LOG = log.getLogger(__name__)

OPERATORS = {'and': all, 'or': any}


class CombinationEvaluator(evaluator.Evaluator):
    """Evaluates ``combination`` alarms."""

    def __init__(self, conf, alarm_conn, notifier):
        super().__init__(conf, alarm_conn, notifier)
        self._known = {}
        self._read = {}

    def prepare(self, alarms, now, known):
        self._known = known
        self._read = {}

    def _state_of(self, alarm_id):
        alarm = self._known.get(alarm_id)
        if alarm is None:
            if alarm_id not in self._read:
                found = self.alarm_conn.get_alarms(alarm_id=alarm_id)
                self._read[alarm_id] = found[0] if found else None
            alarm = self._read[alarm_id]
        return alarm.state if alarm is not None else None

    def evaluate(self, alarm, now):
        if not evaluator.within_time_constraints(alarm, now):
            LOG.debug('alarm %s is outside its time constraints',
                      alarm.alarm_id)
            return
        states = [(alarm_id, self._state_of(alarm_id))
                  for alarm_id in alarm.rule['alarm_ids']]
        if self._sufficient(alarm, states, now):
            self._transition(alarm, states, now)

    def _sufficient(self, alarm, states, now):
        """Every operand must have a known state, except that one operand
        in alarm is enough for ``or``."""
        missing = [alarm_id for alarm_id, state in states
                   if state in (None, evaluator.UNKNOWN)]
        if not missing:
            return True
        if alarm.rule['operator'] == 'or' and any(
                state == evaluator.ALARM for _, state in states):
            return True
        if alarm.state != evaluator.UNKNOWN:
            self.refresh(alarm, evaluator.UNKNOWN,
                         'Alarms %s are in unknown state' % ','.join(missing),
                         reason_data(missing), now)
        return False

    def _transition(self, alarm, states, now):
        join = OPERATORS[alarm.rule['operator']]
        alarming = join(state == evaluator.ALARM for _, state in states)
        state = evaluator.ALARM if alarming else evaluator.OK
        if alarm.state == state and not alarm.repeat_actions:
            return
        reporting = [alarm_id for alarm_id, s in states if s == state]
        verb = 'Transition to' if alarm.state != state else 'Remaining as'
        reason = ('%s %s due to alarms %s in state %s'
                  % (verb, state, ','.join(reporting), state))
        self.refresh(alarm, state, reason, reason_data(reporting), now)


def reason_data(alarm_ids):
    return {'type': 'combination', 'alarm_ids': alarm_ids}
