"""ceilometer-proxy-watcher-listener: watcher-metering agents to the bus.

Binds ``[watcher] listen_endpoint`` (where the agents' publisher_endpoint
points) and publishes every valid measurement as a signed metering
notification on ``[DEFAULT] transport_url``. SIGTERM and SIGINT stop it
after publishing what it has received.

It registers only the options it uses (``[watcher]``, ``[publisher]``,
logging and oslo.messaging's), so it runs with a small config file of its
own or with the project's ``ceilometer-proxy.conf``.
"""

import signal
import sys

from oslo_config import cfg
from oslo_log import log
import oslo_messaging

from ceilometer_proxy.pollsters import listener
from ceilometer_proxy.pollsters import options
from ceilometer_proxy.pollsters import receiver
from ceilometer_proxy import service
from ceilometer_proxy import signing

LOG = log.getLogger(__name__)


def prepare_config(argv):
    conf = cfg.ConfigOpts()
    options.register_opts(conf)
    conf.register_opts(signing.OPTS, group='publisher')
    log.register_options(conf)
    conf(argv, project=service.PROJECT)
    log.setup(conf, service.PROJECT)
    return conf


def main(argv=None):
    conf = prepare_config(sys.argv[1:] if argv is None else argv)
    try:
        measurements = receiver.Receiver(conf.watcher.listen_endpoint,
                                         conf.watcher.buffer_size).start()
    except Exception as exc:
        LOG.error('Cannot listen on %s: %s', conf.watcher.listen_endpoint,
                  exc)
        sys.stderr.write('ceilometer-proxy-watcher-listener: cannot listen '
                         'on %s: %s\n' % (conf.watcher.listen_endpoint, exc))
        return 1
    transport = oslo_messaging.get_notification_transport(conf)
    publisher = listener.WatcherListener(
        conf, measurements, listener.make_notifier(conf, transport))

    def stop(signum, frame):
        LOG.info('Signal %d received, stopping', signum)
        publisher.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Start-up scripts and tests wait for this line on stderr.
    sys.stderr.write('ceilometer-proxy-watcher-listener listening on %s\n'
                     % conf.watcher.listen_endpoint)
    sys.stderr.flush()
    try:
        publisher.run()
    finally:
        measurements.stop()
        transport.cleanup()
        LOG.info('Published %d samples', publisher.published)
    return 0


if __name__ == '__main__':
    sys.exit(main())
