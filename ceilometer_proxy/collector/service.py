"""The collector service: one batch listener per message bus and kind
(samples, events), one consumer per StackTach deployment, one UDP
listener, and a writer per store.

Several buses at once let one collector serve many deployments (or cells),
as StackTach ran one worker per deployment; with ``record_origin`` every
sample and event says which bus it came from. Samples and events have
listeners and writers of their own, so that neither waits for the other.
Stopping is graceful: listeners stop taking messages, the batches in hand
are written and acknowledged, and only if the store stays away longer
than ``graceful_stop_timeout`` are they given back to their queues
instead.
"""

import os
import threading
from urllib import parse

from oslo_config import cfg
from oslo_log import log
import oslo_messaging
from oslo_messaging.notify import dispatcher
from oslo_messaging import opts as messaging_opts

from ceilometer_proxy.collector import deployment_consumer
from ceilometer_proxy.collector import deployments
from ceilometer_proxy.collector import endpoint
from ceilometer_proxy.collector import events
from ceilometer_proxy.collector import stats
from ceilometer_proxy.collector import udp
from ceilometer_proxy.collector import writer as batch_writer
from ceilometer_proxy.event import converter as event_converter

LOG = log.getLogger(__name__)


def origin_of(url):
    """A transport URL without its credentials, naming a deployment."""
    parts = parse.urlsplit(url)
    hosts = [h.rpartition('@')[2] for h in parts.netloc.split(',')]
    return '%s://%s%s' % (parts.scheme, ','.join(hosts), parts.path or '/')


def event_priorities(conf):
    """The ``event_priorities`` option, checked: oslo.messaging would
    silently never deliver a priority it does not know."""
    priorities = []
    for priority in conf.collector.event_priorities:
        priority = priority.strip().lower()
        if priority not in dispatcher.PRIORITIES:
            raise ValueError('[collector] event_priorities: unknown '
                             'priority %r (known: %s)' % (
                                 priority, ', '.join(dispatcher.PRIORITIES)))
        if priority not in priorities:
            priorities.append(priority)
    return priorities


def deployments_path(conf):
    """``deployments_file``, looked for next to the configuration files
    when it is not a path that exists."""
    name = conf.collector.deployments_file
    if not name or os.path.exists(name):
        return name
    try:
        return conf.find_file(name) or name
    except cfg.Error:
        return name


