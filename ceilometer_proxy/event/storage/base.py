"""The interface every event storage driver serves.

The collector writes batches of models.Event through ``record_events``;
the API reads them back through the ``get_*`` methods; housekeeping
expires them.
"""

from ceilometer_proxy.storage import base as storage_base

_NO_FEATURES = {'events': {'query': {'simple': False}}}


class Connection(storage_base.Driver):
    """Base class of event storage drivers."""

    CAPABILITIES = _NO_FEATURES

    def record_events(self, events):
        """Store models.Event; return how many were new.

        Events whose ``message_id`` is already stored are skipped, so a
        redelivered batch is harmless. When the store refuses some events
        the error raised carries ``refused_ids`` and ``new_count``.
        """
        raise NotImplementedError()

    def get_events(self, event_filter, limit=None):
        """Return the models.Event matching an EventFilter, newest first
        (ties by message id), at most ``limit``."""
        raise NotImplementedError()

    def get_event_types(self):
        """Return the event types stored, sorted."""
        raise NotImplementedError()

    def get_trait_types(self, event_type):
        """Return ``{'name': ..., 'data_type': ...}`` for every trait name
        and type seen on events of ``event_type``, sorted by name."""
        raise NotImplementedError()

    def get_traits(self, event_type, trait_name=None):
        """Return the models.Trait of every event of ``event_type``
        (only those named ``trait_name`` when given)."""
        raise NotImplementedError()

    def clear_expired_event_data(self, ttl):
        """Delete events generated more than ``ttl`` seconds ago; return
        the count."""
        raise NotImplementedError()
