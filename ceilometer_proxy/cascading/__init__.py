"""Cascading mode: one v2 API in front of the telemetry of many regions.

The cascading level stores no samples. It keeps a resource map (cascading
resource id -> region and the id the region knows) and sends every other
question to the regions that can answer it, merging their answers when more
than one region is involved. Nothing in this package knows about pecan,
WSME or webob: the API controllers translate its errors into HTTP answers,
so the routing, fan-out and merge logic can be tested on its own.
"""

import os

from oslo_config import cfg

ETC_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                       'etc', 'ceilometer-proxy'))

OPTS = [
    cfg.StrOpt('region_discovery', default='keystone',
               choices=['keystone', 'static'],
               help='Where the regions and their endpoints come from: '
                    'keystone (per region, the catalog\'s metering service '
                    'for a v2 region, or its metric and alarming services '
                    'for a Gnocchi + Aodh region) or static (the regions '
                    'option).'),
    cfg.ListOpt('regions', default=[],
                help='Static regions (region_discovery = static): name:url '
                     'for a Ceilometer v2 region, e.g. regionOne:http://'
                     '10.0.0.1:8777, or a bare name described by its own '
                     '[region:<name>] section (driver, endpoints).'),
    cfg.StrOpt('resource_source', default='map',
               choices=['map', 'regions'],
               help='What GET /v2/resources and /v2/meters list: map (the '
                    'registered resources of the resource map, their meters '
                    'from type2meters.json) or regions (what every region '
                    'holds, registered resources under their cascading '
                    'ids); with regions, a resource id the map does not '
                    'know is asked of every region.'),
    cfg.BoolOpt('pass_through', default=True,
                help='Answer the samples and statistics of one resource '
                     'in a v2 region with the bytes of its answer (only '
                     'the resource id put back), without decoding and '
                     'encoding them again; false sends every question '
                     'through the general path.'),
    cfg.FloatOpt('http_timeout', default=30.0, min=0.1,
                 help='Seconds to wait for a region to connect and to '
                      'answer one call.'),
    cfg.IntOpt('max_parallel_regions', default=8, min=1,
               help='How many regions one request calls at the same time '
                    'when it fans out.'),
    cfg.FloatOpt('region_backoff', default=10.0, min=0,
                 help='Seconds a region that failed (no connection, '
                      'timeout, 5xx) is not called again; requests needing '
                      'it fail at once meanwhile. 0 disables the back-off.'),
    cfg.BoolOpt('partial_results', default=False,
                help='When some regions of a fan-out fail: false answers '
                     '503 naming them; true answers with the regions that '
                     'did and lists the missing ones in the '
                     'X-Cascading-Missing-Regions header.'),
    cfg.BoolOpt('forward_user_token', default=True,
                help='Call the regions with the caller\'s token (one '
                     'Keystone shared by every region); false uses a token '
                     'of [service_credentials] instead.'),
    cfg.StrOpt('map_connection', secret=True,
               help='MongoDB URL of the resource map; defaults to '
                    '[database] connection. The map has a collection of '
                    'its own.'),
    cfg.FloatOpt('resource_cache_ttl', default=2.0, min=0,
                 help='Seconds a looked-up resource-map row is reused by '
                      'this process before the map is read again (0: read '
                      'every time). Registrations through this process '
                      'take effect at once; through other API processes, '
                      'within this time. Unknown ids are never cached.'),
    cfg.StrOpt('type2meters_file', default='type2meters.json',
               help='JSON file mapping a resource type (nova.instance, '
                    'cinder.volume, ...) to its default source and meters; '
                    'relative paths are looked up next to the config files '
                    'and in the installed etc/ directory.'),
    cfg.StrOpt('az2region_file', default='az2region.json',
               help='JSON file mapping availability zone names to region '
                    'names; an availability zone not in it is taken as a '
                    'region name.'),
]


def find_data_file(conf, path):
    """The absolute path of a JSON data file named by an option.

    Relative names are looked up like the paste config: next to the config
    files, then in the package's etc/ directory.
    """
    if os.path.isabs(path):
        candidates = [path]
    else:
        candidates = [conf.find_file(path), os.path.join(ETC_DIR, path)]
    for candidate in candidates:
        if candidate and os.path.exists(candidate):
            return os.path.abspath(candidate)
    raise cfg.ConfigFilesNotFoundError([path])
