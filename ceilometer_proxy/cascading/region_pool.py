"""The regions as the API uses them: registry, zones and one driver each.

Regions is the runtime object an API process (and the reconciler) holds:
the RegionRegistry that ``[cascading] region_discovery`` names (static or
the Keystone catalog), the availability-zone map, and one region driver
per region, built once and reused so that connections are pooled. It
sits above regions.py, catalog.py and the drivers, which never import it.
"""

import threading

from oslo_log import log

from ceilometer_proxy.cascading import catalog
from ceilometer_proxy.cascading import drivers
from ceilometer_proxy.cascading import errors
from ceilometer_proxy.cascading import regions

LOG = log.getLogger(__name__)


def get_registry(conf):
    """The registry named by ``[cascading] region_discovery``."""
    if conf.cascading.region_discovery == 'static':
        return regions.StaticRegions(conf)
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
        self.az_map = az_map or regions.AzMap(conf)
        self._drivers = {}
        self._lock = threading.Lock()

    def names(self):
        return self.registry.names()

    def resolve(self, name_or_az):
        """The region a region or availability-zone name stands for."""
        region = self.az_map.region_of(name_or_az)
        if region not in self.registry.names():
            raise errors.UnknownRegion(name_or_az)
        return region

    def driver(self, region):
        """The region driver of a region (one per region, reused; built
        again when the registry says the region now runs another kind)."""
        name = self.registry.driver_name(region)
        driver = self._drivers.get(region)
        if driver is None or driver.name != name:
            with self._lock:
                driver = self._drivers.get(region)
                if driver is None or driver.name != name:
                    if driver is not None:
                        LOG.info('Region %s now runs %s, not %s', region,
                                 name, driver.name)
                        driver.close()
                    driver = drivers.load(name, region, self.registry,
                                          self.conf)
                    self._drivers[region] = driver
        return driver

    def close(self):
        with self._lock:
            for driver in self._drivers.values():
                driver.close()
            self._drivers.clear()
