"""The interface every alarm storage driver serves.

The API reads and writes alarms only through it; an evaluator needs no
more than ``get_alarms(enabled=True)`` to find its work and
``update_alarm`` plus ``record_alarm_change`` to move an alarm to a new
state with a history entry.
"""

from ceilometer_proxy.storage import base as storage_base

_NO_FEATURES = {
    'alarms': {'query': {'simple': False, 'complex': False},
               'history': {'query': {'simple': False, 'complex': False}}},
}


class Connection(storage_base.Driver):
    """Base class of alarm storage drivers."""

    CAPABILITIES = _NO_FEATURES

    def get_alarms(self, name=None, user=None, state=None, meter=None,
                   project=None, enabled=None, alarm_id=None,
                   alarm_type=None, severity=None, exclude=None,
                   limit=None, sort=None):
        """Return the models.Alarm matching every given filter.

        :param meter: the meter name of a threshold rule.
        :param exclude: {field: value} pairs the alarms must not have.
        :param limit: at most this many alarms.
        :param sort: (field, 'asc'|'desc') pairs; newest change first when
                     not given.
        """
        raise NotImplementedError()

    def create_alarm(self, alarm):
        """Store a new models.Alarm and return it as stored."""
        raise NotImplementedError()

    def update_alarm(self, alarm):
        """Replace the stored alarm of ``alarm.alarm_id``; return it as
        stored, or None when there is no such alarm."""
        raise NotImplementedError()

    def delete_alarm(self, alarm_id):
        """Delete an alarm; its history is kept."""
        raise NotImplementedError()

    def record_alarm_change(self, alarm_change):
        """Store one history event (a dict of models.AlarmChange fields)."""
        raise NotImplementedError()

    def get_alarm_changes(self, alarm_id, on_behalf_of, user=None,
                          project=None, alarm_type=None, severity=None,
                          start_timestamp=None, start_timestamp_op=None,
                          end_timestamp=None, end_timestamp_op=None,
                          limit=None, sort=None):
        """Return the models.AlarmChange of an alarm, newest first.

        :param on_behalf_of: the project a scoped caller may see changes
                             made on behalf of; None for every project.
        :param user: who made the change.
        :param project: the project of who made the change.
        :param alarm_type: the change type (creation, rule change, ...).
        :param sort: (field, 'asc'|'desc') pairs replacing newest-first.
        """
        raise NotImplementedError()

    def query_alarms(self, filter_expr=None, orderby=None, limit=None):
        """Return models.Alarm matching a complex-query expression."""
        raise NotImplementedError()

    def query_alarm_history(self, filter_expr=None, orderby=None,
                            limit=None):
        """Return models.AlarmChange matching a complex-query expression."""
        raise NotImplementedError()
