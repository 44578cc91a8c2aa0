"""ceilometer-proxy-dbsync: prepare the store; optionally expire or rebuild.

Safe to run any number of times. ``--expire`` deletes samples older than
``[database] metering_time_to_live`` and events older than ``[database]
event_time_to_live`` (for cron, since TTL indexes are not portable across
MongoDB-wire servers); ``--rebuild-summaries`` recomputes the statistics
summaries from the raw samples.
"""

import sys

from oslo_config import cfg
from oslo_log import log

from ceilometer_proxy.event import storage as event_storage
from ceilometer_proxy import service
from ceilometer_proxy import storage

LOG = log.getLogger(__name__)

CLI_OPTS = [
    cfg.BoolOpt('expire', default=False,
                help='Also delete samples older than '
                     '[database] metering_time_to_live and events older '
                     'than [database] event_time_to_live.'),
    cfg.BoolOpt('rebuild-summaries', default=False,
                help='Recompute the statistics summaries from all stored '
                     'samples (after importing samples written by another '
                     'program; stop writers first).'),
]


def main(argv=None):
    conf = cfg.ConfigOpts()
    conf.register_cli_opts(CLI_OPTS)
    service.prepare_service(sys.argv[1:] if argv is None else argv,
                            conf=conf)
    conn = storage.get_connection_from_config(conf)
    conn.upgrade()
    events = event_storage.get_connection_from_config(conf)
    events.upgrade()
    print('The store is ready: collections and indexes are in place.')
    if conf.rebuild_summaries:
        count = conn.rebuild_summaries()
        print('Summaries rebuilt from %d samples.' % count)
    if conf.expire:
        ttl = conf.database.metering_time_to_live
        if ttl <= 0:
            print('metering_time_to_live is not set; nothing expired.')
        else:
            removed = conn.clear_expired_metering_data(ttl)
            print('Expired %d samples.' % removed)
        event_ttl = conf.database.event_time_to_live
        if event_ttl > 0:
            print('Expired %d events.'
                  % events.clear_expired_event_data(event_ttl))
    return 0


if __name__ == '__main__':
    sys.exit(main())
