"""Options of the pollsters and of the watcher listener.

They live in a module without Ceilometer so that oslo-config-generator, the
standalone listener and the ceilometer-polling agent (which registers them
on its own configuration when it loads a pollster) share one definition.
"""

from oslo_config import cfg

SERVICE_TYPES_OPTS = [
    cfg.StrOpt('kwapi',
               default='energy',
               help='Kwapi service type in the Keystone catalog.'),
]

KWAPI_OPTS = [
    cfg.ListOpt('endpoints',
                default=[],
                help='Static Kwapi API endpoints (each ending in /v1), used '
                     'instead of the Keystone catalog. An entry may be '
                     'prefixed with its region name and a colon, e.g. '
                     'RegionOne:http://kwapi.example:5000/v1.'),
    cfg.BoolOpt('all_regions',
                default=False,
                help='Poll the Kwapi endpoints of every region in the '
                     'catalog instead of the agent\'s own region '
                     '([service_credentials] region_name); for an agent at '
                     'the cascading level.'),
    cfg.FloatOpt('http_timeout',
                 default=10.0,
                 min=0.1,
                 help='Seconds to wait for a Kwapi API answer.'),
]

WATCHER_OPTS = [
    cfg.StrOpt('listen_endpoint',
               default='tcp://0.0.0.0:12345',
               help='nanomsg PULL endpoint that watcher-metering agents '
                    'push their measurements to (their publisher_endpoint).'),
    cfg.IntOpt('buffer_size',
               default=100000,
               min=1,
               help='Measurements kept between two drains; when full, the '
                    'oldest are dropped (and counted).'),
    cfg.StrOpt('metering_topic',
               default='metering',
               help='Standalone listener: topic of the metering '
                    'notifications (Ceilometer\'s [publisher_notifier] '
                    'metering_topic).'),
    cfg.IntOpt('publish_batch_size',
               default=500,
               min=1,
               help='Standalone listener: samples per metering '
                    'notification.'),
]

GROUPS = (('service_types', SERVICE_TYPES_OPTS),
          ('kwapi', KWAPI_OPTS),
          ('watcher', WATCHER_OPTS))


def register_opts(conf):
    """Register every pollster option on ``conf``; safe to call again."""
    for group, opts in GROUPS:
        conf.register_opts(opts, group=group)
    return conf


def list_opts():
    return [(group, list(opts)) for group, opts in GROUPS]
