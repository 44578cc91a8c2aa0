"""Plain data objects that storage drivers return to the API.

Drivers (local MongoDB, the cascading proxy) all hand back these, so the
controllers never see a driver's native documents.
"""


class Model(object):
    """A record with named fields, compared and rendered by value."""

    FIELDS = ()

    def __init__(self, **kwargs):
        for name in self.FIELDS:
            setattr(self, name, kwargs.pop(name, None))
        for name, value in kwargs.items():
            setattr(self, name, value)

    def as_dict(self):
        return {k: v for k, v in self.__dict__.items()
                if not k.startswith('_')}

    def __eq__(self, other):
        return type(self) is type(other) and self.as_dict() == other.as_dict()

    def __repr__(self):
        return '<%s %r>' % (type(self).__name__, self.as_dict())

    @classmethod
    def get_field_names(cls):
        return list(cls.FIELDS)


class Resource(Model):
    """Something for which samples have been collected."""

    FIELDS = ('resource_id', 'project_id', 'user_id', 'source',
              'first_sample_timestamp', 'last_sample_timestamp', 'metadata')


class Meter(Model):
    """One meter name seen for one resource."""

    FIELDS = ('name', 'type', 'unit', 'resource_id', 'project_id', 'source',
              'user_id')


class Sample(Model):
    """One stored data point, with Ceilometer's field names."""

    FIELDS = ('source', 'counter_name', 'counter_type', 'counter_unit',
              'counter_volume', 'user_id', 'project_id', 'resource_id',
              'timestamp', 'resource_metadata', 'message_id',
              'message_signature', 'recorded_at')


class Statistics(Model):
    """Aggregates of the samples of one period and group.

    ``min``, ``max``, ``avg``, ``sum`` and ``count`` are present only when the
    standard aggregates were asked for; ``aggregate`` holds the selectable
    ones by ``func`` or ``func/param`` name.
    """

    FIELDS = ('unit', 'period', 'period_start', 'period_end', 'duration',
              'duration_start', 'duration_end', 'groupby')
