"""Alarm storage drivers, chosen by the scheme of the alarm database URL.

Drivers live in the ``ceilometer_proxy.alarm.storage`` entry-point
namespace (``mongodb`` for now). ``[database] alarm_connection`` lets alarms
live in another database than the samples; left unset, they share
``[database] connection``.
"""

from urllib import parse

from oslo_config import cfg
from oslo_log import log
import stevedore

LOG = log.getLogger(__name__)

OPTS = [
    cfg.StrOpt('alarm_connection',
               secret=True,
               default=None,
               help='The database URL of the alarm store; unset means the '
                    'same as [database] connection.'),
]


def alarm_url(conf):
    """The URL alarms are kept at (``alarm_connection`` or ``connection``)."""
    return conf.database.alarm_connection or conf.database.connection


def get_connection_from_config(conf, url=None):
    """Load the alarm driver named by the URL's scheme and connect it.

    :param conf: the service's ConfigOpts.
    :param url: overrides the configured alarm URL.
    """
    url = url or alarm_url(conf)
    scheme = parse.urlsplit(url).scheme
    LOG.debug('Loading alarm storage driver %s', scheme)
    mgr = stevedore.DriverManager('ceilometer_proxy.alarm.storage', scheme,
                                  invoke_on_load=True,
                                  invoke_args=(conf, url))
    return mgr.driver
