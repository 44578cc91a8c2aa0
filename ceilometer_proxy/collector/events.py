"""Notifications into events: the conversion step and the batch endpoint.

Every notification on the event topics becomes at most one event. A
notification that cannot be converted is dropped and counted
(``events.dropped.<reason>``) on its own, so the rest of its batch is
stored; nothing a producer sends can stop a listener. The endpoint
acknowledges a batch once the event store kept it, and requeues it when
the collector stops first, exactly as the metering endpoint does.
"""

import functools

from oslo_log import log
import oslo_messaging

from ceilometer_proxy.collector import stats
from ceilometer_proxy.event import converter
from ceilometer_proxy.event import models

LOG = log.getLogger(__name__)

ORIGIN_TRAIT = 'origin'

RECEIVED = stats.EVENTS_PREFIX + stats.RECEIVED
DROPPED = stats.EVENTS_PREFIX + stats.DROPPED_PREFIX
# Reasons an event is dropped (counters ``events.dropped.<reason>``).
MALFORMED = 'malformed'
UNMATCHED = 'unmatched'
CONVERSION_FAILED = 'conversion_failed'


class EventIntake(object):
    """Converts notification bodies into events, counting and reporting
    (rate limited) what it drops.

    :param converter: an event.converter.EventConverter.
    :param origin: recorded as the text trait ``origin`` when given.
    """

    def __init__(self, event_converter, counters, warnings, origin=None):
        self.converter = event_converter
        self.counters = counters
        self.warnings = warnings
        self.origin = origin

    def accept(self, priority, body, events):
        """Append the event of one old-format body to events, or drop it.
        """
        self.counters.add(RECEIVED)
        try:
            event = self.converter.to_event(priority, body)
        except converter.MalformedNotification as err:
            self.drop(MALFORMED, err)
            return
        except Exception as err:
            # A conversion bug must cost one notification, not the worker
            # (nor a batch requeued for ever).
            LOG.debug('Conversion of %.300r failed', body, exc_info=True)
            self.drop(CONVERSION_FAILED, '%s: %s' % (
                type(err).__name__, err))
            return
        if event is None:
            self.counters.add(DROPPED + UNMATCHED)
            return
        if self.origin is not None:
            event.traits = [t for t in event.traits or ()
                            if t.name != ORIGIN_TRAIT]
            event.traits.append(models.Trait(
                ORIGIN_TRAIT, models.Trait.TEXT_TYPE, self.origin))
        events.append(event)

    def accept_notification(self, priority, notification, events):
        """Like accept, for a notification as oslo.messaging hands it to
        batch listeners (context, envelope and payload apart)."""
        try:
            body = converter.old_format(priority, notification)
        except converter.MalformedNotification as err:
            self.refuse(MALFORMED, err)
            return
        self.accept(priority, body, events)

    def refuse(self, reason, detail):
        """Count a notification received and dropped before conversion."""
        self.counters.add(RECEIVED)
        self.drop(reason, detail)

    def drop(self, reason, detail):
        self.counters.add(DROPPED + reason)
        self.warnings.warning(DROPPED + reason,
                              'Dropped a notification (%s): %s', reason,
                              detail)


class EventEndpoint(object):
    """Endpoint of a batch notification listener, one method per kept
    priority.

    oslo.messaging consumes the queues ``<topic>.<priority>`` of exactly
    the priorities its endpoints have methods for, so they are made from
    the ``event_priorities`` option rather than written out.
    """

    def __init__(self, intake, writer, priorities):
        self.intake = intake
        self.writer = writer
        for priority in priorities:
            setattr(self, priority, functools.partial(self.store, priority))

    def store(self, priority, notifications):
        events = []
        for notification in notifications:
            self.intake.accept_notification(priority, notification, events)
        if not self.writer.write(events):
            return oslo_messaging.NotificationResult.REQUEUE
        return oslo_messaging.NotificationResult.HANDLED
