"""The questions the cascading level asks of a region.

Every method takes the Caller on whose behalf it is asked; ids are those
the region knows (the cascading level translates them), queries are lists
of validated ``{'field', 'op', 'value', 'type'}`` dicts (``typed_value``
added for metadata terms), aggregates are ``(func, param)`` pairs, and
alarms are in the storage shape of ``alarm.storage.models.Alarm`` with a
Ceilometer v2 rule (``threshold``: meter_name, query, period, statistic,
...; ``combination``: alarm_ids, operator), whatever the region keeps.
Timestamps are answered parsed (naive UTC datetimes).

A question a region's kind cannot answer at all raises RegionCannotAnswer;
one it cannot answer *exactly* raises InvalidRequest naming the region and
what it lacks: the cascading level never answers with invented numbers.
"""

from ceilometer_proxy.cascading import errors


class RegionDriver(object):
    """One region, reached through its own API.

    :param region: the region name.
    :param registry: the RegionRegistry giving its endpoints.
    :param conf: the service's ConfigOpts.
    """

    #: The entry-point name of the driver.
    name = None
    #: Whether the region's statistics periods start at multiples of the
    #: period (Gnocchi's buckets are aligned to the epoch): a fan-out that
    #: chooses a common period start for several regions then aligns it.
    aligned_periods = False
    #: Whether the region answers the v2 API itself, so that the bytes of
    #: its samples and statistics can be handed on (raw_samples,
    #: raw_statistics; cascading/passthrough.py).
    passes_bytes = False

    def __init__(self, region, registry, conf):
        self.region = region
        self.registry = registry
        self.conf = conf

    def close(self):
        """Release the driver's connections."""

    # -- metering -----------------------------------------------------------

    def samples(self, caller, meter, query, limit):
        """Samples newest first; ``meter`` None for every meter."""
        raise NotImplementedError

    def sample(self, caller, sample_id):
        """One sample by id, or None."""
        raise NotImplementedError

    def statistics(self, caller, meter, query, period, groupby, aggregates):
        """Statistics dicts in the v2 shape.

        :param period: seconds, or 0/None for one period over the query.
        :param groupby: field names (resource_id, project_id, user_id...).
        :param aggregates: (func, param) pairs; empty for the standard set.
        """
        raise NotImplementedError

    def raw_samples(self, caller, meter, query, limit):
        """The v2 JSON bytes of samples (``passes_bytes`` drivers)."""
        raise NotImplementedError

    def raw_statistics(self, caller, meter, query, params):
        """The v2 JSON bytes of statistics (``passes_bytes`` drivers).

        :param params: (key, value) pairs sent after the query: period,
            groupby, aggregate.func, aggregate.param as the caller gave
            them.
        """
        raise NotImplementedError

    def resources(self, caller, query, limit):
        """Resource dicts in the v2 shape (``links`` left out)."""
        raise NotImplementedError

    def resource(self, caller, resource_id):
        """One resource dict, or None."""
        raise NotImplementedError

    def meters(self, caller, query, limit):
        """Meter dicts in the v2 shape."""
        raise NotImplementedError

    # -- events -------------------------------------------------------------
    # Event answers are the v2 API's decoded JSON (events, trait
    # descriptions, traits); kinds of region that keep no events keep
    # these defaults.

    def events(self, caller, query, limit):
        """Event dicts newest first; ``query`` holds event_type,
        message_id, start/end_timestamp and typed trait terms."""
        raise self._no_events()

    def event_types(self, caller):
        raise self._no_events()

    def trait_descriptions(self, caller, event_type):
        """``{'name', 'type'}`` dicts of an event type's traits."""
        raise self._no_events()

    def trait_values(self, caller, event_type, trait_name):
        """``{'name', 'type', 'value'}`` dicts."""
        raise self._no_events()

    def _no_events(self):
        return errors.RegionCannotAnswer(self.region, 'it keeps no events')

    # -- alarms -------------------------------------------------------------

    def create_alarm(self, caller, alarm):
        """Create a storage-shaped alarm (owner set); returns the region's
        alarm, storage-shaped."""
        raise NotImplementedError

    def get_alarm(self, caller, alarm_id):
        raise NotImplementedError

    def update_alarm(self, caller, alarm_id, alarm):
        raise NotImplementedError

    def delete_alarm(self, caller, alarm_id):
        raise NotImplementedError

    def alarm_state(self, caller, alarm_id):
        raise NotImplementedError

    def set_alarm_state(self, caller, alarm_id, state):
        """Set the state; returns the state the region answered."""
        raise NotImplementedError

    def alarm_history(self, caller, alarm_id, query, limit, sort):
        """History events (v2 AlarmChange dicts) of one alarm.

        :param query: validated terms on timestamp, type, user, ...
        :param sort: ``field[:dir]`` strings as the caller gave them.
        """
        raise NotImplementedError

    def list_alarms(self, caller, query):
        """Storage-shaped alarms matching equality terms (name,
        project_id, alarm_id ...): one call to the region."""
        raise NotImplementedError

    def alarm_detail_shown(self, detail):
        """A history event's decoded detail with its ``type`` and ``rule``
        in the v2 shape (the region may keep others)."""
        return detail
