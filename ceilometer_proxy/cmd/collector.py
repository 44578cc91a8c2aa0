"""ceilometer-proxy-collector: metering notifications (and UDP samples)
into the store, and every other notification into the event store.

Listens on ``[collector] messaging_urls`` (default: ``transport_url``),
on the queues of ``[collector] deployments_file`` and, unless
``[collector] udp_address`` is empty, on a UDP port. SIGTERM and SIGINT
stop it gracefully: the batches in hand are stored and acknowledged
first.
"""

import signal
import sys
import threading
import time

from oslo_log import log

from ceilometer_proxy.collector import service as collector_service
from ceilometer_proxy.event import storage as event_storage
from ceilometer_proxy import service
from ceilometer_proxy import storage

LOG = log.getLogger(__name__)


def prepare_store(conf, conn):
    """Create the collections and indexes, waiting for a starting store.

    A store still unreachable after ``[database] max_retries`` does not
    stop the collector: its writes wait for the store anyway.
    """
    attempts = 0
    while True:
        try:
            conn.upgrade()
            return True
        except storage.StorageUnavailable as err:
            attempts += 1
            if 0 <= conf.database.max_retries <= attempts:
                LOG.warning('Store not reachable yet (%s)', err)
                return False
            LOG.info('Waiting for the store (%s)', err)
            time.sleep(conf.database.retry_interval)


def main(argv=None):
    conf = service.prepare_service(sys.argv[1:] if argv is None else argv)
    conn = storage.get_connection_from_config(conf)
    prepare_store(conf, conn)
    event_conn = None
    if conf.collector.events:
        event_conn = event_storage.get_connection_from_config(conf)
        prepare_store(conf, event_conn)
    collector = collector_service.CollectorService(conf, conn, event_conn)
    stopping = threading.Event()

    def stop(signum, frame):
        LOG.info('Signal %d received, stopping', signum)
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    collector.start()
    # Start-up scripts and tests wait for this line on stderr.
    sys.stderr.write('ceilometer-proxy-collector running\n')
    sys.stderr.flush()
    while not stopping.wait(1.0):
        pass
    try:
        collector.stop()
    finally:
        conn.close()
        if event_conn is not None:
            event_conn.close()
    LOG.info('Collector stopped')
    return 0


if __name__ == '__main__':
    sys.exit(main())
