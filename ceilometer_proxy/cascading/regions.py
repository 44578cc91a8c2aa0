"""Which regions exist, where their v2 APIs are, and one client for each.

A RegionRegistry answers "which regions" and "the endpoint of region X";
StaticRegions reads them from ``[cascading] regions`` and
catalog.KeystoneRegions from the Keystone catalog. Regions is the runtime
object the API holds: the registry, the availability-zone map and one
RegionClient per region, built once and reused so that connections are
pooled.
"""

import json
import threading

from oslo_config import cfg
from oslo_log import log

from ceilometer_proxy import cascading
from ceilometer_proxy.cascading import errors

LOG = log.getLogger(__name__)


class RegionRegistry(object):
    """Region names and the base URL of each region's v2 API."""

    def names(self):
        """Sorted list of region names."""
        raise NotImplementedError

    def endpoint(self, region):
        """Base URL (scheme://host:port[/prefix]) of the region's API;
        raises UnknownRegion."""
        raise NotImplementedError

    def invalidate(self, region):
        """Forget a cached endpoint; the next endpoint() reads it again."""


def parse_static_regions(entries):
    """{name: url} from ``name:url`` entries (the URL keeps its colons)."""
    regions = {}
    for entry in entries:
        name, sep, url = entry.strip().partition(':')
        name, url = name.strip(), url.strip()
        if not sep or not name or not url.startswith(('http://',
                                                      'https://')):
            raise cfg.Error('[cascading] regions: %r is not name:http(s)://'
                            'host:port' % entry)
        if name in regions:
            raise cfg.Error('[cascading] regions: %s is listed twice' % name)
        regions[name] = url.rstrip('/')
    return regions


class StaticRegions(RegionRegistry):
    """Regions listed in ``[cascading] regions``."""

    def __init__(self, conf):
        self._endpoints = parse_static_regions(conf.cascading.regions)

    def names(self):
        return sorted(self._endpoints)

    def endpoint(self, region):
        try:
            return self._endpoints[region]
        except KeyError:
            raise errors.UnknownRegion(region)


class AzMap(object):
    """Availability zone -> region name (``[cascading] az2region_file``).

    A name that is not an availability zone of the file is taken to be a
    region name already, as the original proxy did.
    """

    def __init__(self, conf=None, mapping=None):
        if mapping is None:
            path = cascading.find_data_file(conf,
                                            conf.cascading.az2region_file)
            with open(path) as f:
                mapping = json.load(f)
            if not isinstance(mapping, dict):
                raise cfg.Error('%s must hold a JSON object' % path)
        self._mapping = {str(k): str(v) for k, v in mapping.items()}

    def region_of(self, name):
        return self._mapping.get(name, name)


def get_registry(conf):
    """The registry named by ``[cascading] region_discovery``."""
    if conf.cascading.region_discovery == 'static':
        return StaticRegions(conf)
    from ceilometer_proxy.cascading import catalog

    return catalog.KeystoneRegions(conf)


class Regions(object):
    """The regions as the API uses them.

    :param conf: the service's ConfigOpts.
    :param registry: a RegionRegistry (default: get_registry(conf)).
    :param az_map: an AzMap (default: read from az2region_file).
    """

    def __init__(self, conf, registry=None, az_map=None):
        self.conf = conf
        self.registry = registry or get_registry(conf)
        self.az_map = az_map or AzMap(conf)
        self._clients = {}
        self._lock = threading.Lock()

    def names(self):
        return self.registry.names()

    def resolve(self, name_or_az):
        """The region a region or availability-zone name stands for."""
        region = self.az_map.region_of(name_or_az)
        if region not in self.registry.names():
            raise errors.UnknownRegion(name_or_az)
        return region

    def client(self, region):
        """The RegionClient of a region (one per region, reused)."""
        client = self._clients.get(region)
        if client is None:
            from ceilometer_proxy.cascading import client as region_client

            with self._lock:
                client = self._clients.get(region)
                if client is None:
                    client = region_client.RegionClient(
                        region, self.registry, self.conf)
                    self._clients[region] = client
        return client

    def close(self):
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()
