"""Which regions exist, what they run and where they are.

A RegionRegistry answers "which regions", "which driver speaks to region
X" and "the endpoint of one of X's services"; StaticRegions reads them
from ``[cascading] regions`` (and ``[region:<name>]`` sections) and
catalog.KeystoneRegions from the Keystone catalog. AzMap maps
availability zones to regions. The runtime object the API holds, with
one driver per region, is region_pool.Regions (a layer above both
registries and the drivers).

Services are named as in the Keystone catalog: ``metering`` (a Ceilometer
v2 API), ``metric`` (Gnocchi) and ``alarming`` (Aodh).
"""

import json

from oslo_config import cfg
from oslo_log import log

from ceilometer_proxy import cascading
from ceilometer_proxy.cascading import errors

LOG = log.getLogger(__name__)

METERING = 'metering'
METRIC = 'metric'
ALARMING = 'alarming'
SECTION_PREFIX = 'region:'

# The options of one region's [region:<name>] section. The section is
# registered under the region's own name when [cascading] regions lists
# that name without a URL; the sample config shows it as [region:NAME].
REGION_OPTS = [
    cfg.StrOpt('driver', default='v2',
               help='How the region is spoken to: v2 (a Ceilometer v2 API, '
                    'such as ceilometer-proxy in local mode) or gnocchi '
                    '(Gnocchi for metering, Aodh for alarms); any name '
                    'registered under ceilometer_proxy.region_drivers.'),
    cfg.URIOpt('endpoint', schemes=['http', 'https'],
               help='Base URL of the region\'s Ceilometer v2 API (driver '
                    'v2).'),
    cfg.URIOpt('metric_endpoint', schemes=['http', 'https'],
               help='Base URL of the region\'s Gnocchi API (driver '
                    'gnocchi).'),
    cfg.URIOpt('alarming_endpoint', schemes=['http', 'https'],
               help='Base URL of the region\'s Aodh API (driver gnocchi); '
                    'unset: the region\'s alarms cannot be managed.'),
    cfg.StrOpt('auth_mode', choices=['keystone', 'basic'],
               help='How the gnocchi driver authenticates to this region: '
                    'keystone (tokens, as for v2 regions) or basic (Gnocchi '
                    'basic auth as [gnocchi] basic_user, Aodh noauth '
                    'headers); unset: [gnocchi] auth_mode.'),
]

# Which endpoints each driver needs from a region section.
SECTION_SERVICES = {
    'endpoint': METERING,
    'metric_endpoint': METRIC,
    'alarming_endpoint': ALARMING,
}


class RegionSpec(object):
    """What the cascading level knows of one region.

    :ivar name: the region name.
    :ivar driver: the region driver's name (``v2``, ``gnocchi``).
    :ivar endpoints: {service: base URL}.
    :ivar options: driver options of the region's section ({} if none).
    """

    def __init__(self, name, driver, endpoints, options=None):
        self.name = name
        self.driver = driver
        self.endpoints = endpoints
        self.options = options or {}

    def __eq__(self, other):
        return isinstance(other, RegionSpec) and vars(self) == vars(other)

    def __repr__(self):
        return '<Region %s %s %s>' % (self.name, self.driver, self.endpoints)


class RegionRegistry(object):
    """Region names, their drivers and the base URLs of their services."""

    def names(self):
        """Sorted list of region names."""
        raise NotImplementedError

    def spec(self, region):
        """The RegionSpec of a region; raises UnknownRegion."""
        raise NotImplementedError

    def driver_name(self, region):
        return self.spec(region).driver

    def endpoint(self, region, service=METERING):
        """Base URL (scheme://host:port[/prefix]) of one of the region's
        services; raises UnknownRegion, or MissingService when the region
        has no such service."""
        try:
            return self.spec(region).endpoints[service]
        except KeyError:
            raise errors.MissingService(region, service)

    def invalidate(self, region):
        """Forget a cached endpoint; the next endpoint() reads it again."""


def region_group(name):
    return SECTION_PREFIX + name


def _url(name, text):
    url = text.strip().rstrip('/')
    if not url.startswith(('http://', 'https://')):
        raise cfg.Error('[cascading] regions: %s: %r is not an http(s) URL'
                        % (name, text))
    return url


def _section_spec(conf, name):
    group = region_group(name)
    if group not in conf.list_all_sections():
        raise cfg.Error('[cascading] regions: %s has no URL and there is no '
                        '[%s] section' % (name, group))
    conf.register_opts(REGION_OPTS, group=group)
    section = conf[group]
    endpoints = {service: _url(name, section[opt])
                 for opt, service in SECTION_SERVICES.items()
                 if section[opt]}
    options = {opt.dest: section[opt.dest] for opt in REGION_OPTS
               if opt.dest not in SECTION_SERVICES and opt.dest != 'driver'
               and section[opt.dest] is not None}
    return RegionSpec(name, section.driver, endpoints, options)


def parse_static_regions(entries, conf=None):
    """{name: RegionSpec} from ``[cascading] regions`` entries.

    ``name:url`` is a v2 region at that URL (the URL keeps its colons);
    a bare ``name`` is described by its ``[region:<name>]`` section.
    """
    regions = {}
    for entry in entries:
        name, sep, url = entry.strip().partition(':')
        name = name.strip()
        if not name:
            raise cfg.Error('[cascading] regions: %r has no region name'
                            % entry)
        if name in regions:
            raise cfg.Error('[cascading] regions: %s is listed twice' % name)
        if sep:
            regions[name] = RegionSpec(name, 'v2',
                                       {METERING: _url(name, url)})
        elif conf is None:
            raise cfg.Error('[cascading] regions: %s has no URL' % name)
        else:
            regions[name] = _section_spec(conf, name)
    return regions


class StaticRegions(RegionRegistry):
    """Regions listed in ``[cascading] regions``."""

    def __init__(self, conf):
        self._specs = parse_static_regions(conf.cascading.regions, conf)

    def names(self):
        return sorted(self._specs)

    def spec(self, region):
        try:
            return self._specs[region]
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
