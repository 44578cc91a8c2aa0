"""ceilometer-proxy-housekeeping: the periodic work of a deployment.

What must run once per deployment, not once per API worker, runs here:

- local mode: expiry of samples older than ``[database]
  metering_time_to_live`` and the merging of past hourly summaries, every
  ``[database] housekeeping_interval`` seconds;
- cascading mode: the alarm reconciler (orphan region alarms of abandoned
  creates, unfinished deletes), every ``[cascading] reconcile_interval``
  seconds.

Run one per deployment (DevStack runs it as ``cp-housekeeping``); two at
once do no harm, the work is idempotent, only wasted. ``--once`` runs one
round and exits (cron), printing what it did.
"""

import sys
import time

from oslo_config import cfg
from oslo_log import log

from ceilometer_proxy.cascading import alarms as cascading_alarms
from ceilometer_proxy.cascading import errors
from ceilometer_proxy.cascading import reconciler
from ceilometer_proxy.cascading import region_pool
from ceilometer_proxy.event import storage as event_storage
from ceilometer_proxy import service
from ceilometer_proxy import storage

LOG = log.getLogger(__name__)

CLI_OPTS = [
    cfg.BoolOpt('once', default=False,
                help='Run one round and exit.'),
]


class LocalRound(object):
    """Expiry and summary compaction of the local store."""

    def __init__(self, conf):
        self.conf = conf
        self.backend = storage.get_connection_from_config(conf)
        self.events = event_storage.get_connection_from_config(conf)
        self.interval = conf.database.housekeeping_interval

    def __call__(self):
        ttl = self.conf.database.metering_time_to_live
        if ttl > 0:
            self.backend.clear_expired_metering_data(ttl)
        event_ttl = self.conf.database.event_time_to_live
        if event_ttl > 0:
            self.events.clear_expired_event_data(event_ttl)
        self.backend.compact_summaries()
        return ('Housekeeping: expiry (samples: ttl %s, events: ttl %s) and '
                'summary compaction done'
                % tuple('%d s' % t if t > 0 else 'off'
                        for t in (ttl, event_ttl)))


class CascadingRound(object):
    """The alarm reconciler of the cascading level."""

    def __init__(self, conf):
        self.conf = conf
        self.table = cascading_alarms.load_table(conf, start_reconciler=False)
        self.regions = region_pool.Regions(conf)
        self.interval = conf.cascading.reconcile_interval

    def __call__(self):
        report = reconciler.reconcile(self.conf, self.table, self.regions)
        return 'Alarm reconciliation: %s' % report


def main(argv=None):
    conf = cfg.ConfigOpts()
    conf.register_cli_opts(CLI_OPTS)
    service.prepare_service(sys.argv[1:] if argv is None else argv,
                            conf=conf)
    run = (LocalRound if conf.api.mode == 'local' else CascadingRound)(conf)
    if not conf.once and run.interval <= 0:
        LOG.warning('The interval of this mode is 0: nothing to do')
        return 0
    while True:
        try:
            done = run()
            LOG.info(done)
            if conf.once:
                print(done)
        except (storage.StorageError, errors.CascadingError) as err:
            LOG.warning('Housekeeping round failed: %s', err)
            if conf.once:
                print('Housekeeping round failed: %s' % err)
                return 1
        if conf.once:
            return 0
        time.sleep(run.interval)


if __name__ == '__main__':
    sys.exit(main())
