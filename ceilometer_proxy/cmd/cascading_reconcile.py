"""ceilometer-proxy-cascading-reconcile: remove orphan region alarms.

For operators and cron: the same search the cascading API runs at start-up
and every ``[cascading] reconcile_interval`` seconds (see
cascading/reconciler.py). Prints what it found; exits 1 when an orphan
could not be removed.
"""

import sys

from oslo_config import cfg

from ceilometer_proxy.cascading import alarm_store
from ceilometer_proxy.cascading import reconciler
from ceilometer_proxy.cascading import region_pool
from ceilometer_proxy import service

CLI_OPTS = [
    cfg.FloatOpt('min-age', min=0,
                 help='Seconds an abandoned create must be old to be '
                      'looked at (default: twice [cascading] http_timeout '
                      'plus 5, so that no running create is touched).'),
]


def main(argv=None):
    conf = cfg.ConfigOpts()
    conf.register_cli_opts(CLI_OPTS)
    service.prepare_service(sys.argv[1:] if argv is None else argv,
                            conf=conf)
    table = alarm_store.AlarmTable(conf)
    regions = region_pool.Regions(conf)
    try:
        table.upgrade()
        report = reconciler.reconcile(conf, table, regions,
                                      min_age=conf.min_age)
    finally:
        regions.close()
        table.close()
    print('Alarm reconciliation: %s' % report)
    return 1 if report.failed else 0


if __name__ == '__main__':
    sys.exit(main())
