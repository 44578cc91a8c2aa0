"""The interface every storage driver (and the cascading proxy) serves.

The API controllers talk only to this interface, so local mode (samples in
MongoDB) and cascading mode (samples in the regions) differ only in which
driver the API loads.
"""

from ceilometer_proxy import utils

STANDARD_AGGREGATES = ('sum', 'avg', 'min', 'max', 'count')
SELECTABLE_AGGREGATES = STANDARD_AGGREGATES + ('stddev', 'cardinality')
CARDINALITY_FIELDS = ('resource_id', 'user_id', 'project_id', 'source')

_NO_FEATURES = {
    'meters': {'query': {'simple': False, 'metadata': False,
                         'complex': False}},
    'resources': {'query': {'simple': False, 'metadata': False,
                            'complex': False}},
    'samples': {'query': {'simple': False, 'metadata': False,
                          'complex': False}},
    'statistics': {'groupby': False,
                   'query': {'simple': False, 'metadata': False,
                             'complex': False},
                   'aggregation': {'standard': False,
                                   'selectable': {
                                       name: False
                                       for name in SELECTABLE_AGGREGATES}}},
}


class Driver(object):
    """What every driver (metering or alarm storage) has.

    :param conf: the service's ConfigOpts.
    :param url: the connection URL that selected this driver.
    """

    CAPABILITIES = {}
    STORAGE_CAPABILITIES = {'storage': {'production_ready': False}}

    def __init__(self, conf, url):
        self.conf = conf
        self.url = url

    @classmethod
    def get_capabilities(cls):
        """Features of the API this driver can serve (nested dict)."""
        return cls.CAPABILITIES

    @classmethod
    def get_storage_capabilities(cls):
        """Properties of the store itself (nested dict)."""
        return cls.STORAGE_CAPABILITIES

    @staticmethod
    def merge_capabilities(base, updates):
        return utils.update_nested(base, updates)

    def upgrade(self):
        """Create collections and indexes; safe to run again."""

    def close(self):
        """Release the connection."""


class Connection(Driver):
    """Base class of metering storage drivers."""

    CAPABILITIES = _NO_FEATURES

    def record_metering_data_batch(self, samples):
        """Store metering messages (dicts in Ceilometer's message shape).

        Samples whose ``message_id`` is already stored are skipped, so a
        redelivered batch is harmless. Returns how many were new.
        """
        raise NotImplementedError()

    def clear_expired_metering_data(self, ttl):
        """Delete samples older than ``ttl`` seconds; return the count."""
        raise NotImplementedError()

    def compact_summaries(self):
        """Housekeeping of derived data; returns documents saved."""
        return 0

    def get_resources(self, user=None, project=None, source=None,
                      start_timestamp=None, start_timestamp_op=None,
                      end_timestamp=None, end_timestamp_op=None,
                      metaquery=None, resource=None, limit=None):
        """Return an iterable of models.Resource."""
        raise NotImplementedError()

    def get_meters(self, user=None, project=None, resource=None, source=None,
                   metaquery=None, limit=None):
        """Return an iterable of models.Meter."""
        raise NotImplementedError()

    def get_samples(self, sample_filter, limit=None):
        """Return an iterable of models.Sample, newest first."""
        raise NotImplementedError()

    def query_samples(self, filter_expr=None, orderby=None, limit=None):
        """Return models.Sample matching a complex-query expression."""
        raise NotImplementedError()

    def get_meter_statistics(self, sample_filter, period=None, groupby=None,
                             aggregate=None):
        """Return a list of models.Statistics, ordered by period start."""
        raise NotImplementedError()
