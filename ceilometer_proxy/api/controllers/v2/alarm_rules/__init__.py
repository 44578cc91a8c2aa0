"""Alarm rule types: one WSME type per alarm ``type``.

A rule type validates itself (WSME calls ``validate``), then checks the
alarm around it (``validate_alarm``, e.g. the owner's project) and may
refuse an update (``update_hook``). ``default_description`` is the
alarm's description when the client gives none.
"""

from ceilometer_proxy.api.controllers.v2 import base


class AlarmRule(base.Base):
    """Base of the alarm rule types."""

    @staticmethod
    def validate_alarm(alarm):
        """Check the rule against the whole alarm (owner known)."""

    @staticmethod
    def update_hook(alarm):
        """Check an updated alarm (its id known)."""

    @property
    def default_description(self):
        raise NotImplementedError()

    def as_dict(self):
        """The rule as stored (``rule`` of the storage model)."""
        raise NotImplementedError()
