"""The gnocchi driver: a modern region running Gnocchi and Aodh.

Every OpenStack release since Queens keeps telemetry in Gnocchi (metrics,
pre-aggregated per archive policy) and Aodh (alarms); the v2 API the
cascading level speaks was removed there. This driver answers the v2
questions from them, exactly or not at all (see aggregation.py for
statistics, search.py for queries, aodh.py for alarms), and names the
region and what it lacks when it cannot.
"""

from oslo_config import cfg

GROUP = 'gnocchi'

OPTS = [
    cfg.StrOpt('auth_mode', choices=['keystone', 'basic'],
               help='How Gnocchi + Aodh regions are called: keystone '
                    '(the caller\'s token, or the service\'s, as for v2 '
                    'regions) or basic (Gnocchi basic auth as basic_user, '
                    'Aodh noauth identity headers); unset follows [api] '
                    'auth_mode (noauth -> basic). A [region:<name>] '
                    'section may override it.'),
    cfg.StrOpt('basic_user', default='admin',
               help='Gnocchi basic-auth user of the cascading level (basic '
                    'auth_mode). Gnocchi does not scope basic users by '
                    'project, so the cascading level always adds the '
                    'caller\'s project to what it asks.'),
    cfg.FloatOpt('cache_ttl', default=10.0, min=0,
                 help='Seconds a region\'s resources (their metric ids), '
                      'archive policies and resource types are reused '
                      'before they are read again. A metric\'s archive '
                      'policy and unit never change and are kept.'),
]
