"""The read-only console: energy graphs, an event browser, alarm views.

The console is a handful of static files (``static/``) that the API
process serves under ``/console/``; the browser then reads everything from
the public ``/v2`` API of the same origin, with the caller's own identity.
So it can never show more than the API would show that caller, and it
works the same in local and cascading mode (the fan-out is the API's).
It is off unless ``[console] enabled`` is set.
"""

from oslo_config import cfg

OPTS = [
    cfg.BoolOpt('enabled', default=False,
                help='Serve the read-only web console under /console/ '
                     '(static files; the data comes from the v2 API with '
                     'the caller\'s identity).'),
    cfg.StrOpt('title', default='ceilometer-proxy',
               help='Title shown in the console\'s header (e.g. the name '
                    'of the cloud).'),
    cfg.FloatOpt('kwh_price', default=0.0, min=0.0,
                 help='Price of one kWh, to show what the energy of each '
                      'series cost (as Kwapi\'s graphs did); 0 shows no '
                      'cost.'),
    cfg.StrOpt('currency', default='EUR',
               help='Currency of kwh_price, as shown next to the costs.'),
]


def register_opts(conf):
    conf.register_opts(OPTS, group='console')
