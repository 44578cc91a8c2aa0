"""Storage drivers, chosen by the scheme of ``[database] connection``.

Drivers are found in the ``ceilometer_proxy.storage`` entry-point namespace
(``mongodb`` for local mode), so a deployment can add its own without
touching the API.
"""

from urllib import parse

from oslo_config import cfg
from oslo_log import log
import stevedore

from ceilometer_proxy.storage.filters import Aggregate  # noqa: F401
from ceilometer_proxy.storage.filters import SampleFilter  # noqa: F401

LOG = log.getLogger(__name__)

OPTS = [
    cfg.StrOpt('connection',
               secret=True,
               default='mongodb://127.0.0.1:27017/ceilometer',
               help='The database URL of the metering store; its scheme '
                    'selects the storage driver.'),
    cfg.IntOpt('metering_time_to_live',
               default=-1,
               help='Seconds samples are kept; <= 0 keeps them forever. '
                    'Enforced by `ceilometer-proxy-dbsync --expire` and '
                    'ceilometer-proxy-housekeeping, since TTL indexes are '
                    'not portable '
                    'across MongoDB-wire servers.'),
    cfg.IntOpt('housekeeping_interval',
               default=3600, min=0,
               help='Seconds between the rounds of '
                    'ceilometer-proxy-housekeeping: expiry (when '
                    'metering_time_to_live is set) '
                    'and merging of past statistics summaries; 0 disables '
                    'them.'),
    cfg.BoolOpt('statistics_summaries',
                default=True,
                help='Answer statistics from the hourly summaries kept on '
                     'write where the query allows it (raw samples at the '
                     'edges and otherwise). Turn off if programs other than '
                     'ceilometer-proxy write samples into the store.'),
    cfg.IntOpt('max_retries',
               default=10, min=-1,
               help='Attempts to reach the store at start-up (-1: forever).'),
    cfg.FloatOpt('retry_interval',
                 default=2.0, min=0,
                 help='Seconds between start-up connection attempts.'),
    cfg.FloatOpt('socket_timeout',
                 default=120.0, min=1,
                 help='Seconds to wait for any one answer of the store; a '
                      'store that stops answering gives 503 after it.'),
    cfg.FloatOpt('server_timeout',
                 default=3.0, min=0.1,
                 help='Seconds a request waits for an unreachable store '
                      'before it fails with 503.'),
]


class StorageError(Exception):
    """Base class of the errors drivers raise."""


class StorageUnavailable(StorageError):
    """The store cannot be reached; the API answers 503."""

    code = 503


class InvalidQuery(StorageError):
    """The store cannot answer this query as asked; the API answers 400."""

    code = 400


class InvalidData(StorageError):
    """The store refuses to keep this data (e.g. a document too large)."""

    code = 400


def load_driver(namespace, conf, url):
    """The driver of ``namespace`` named by the URL's scheme, connected."""
    scheme = parse.urlsplit(url).scheme
    LOG.debug('Loading %s driver %s', namespace, scheme)
    mgr = stevedore.DriverManager(namespace, scheme, invoke_on_load=True,
                                  invoke_args=(conf, url))
    return mgr.driver


def get_connection_from_config(conf, url=None):
    """The metering storage driver.

    :param conf: the service's ConfigOpts.
    :param url: overrides ``[database] connection``.
    """
    return load_driver('ceilometer_proxy.storage', conf,
                       url or conf.database.connection)
