"""ceilometer-proxy-alarm-evaluator: evaluate alarms and run their actions.

Run one per deployment, or several with ``[coordination] backend_url`` set
so that they share the alarms. SIGTERM and SIGINT stop it after the
current cycle; it leaves the coordination group so that the others take
its alarms over at once.
"""

import signal
import sys

from oslo_log import log

from ceilometer_proxy.alarm import coordination
from ceilometer_proxy.alarm import notifier
from ceilometer_proxy.alarm import service as alarm_service
from ceilometer_proxy.alarm import storage as alarm_storage
from ceilometer_proxy import service
from ceilometer_proxy import storage

LOG = log.getLogger(__name__)


def main(argv=None):
    conf = service.prepare_service(sys.argv[1:] if argv is None else argv)
    # Drivers connect lazily: an unreachable store only skips cycles.
    metering_conn = storage.get_connection_from_config(conf)
    alarm_conn = alarm_storage.get_connection_from_config(conf)
    coordinator = coordination.PartitionCoordinator(conf)
    evaluation = alarm_service.AlarmEvaluationService(
        conf, alarm_conn, metering_conn, notifier.AlarmNotifier(conf),
        coordinator)

    def stop(signum, frame):
        LOG.info('Signal %d received, stopping', signum)
        evaluation.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    LOG.info('Alarm evaluator %s started, every %ds',
             coordinator.member_id.decode(), conf.alarm.evaluation_interval)
    # Start-up scripts and tests wait for this line on stderr.
    sys.stderr.write('ceilometer-proxy-alarm-evaluator running as %s\n'
                     % coordinator.member_id.decode())
    sys.stderr.flush()
    try:
        evaluation.run()
    finally:
        metering_conn.close()
        alarm_conn.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
