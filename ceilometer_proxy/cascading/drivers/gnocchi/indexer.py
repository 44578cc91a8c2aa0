"""What a Gnocchi region's indexer says, cached for the driver.

Answering a v2 statistic needs each metric's archive policy (which
granularities and methods exist) and unit, the resource that owns it, and
the region's resource types (which attribute a metadata key is). Metric
ids, their policy and unit are immutable in Gnocchi (a metric cannot be
patched), so those are kept; resources, policy definitions (they can be
extended) and resource types are read again after ``[gnocchi]
cache_ttl`` seconds.
"""

import collections
import threading
import time

from ceilometer_proxy.cascading.drivers import v2_api
from ceilometer_proxy.cascading import errors

METRIC_CACHE_SIZE = 100000
RESOURCE_CACHE_SIZE = 10000


def seconds(text):
    """Seconds of Gnocchi's timedelta text (``1 day, 0:01:00`` or
    ``0:00:00.500000``) or of a number."""
    if isinstance(text, (int, float)):
        return float(text)
    days = 0
    if 'day' in text:
        head, _sep, text = text.partition(',')
        days = int(head.split()[0])
        text = text.strip() or '0:00:00'
    hours, minutes, secs = text.split(':')
    return days * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(
        secs)


class Policy(object):
    """An archive policy: {granularity seconds: timespan seconds} and the
    aggregation methods it keeps."""

    def __init__(self, doc):
        self.name = doc['name']
        self.methods = frozenset(doc.get('aggregation_methods') or [])
        self.timespans = {}
        for item in doc.get('definition') or []:
            granularity = seconds(item['granularity'])
            timespan = item.get('timespan')
            self.timespans[granularity] = (
                seconds(timespan) if timespan is not None
                else granularity * item.get('points', 0))

    @property
    def granularities(self):
        return sorted(self.timespans)

    def longest_kept(self):
        """The granularity kept the longest (ties: the coarsest)."""
        return max(self.timespans, key=lambda g: (self.timespans[g], g))


class _Expiring(object):
    """A value read again once ``ttl`` seconds old."""

    def __init__(self, ttl, read):
        self.ttl = ttl
        self.read = read
        self.value = None
        self.read_at = None
        self.lock = threading.Lock()

    def get(self, caller):
        with self.lock:
            now = time.monotonic()
            if self.read_at is None or now - self.read_at >= self.ttl:
                self.value = self.read(caller)
                self.read_at = now
            return self.value


class _Lru(object):
    def __init__(self, size):
        self.size = size
        self.items = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def pop(self, key):
        with self.lock:
            self.items.pop(key, None)

    def put(self, key, value):
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


class Indexer(object):
    """Cached reads of one region's Gnocchi indexer.

    :param get: function (caller, path) -> decoded JSON.
    :param ttl: ``[gnocchi] cache_ttl``.

    What is cached is shared by every caller: the driver checks the
    project of every resource it uses itself.
    """

    def __init__(self, get, ttl):
        self.get = get
        self.ttl = ttl
        self._policies = _Expiring(ttl, self._read_policies)
        self._types = _Expiring(ttl, self._read_types)
        self._metrics = _Lru(METRIC_CACHE_SIZE)
        self._resources = _Lru(RESOURCE_CACHE_SIZE)
        self._meter_policies = _Lru(RESOURCE_CACHE_SIZE)

    def _read_policies(self, caller):
        return {doc['name']: Policy(doc)
                for doc in self.get(caller, '/v1/archive_policy') or []}

    def _read_types(self, caller):
        return {doc['name']: set(doc.get('attributes') or {})
                for doc in self.get(caller, '/v1/resource_type') or []}

    def resource_types(self, caller):
        """{type: its own attribute names} (generic's are not listed)."""
        return self._types.get(caller)

    def policy(self, caller, name):
        policies = self._policies.get(caller)
        if name not in policies:
            self._policies.read_at = None  # created since: read again
            policies = self._policies.get(caller)
        return policies.get(name)

    def metric(self, caller, metric_id):
        """(Policy, unit) of a metric."""
        known = self._metrics.get(metric_id)
        if known is None:
            doc = self.get(caller, '/v1/metric/' + v2_api.quoted(metric_id))
            policy = doc.get('archive_policy') or {}
            known = (policy.get('name') or doc.get('archive_policy_name'),
                     doc.get('unit'))
            self._metrics.put(metric_id, known)
        return self.policy(caller, known[0]), known[1]

    def policies_seen(self, meter):
        """The archive policy names this meter's metrics had when last
        read (within cache_ttl), or None."""
        seen = self._meter_policies.get(meter)
        if seen is None or time.monotonic() - seen[0] >= self.ttl:
            return None
        return seen[1]

    def saw_policies(self, meter, names):
        """Remember the policies of a meter's metrics (a read saw them)."""
        known = self.policies_seen(meter) or frozenset()
        self._meter_policies.put(meter, (time.monotonic(),
                                         known | frozenset(names)))

    def forget_resource(self, resource_id):
        """Read a resource again next time (it was deleted and made
        again)."""
        self._resources.pop(resource_id)

    def resource(self, caller, resource_id):
        """A resource by the id the region knows (None if it has none);
        reused for cache_ttl seconds."""
        cached = self._resources.get(resource_id)
        if cached is not None and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        try:
            doc = self.get(caller, '/v1/resource/generic/' +
                           v2_api.quoted(resource_id))
        except errors.RegionHTTPError as err:
            if err.status == 404:
                return None
            raise
        self._resources.put(resource_id, (time.monotonic(), doc))
        return doc