class CollectorService(object):
    """Listeners and writers of one collector process.

    :param conf: the service's ConfigOpts.
    :param conn: the metering storage driver.
    :param event_conn: the event storage driver; events are collected
        when it is given and ``[collector] events`` is true.
    """

    def __init__(self, conf, conn, event_conn=None):
        self.conf = conf
        opts = conf.collector
        self.counters = stats.Counters()
        self.warnings = stats.RateLimitedLog()
        collect_events = bool(opts.events and event_conn is not None)
        slots = batch_writer.WriteSlots(opts.write_concurrency,
                                        writers=2 if collect_events else 1)
        self.writer = batch_writer.BatchWriter(
            conn, self.counters, opts.retry_backoff, opts.max_retry_backoff,
            self.warnings, slots=slots)
        self.event_writer = None
        self.reporter = stats.Reporter(self.counters, opts.stats_interval,
                                       opts.stats_file)
        self._transports = {}
        self.listeners = []
        if opts.notifications:
            self.listeners = [self._listener(url)
                              for url in opts.messaging_urls or [None]]
        self.consumers = []
        if collect_events:
            self._collect_events(event_conn, slots)
        elif opts.deployments_file:
            LOG.warning('[collector] deployments_file is ignored: events '
                        'are not collected')
        self.udp = None
        if opts.udp_address:
            self.udp = udp.UdpListener(
                opts.udp_address, opts.udp_port, self._verifier(None),
                self.writer, opts.batch_size, opts.batch_timeout)

    def _collect_events(self, event_conn, slots):
        opts = self.conf.collector
        self.counters.declare(stats.EVENT_COUNTERS)
        self.event_writer = batch_writer.BatchWriter(
            event_conn, self.counters, opts.retry_backoff,
            opts.max_retry_backoff, self.warnings,
            record=event_conn.record_events, items=batch_writer.EVENTS,
            slots=slots)
        self.converter = event_converter.load_converter(self.conf)
        priorities = event_priorities(self.conf)
        if opts.event_topics and opts.event_exchanges and priorities:
            self.listeners.extend(
                self._event_listener(url, priorities)
                for url in opts.messaging_urls or [None])
        path = deployments_path(self.conf)
        if path:
            self.consumers = [self._deployment_consumer(deployment)
                              for deployment in deployments.load(path)]

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

    def _transport(self, url):
        """The notification transport of a bus, shared by its listeners.
        """
        if url not in self._transports:
            self._bound_prefetch()
            self._transports[url] = oslo_messaging.get_notification_transport(
                self.conf, url=url)
        return self._transports[url]

    def _origin(self, url):
        if not self.conf.collector.record_origin:
            return None
        return origin_of(url or self.conf.transport_url or
                         'rabbit://localhost/')

    def _bus_name(self, url):
        return origin_of(url or self.conf.transport_url or 'default://')

    def _listener(self, url):
        opts = self.conf.collector
        transport = self._transport(url)
        target = oslo_messaging.Target(topic=opts.metering_topic,
                                       exchange=opts.exchange)
        sample_endpoint = endpoint.SampleEndpoint(
            self._verifier(self._origin(url)), self.writer)
        LOG.info('Collecting %s.sample (exchange %s) from %s',
                 opts.metering_topic, opts.exchange, self._bus_name(url))
        return oslo_messaging.get_batch_notification_listener(
            transport, [target], [sample_endpoint], executor='threading',
            allow_requeue=True, batch_size=opts.batch_size,
            batch_timeout=opts.batch_timeout)

    def _intake(self, origin):
        return events.EventIntake(self.converter, self.counters,
                                  self.warnings, origin)

    def _event_listener(self, url, priorities):
        """One listener for every event topic, exchange and priority of a
        bus (the queues <topic>.<priority> bound in every exchange)."""
        opts = self.conf.collector
        targets = [oslo_messaging.Target(topic=topic, exchange=exchange)
                   for topic in dict.fromkeys(opts.event_topics)
                   for exchange in dict.fromkeys(opts.event_exchanges)]
        event_endpoint = events.EventEndpoint(
            self._intake(self._origin(url)), self.event_writer, priorities)
        LOG.info('Collecting events (topics %s, priorities %s, %d '
                 'exchanges) from %s', ', '.join(opts.event_topics),
                 ', '.join(priorities), len(opts.event_exchanges),
                 self._bus_name(url))
        return oslo_messaging.get_batch_notification_listener(
            self._transport(url), targets, [event_endpoint],
            executor='threading', allow_requeue=True,
            batch_size=opts.batch_size, batch_timeout=opts.batch_timeout)

    def _deployment_consumer(self, deployment):
        opts = self.conf.collector
        origin = deployment.name if opts.record_origin else None
        return deployment_consumer.DeploymentConsumer(
            deployment, self._intake(origin), self.event_writer,
            opts.batch_size, opts.batch_timeout)

    def start(self):
        self.reporter.start()
        for listener in self.listeners:
            listener.start()
        for consumer in self.consumers:
            consumer.start()
        if self.udp is not None:
            self.udp.start()

    def _writers(self):
        return [w for w in (self.writer, self.event_writer) if w is not None]

    def stop(self):
        """Stop taking messages and finish (or give back) those in hand."""
        for listener in self.listeners:
            listener.stop()
        for consumer in self.consumers:
            consumer.stop()
        if self.udp is not None:
            self.udp.stop()
        give_up = threading.Timer(self.conf.collector.graceful_stop_timeout,
                                  self._give_up)
        give_up.daemon = True
        give_up.start()
        try:
            for listener in self.listeners:
                listener.wait()
            for consumer in self.consumers:
                consumer.wait()
            if self.udp is not None:
                self.udp.wait()
        finally:
            give_up.cancel()
            self.reporter.stop()

    def _give_up(self):
        for writer in self._writers():
            writer.stop()
