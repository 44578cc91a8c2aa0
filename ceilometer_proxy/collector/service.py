"""The collector service: one batch listener per message bus, one UDP
listener, one writer.

Several buses at once let one collector serve many deployments (or cells),
as StackTach ran one worker per deployment; with ``record_origin`` every
sample says which bus it came from. Stopping is graceful: listeners stop
taking messages, the batches in hand are written and acknowledged, and
only if the store stays away longer than ``graceful_stop_timeout`` are
they given back to their queues instead.
"""

import threading
from urllib import parse

from oslo_log import log
import oslo_messaging
from oslo_messaging import opts as messaging_opts

from ceilometer_proxy.collector import endpoint
from ceilometer_proxy.collector import stats
from ceilometer_proxy.collector import udp
from ceilometer_proxy.collector import writer as batch_writer

LOG = log.getLogger(__name__)


def origin_of(url):
    """A transport URL without its credentials, naming a deployment."""
    parts = parse.urlsplit(url)
    hosts = [h.rpartition('@')[2] for h in parts.netloc.split(',')]
    return '%s://%s%s' % (parts.scheme, ','.join(hosts), parts.path or '/')


class CollectorService(object):
    """Listeners and writer of one collector process.

    :param conf: the service's ConfigOpts.
    :param conn: the metering storage driver.
    """

    def __init__(self, conf, conn):
        self.conf = conf
        opts = conf.collector
        self.counters = stats.Counters()
        self.warnings = stats.RateLimitedLog()
        self.writer = batch_writer.BatchWriter(
            conn, self.counters, opts.retry_backoff, opts.max_retry_backoff,
            self.warnings, opts.write_concurrency)
        self.reporter = stats.Reporter(self.counters, opts.stats_interval,
                                       opts.stats_file)
        self.listeners = []
        if opts.notifications:
            self.listeners = [self._listener(url)
                              for url in opts.messaging_urls or [None]]
        self.udp = None
        if opts.udp_address:
            self.udp = udp.UdpListener(
                opts.udp_address, opts.udp_port, self._verifier(None),
                self.writer, opts.batch_size, opts.batch_timeout)

    def _verifier(self, origin):
        return endpoint.Verifier(
            self.counters, self.warnings,
            self.conf.publisher.telemetry_secret,
            self.conf.collector.max_metadata_size, origin)

    def _bound_prefetch(self):
        """Default RabbitMQ's prefetch to two batches.

        oslo.messaging leaves it unlimited, so during a store outage the
        broker would push every queued notification into this process,
        unacknowledged; with a bound the backlog waits in the (durable)
        queue. An explicit ``[oslo_messaging_rabbit]
        rabbit_qos_prefetch_count`` still wins. The rabbit driver reads
        it when the transport is built, hence before that.
        """
        for group, group_opts in messaging_opts.list_opts():
            if group == 'oslo_messaging_rabbit':
                self.conf.register_opts(group_opts, group=group)
                self.conf.set_default(
                    'rabbit_qos_prefetch_count',
                    2 * self.conf.collector.batch_size, group=group)

    def _listener(self, url):
        opts = self.conf.collector
        self._bound_prefetch()
        transport = oslo_messaging.get_notification_transport(
            self.conf, url=url)
        origin = None
        if opts.record_origin:
            origin = origin_of(url or self.conf.transport_url or
                               'rabbit://localhost/')
        target = oslo_messaging.Target(topic=opts.metering_topic,
                                       exchange=opts.exchange)
        sample_endpoint = endpoint.SampleEndpoint(self._verifier(origin),
                                                  self.writer)
        LOG.info('Collecting %s.sample (exchange %s) from %s',
                 opts.metering_topic, opts.exchange,
                 origin_of(url or self.conf.transport_url or 'default://'))
        return oslo_messaging.get_batch_notification_listener(
            transport, [target], [sample_endpoint], executor='threading',
            allow_requeue=True, batch_size=opts.batch_size,
            batch_timeout=opts.batch_timeout)

    def start(self):
        self.reporter.start()
        for listener in self.listeners:
            listener.start()
        if self.udp is not None:
            self.udp.start()

    def stop(self):
        """Stop taking messages and finish (or give back) those in hand."""
        for listener in self.listeners:
            listener.stop()
        if self.udp is not None:
            self.udp.stop()
        give_up = threading.Timer(self.conf.collector.graceful_stop_timeout,
                                  self.writer.stop)
        give_up.daemon = True
        give_up.start()
        try:
            for listener in self.listeners:
                listener.wait()
            if self.udp is not None:
                self.udp.wait()
        finally:
            give_up.cancel()
            self.reporter.stop()
