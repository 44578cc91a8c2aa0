"""A consumer of the queues a StackTach deployments file names.

oslo.messaging names a notification queue after its routing key (or gives
all of a listener's bindings one pool queue), while StackTach deployments
name each queue and its routing key apart (``stacktach.monitor.info``
bound with ``monitor.info``), so these consumers speak AMQP through kombu
themselves. They declare what StackTach's worker declared: topic
exchanges and queues, durable as ``durable_queue`` says, with the
deployment's ``queue_arguments``.

The guarantees are the collector's: a batch is acknowledged only once the
event store kept it, a stop before that gives it back to its queues, and a
lost connection is opened again with a growing delay (what the broker had
delivered and nobody acknowledged comes again; ``message_id`` makes that
harmless). All AMQP traffic, heartbeats included, stays on the consumer's
thread; the store writes run on a thread of their own, so the next batch
is received and converted while the previous one is being written, and a
long store outage does not look like a dead connection to the broker.
"""

import concurrent.futures
import json
import socket
import threading
import time

import kombu
from oslo_log import log

from ceilometer_proxy.collector import events
from ceilometer_proxy.event import converter

LOG = log.getLogger(__name__)

# Seconds between two reads of the socket when nothing arrives: how soon
# a stop or a finished write is noticed.
IDLE_POLL = 0.5
BUSY_POLL = 0.02
HEARTBEAT = 30
CONNECT_TIMEOUT = 10
# The key of a messaging v2 envelope holding the message as JSON text,
# and the one oslo.messaging adds for its own duplicate detection.
OSLO_ENVELOPE = 'oslo.message'
OSLO_UNIQUE_ID = '_unique_id'


def decode_message(raw):
    """The flat notification body of an AMQP message oslo.messaging sent:
    a messaging v2 envelope (``{"oslo.version": "2.0", "oslo.message":
    "<json>"}``) or a v1 body, plain JSON."""
    try:
        if isinstance(raw, bytes):
            raw = raw.decode('utf-8')
        body = json.loads(raw)
        if isinstance(body, dict) and OSLO_ENVELOPE in body:
            body = json.loads(body[OSLO_ENVELOPE])
    except (TypeError, ValueError) as err:
        raise converter.MalformedNotification('undecodable message: %s'
                                              % err)
    if not isinstance(body, dict):
        raise converter.MalformedNotification(
            'message is a %s, not a notification' % type(body).__name__)
    body.pop(OSLO_UNIQUE_ID, None)
    return body


def priority_of(body, routing_key):
    """The notification's priority; the end of its routing key
    (``monitor.error``) when the body does not say."""
    priority = body.get('priority')
    if not isinstance(priority, str) or not priority:
        priority = (routing_key or '').rpartition('.')[2]
    return priority.lower()


class _Batch(object):
    """Messages received and not yet settled, with their events."""

    def __init__(self):
        self.messages = []
        self.events = []

    def take(self, size):
        """The first ``size`` messages (and their events), removed."""
        taken = _Batch()
        taken.messages = self.messages[:size]
        taken.events = self.events[:size]
        del self.messages[:size]
        del self.events[:size]
        return taken

    def stored(self):
        return [e for e in self.events if e is not None]


