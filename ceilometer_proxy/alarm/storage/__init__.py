"""Alarm storage drivers, chosen by the scheme of the alarm database URL.

Drivers live in the ``ceilometer_proxy.alarm.storage`` entry-point
namespace (``mongodb`` for now). ``[database] alarm_connection`` lets alarms
live in another database than the samples; left unset, they share
``[database] connection``.
"""

from oslo_config import cfg

from ceilometer_proxy import storage

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
    """The alarm storage driver.

    :param conf: the service's ConfigOpts.
    :param url: overrides the configured alarm URL.
    """
    return storage.load_driver('ceilometer_proxy.alarm.storage', conf,
                               url or alarm_url(conf))


class DuplicateName(storage.StorageError):
    """Another alarm of the project has this name: the store's unique
    index said so, so two creates racing in two API workers cannot both
    win. The API answers 409."""

    code = 409

    def __init__(self, name):
        super().__init__('Alarm with name=%s exists' % name)
        self.name = name
