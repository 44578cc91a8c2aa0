"""Event storage drivers, chosen by the scheme of the event database URL.

Drivers live in the ``ceilometer_proxy.event.storage`` entry-point
namespace (``mongodb`` for now). ``[database] event_connection`` lets events
live in another database than the samples (they are many, and large);
left unset, they share ``[database] connection``.
"""

from oslo_config import cfg

from ceilometer_proxy import storage

OPTS = [
    cfg.StrOpt('event_connection',
               secret=True,
               default=None,
               help='The database URL of the event store; unset means the '
                    'same as [database] connection.'),
    cfg.IntOpt('event_time_to_live',
               default=-1,
               help='Seconds events are kept; <= 0 keeps them forever. '
                    'Enforced by ceilometer-proxy-housekeeping and '
                    '`ceilometer-proxy-dbsync --expire`.'),
]

# Comparison operators of trait filters (the v2 API's names).
TRAIT_OPERATORS = ('eq', 'ne', 'lt', 'le', 'gt', 'ge')


def event_url(conf):
    """The URL events are kept at (``event_connection`` or
    ``connection``)."""
    return conf.database.event_connection or conf.database.connection


def get_connection_from_config(conf, url=None):
    """The event storage driver.

    :param conf: the service's ConfigOpts.
    :param url: overrides the configured event URL.
    """
    return storage.load_driver('ceilometer_proxy.event.storage', conf,
                               url or event_url(conf))


class EventFilter(object):
    """What events to return.

    :param start_timestamp: earliest ``generated`` (inclusive).
    :param end_timestamp: latest ``generated`` (inclusive).
    :param event_type: the exact event type.
    :param message_id: the exact message id.
    :param traits_filter: dicts of ``key`` (trait name), ``op`` (one of
        TRAIT_OPERATORS, default eq) and one value under the name of its
        type: ``string``, ``integer``, ``float`` or ``datetime``; all must
        hold.
    :param project: only events whose ``project_id`` trait is this one
        (the project of a scoped caller); None for every event.
    """

    def __init__(self, start_timestamp=None, end_timestamp=None,
                 event_type=None, message_id=None, traits_filter=None,
                 project=None):
        self.start_timestamp = start_timestamp
        self.end_timestamp = end_timestamp
        self.event_type = event_type
        self.message_id = message_id
        self.traits_filter = list(traits_filter or [])
        self.project = project

    def __repr__(self):
        return ('<EventFilter(start_timestamp: %s, end_timestamp: %s, '
                'event_type: %s, message_id: %s, traits: %s, project: %s)>'
                % (self.start_timestamp, self.end_timestamp,
                   self.event_type, self.message_id, self.traits_filter,
                   self.project))
