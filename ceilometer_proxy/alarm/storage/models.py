"""The records alarm storage drivers hand to the API (and an evaluator)."""

from ceilometer_proxy.storage import models


class Alarm(models.Model):
    """An alarm definition with its current state.

    ``rule`` holds the fields of the rule of ``type`` (``threshold``:
    meter_name, query, period, ...; ``combination``: alarm_ids, operator).
    """

    FIELDS = ('alarm_id', 'type', 'enabled', 'name', 'description',
              'timestamp', 'user_id', 'project_id', 'state',
              'state_timestamp', 'ok_actions', 'alarm_actions',
              'insufficient_data_actions', 'repeat_actions', 'rule',
              'time_constraints', 'severity')

    STATE_OK = 'ok'
    STATE_ALARM = 'alarm'
    STATE_INSUFFICIENT_DATA = 'insufficient data'
    STATES = (STATE_OK, STATE_ALARM, STATE_INSUFFICIENT_DATA)
    SEVERITIES = ('low', 'moderate', 'critical')

    # Which list of actions runs on entering a state.
    ACTIONS_OF_STATE = {STATE_OK: 'ok_actions',
                        STATE_ALARM: 'alarm_actions',
                        STATE_INSUFFICIENT_DATA: 'insufficient_data_actions'}


class AlarmChange(models.Model):
    """One event of an alarm's history.

    ``detail`` is JSON text (the fields that changed); ``user_id`` and
    ``project_id`` name who made the change, ``on_behalf_of`` the project
    owning the alarm, which is what scoped callers see history by.
    """

    FIELDS = ('event_id', 'alarm_id', 'type', 'detail', 'user_id',
              'project_id', 'on_behalf_of', 'severity', 'timestamp')

    CREATION = 'creation'
    RULE_CHANGE = 'rule change'
    STATE_TRANSITION = 'state transition'
    DELETION = 'deletion'
    TYPES = (CREATION, RULE_CHANGE, STATE_TRANSITION, DELETION)