class DeploymentConsumer(object):
    """A thread consuming one deployment's queues into the event writer.

    :param deployment: a deployments.Deployment.
    :param intake: the events.EventIntake (origin: the deployment's name).
    :param writer: the event BatchWriter.
    """

    def __init__(self, deployment, intake, writer, batch_size, batch_timeout,
                 reconnect_delay=1.0, max_reconnect_delay=10.0):
        self.deployment = deployment
        self.intake = intake
        self.writer = writer
        self.batch_size = batch_size
        self.batch_timeout = batch_timeout
        self.reconnect_delay = reconnect_delay
        self.max_reconnect_delay = max_reconnect_delay
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._run, daemon=True,
            name='collector-deployment-%s' % deployment.name)
        self._writes = concurrent.futures.ThreadPoolExecutor(
            1, thread_name_prefix='collector-write-%s' % deployment.name)
        self._pending = _Batch()
        self._deadline = None

    def start(self):
        LOG.info('Collecting events of deployment %s from %s: %s',
                 self.deployment.name, self.deployment.location,
                 ', '.join('%s (%s)' % (queue, ', '.join(
                     '%s/%s' % b for b in bindings))
                     for queue, bindings in self.deployment.queues.items()))
        self._thread.start()

    def stop(self):
        """Stop taking messages; those in hand are stored (or given back)
        before wait() returns."""
        self._stopping.set()

    def wait(self):
        self._thread.join()
        self._writes.shutdown()

    def _run(self):
        delay = self.reconnect_delay
        while not self._stopping.is_set():
            began = time.monotonic()
            try:
                with kombu.Connection(transport='pyamqp',
                                      heartbeat=HEARTBEAT,
                                      connect_timeout=CONNECT_TIMEOUT,
                                      **self.deployment.connection_params()
                                      ) as conn:
                    conn.connect()
                    self._consume(conn)
                    return
            except Exception as err:
                # Whatever the broker or the network did, the consumer
                # goes on: what it held comes again on the next channel.
                self._pending = _Batch()
                if time.monotonic() - began > self.max_reconnect_delay:
                    delay = self.reconnect_delay
                LOG.warning('Deployment %s (%s): %s: %s; reconnecting in '
                            '%.1fs', self.deployment.name,
                            self.deployment.location, type(err).__name__,
                            err, delay)
            if self._stopping.wait(delay):
                return
            delay = min(delay * 2, self.max_reconnect_delay)

    def _queues(self):
        durable = self.deployment.durable
        arguments = self.deployment.queue_arguments or None
        queues = []
        for name, bindings in self.deployment.queues.items():
            exchanges = [kombu.binding(
                kombu.Exchange(b.exchange, type='topic', durable=durable,
                               auto_delete=False),
                routing_key=b.routing_key) for b in bindings]
            queues.append(kombu.Queue(
                name, durable=durable, auto_delete=False, exclusive=False,
                queue_arguments=arguments, bindings=exchanges))
        return queues

    def _consume(self, conn):
        channel = conn.channel()
        consumer = kombu.Consumer(channel, self._queues(),
                                  on_message=self._received,
                                  prefetch_count=2 * self.batch_size)
        consumer.consume()
        LOG.info('Deployment %s: consuming', self.deployment.name)
        in_flight = None
        heartbeat_due = time.monotonic()
        while not self._stopping.is_set():
            self._drain(conn, BUSY_POLL if in_flight or self._pending.messages
                        else IDLE_POLL)
            now = time.monotonic()
            if now >= heartbeat_due:
                conn.heartbeat_check()
                heartbeat_due = now + 1.0
            if in_flight is not None and in_flight[0].done():
                self._settle(*in_flight)
                in_flight = None
            if in_flight is None and self._batch_due(now):
                in_flight = self._submit()
        # Stopping: no more deliveries; finish what is in hand.
        consumer.cancel()
        if in_flight is None and self._pending.messages:
            in_flight = self._submit()
        while in_flight is not None:
            self._wait_for(conn, in_flight[0])
            if self._settle(*in_flight) and self._pending.messages:
                in_flight = self._submit()
            else:
                in_flight = None
        for message in self._pending.messages:
            message.requeue()
        self._pending = _Batch()

    def _drain(self, conn, timeout):
        try:
            conn.drain_events(timeout=timeout)
        except socket.timeout:
            pass

    def _wait_for(self, conn, future):
        """Keep the connection alive until the write is done."""
        while not future.done():
            self._drain(conn, 0.2)
            conn.heartbeat_check()

    def _batch_due(self, now):
        if not self._pending.messages:
            return False
        return (len(self._pending.messages) >= self.batch_size or
                now >= self._deadline)

    def _submit(self):
        batch = self._pending.take(self.batch_size)
        if self._pending.messages:
            self._deadline = time.monotonic() + self.batch_timeout
        return self._writes.submit(self.writer.write, batch.stored()), batch

    def _settle(self, future, batch):
        """Acknowledge a written batch, or give it back; whether it was
        stored."""
        stored = future.result()
        if stored:
            # Every message delivered before the last of the batch is in
            # it or was settled before.
            batch.messages[-1].ack(multiple=True)
        else:
            for message in batch.messages:
                message.requeue()
            for message in self._pending.messages:
                message.requeue()
            self._pending = _Batch()
        return stored

    def _received(self, message):
        """Convert a delivery at once; it is settled with its batch."""
        if not self._pending.messages:
            self._deadline = time.monotonic() + self.batch_timeout
        found = []
        try:
            body = decode_message(message.body)
        except converter.MalformedNotification as err:
            self.intake.refuse(events.MALFORMED, err)
        else:
            priority = priority_of(body,
                                   message.delivery_info.get('routing_key'))
            self.intake.accept(priority, body, found)
        self._pending.messages.append(message)
        self._pending.events.append(found[0] if found else None)
