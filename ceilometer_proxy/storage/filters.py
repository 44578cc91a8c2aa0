"""Storage-side query descriptions built by the API from `q` parameters."""


class SampleFilter(object):
    """Which samples a query selects.

    :param user: user id, or None for any.
    :param project: project id, or None for any.
    :param start_timestamp: earliest timestamp (naive UTC datetime).
    :param start_timestamp_op: 'gt' or 'ge' (default).
    :param end_timestamp: latest timestamp.
    :param end_timestamp_op: 'lt' (default) or 'le'.
    :param resource: resource id.
    :param meter: meter (counter) name.
    :param source: source, as stored (``<project>:<source>`` for posted ones).
    :param message_id: one sample's id.
    :param metaquery: {'metadata.<key>': value} equality constraints.
    """

    def __init__(self, user=None, project=None,
                 start_timestamp=None, start_timestamp_op=None,
                 end_timestamp=None, end_timestamp_op=None,
                 resource=None, meter=None, source=None, message_id=None,
                 metaquery=None):
        self.user = user
        self.project = project
        self.start_timestamp = start_timestamp
        self.start_timestamp_op = start_timestamp_op
        self.end_timestamp = end_timestamp
        self.end_timestamp_op = end_timestamp_op
        self.resource = resource
        self.meter = meter
        self.source = source
        self.message_id = message_id
        self.metaquery = metaquery or {}

    def __repr__(self):
        fields = ', '.join('%s=%r' % (k, v)
                           for k, v in sorted(vars(self).items()) if v)
        return '<SampleFilter %s>' % fields


class Aggregate(object):
    """One selectable aggregate: ``func`` with an optional ``param``."""

    def __init__(self, func, param=None):
        self.func = func
        self.param = param

    @property
    def key(self):
        return '%s/%s' % (self.func, self.param) if self.param else self.func

    def __eq__(self, other):
        return (self.func, self.param) == (other.func, other.param)

    def __hash__(self):
        return hash((self.func, self.param))

    def __repr__(self):
        return '<Aggregate %s>' % self.key
