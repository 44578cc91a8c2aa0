"""Event capture: conversion with its counters, the batch endpoint, the
event writer and its share of the write slots, and decoding messages off
the wire for deployments-file consumers."""

import json
import threading

import oslo_messaging
import pytest

from ceilometer_proxy.collector import deployment_consumer
from ceilometer_proxy.collector import events
from ceilometer_proxy.collector import service
from ceilometer_proxy.collector import stats
from ceilometer_proxy.collector import writer
from ceilometer_proxy.event import converter
from ceilometer_proxy.event import models
from ceilometer_proxy import storage

DEFINITIONS = [{'event_type': 'compute.instance.*',
                'traits': {'instance_id': {'fields': 'payload.instance_id'},
                           'origin': {'fields': 'payload.origin'}}}]


class EventStore(object):
    """In-memory stand-in of the event driver's write interface: down for
    the first ``outages`` writes, refusing events whose id starts with
    'bad' (naming them, as the MongoDB driver does)."""

    def __init__(self, outages=0):
        self.outages = outages
        self.kept = {}

    def record_events(self, batch):
        if self.outages:
            self.outages -= 1
            raise storage.StorageUnavailable('down')
        good = [e for e in batch if not e.message_id.startswith('bad')]
        new = [e for e in good if e.message_id not in self.kept]
        self.kept.update((e.message_id, e) for e in good)
        if len(good) < len(batch):
            err = storage.InvalidData('refused')
            err.refused_ids = [e.message_id for e in batch if e not in good]
            err.new_count = len(new)
            raise err
        return len(new)

    def ping(self):
        if self.outages:
            raise storage.StorageUnavailable('down')


def notification(message_id, event_type='compute.instance.update',
                 payload=None):
    """A notification as oslo.messaging hands it to batch listeners."""
    return {'ctxt': {'request_id': 'req-' + message_id, 'user': 'u-1'},
            'publisher_id': 'compute.host1', 'event_type': event_type,
            'payload': {'instance_id': 'vm-1'} if payload is None
            else payload,
            'metadata': {'message_id': message_id,
                         'timestamp': '2026-03-04 05:06:07.000001'}}


def make_intake(origin=None, drop_unmatched=False):
    counters = stats.Counters()
    counters.declare(stats.EVENT_COUNTERS)
    return events.EventIntake(
        converter.EventConverter(DEFINITIONS, drop_unmatched=drop_unmatched,
                                 plugins={}),
        counters, stats.RateLimitedLog(), origin)


def event_writer(store, counters):
    return writer.BatchWriter(store, counters, backoff=0.01,
                              max_backoff=0.02, record=store.record_events,
                              items=writer.EVENTS)


def test_each_notification_is_converted_or_dropped_on_its_own():
    intake = make_intake(drop_unmatched=True)
    found = []
    for n in (notification('m-1'),
              notification('m-2', payload='not a mapping'),
              notification('m-3', event_type=None),
              notification('m-4', event_type='image.update'),
              'not a notification',
              notification('m-5')):
        intake.accept_notification('info', n, found)
    assert [e.message_id for e in found] == ['m-1', 'm-5']
    assert found[0].trait('request_id') == 'req-m-1'
    assert found[0].trait('instance_id') == 'vm-1'
    snap = intake.counters.snapshot()
    assert snap['events.received'] == 6
    assert snap['events.dropped.malformed'] == 3
    assert snap['events.dropped.unmatched'] == 1
    assert snap['received'] == 0  # the metering counters are apart


def test_origin_trait_replaces_any_other():
    intake = make_intake(origin='east_coast.prod.global')
    found = []
    intake.accept_notification('info', notification(
        'm-1', payload={'instance_id': 'vm-1', 'origin': 'spoofed'}), found)
    origins = [t for t in found[0].traits if t.name == 'origin']
    assert origins == [models.Trait('origin', models.Trait.TEXT_TYPE,
                                    'east_coast.prod.global')]


def test_a_converter_failure_costs_one_notification():
    class Broken(object):
        def to_event(self, priority, body):
            if body['message_id'] == 'm-2':
                raise KeyError('a bug')
            return models.Event(message_id=body['message_id'],
                                event_type='x', generated=None, traits=[])

    intake = events.EventIntake(Broken(), stats.Counters(),
                                stats.RateLimitedLog())
    found = []
    for message_id in ('m-1', 'm-2', 'm-3'):
        intake.accept('info', {'message_id': message_id}, found)
    assert [e.message_id for e in found] == ['m-1', 'm-3']
    assert intake.counters.snapshot()['events.dropped.conversion_failed'] \
        == 1


def test_endpoint_has_a_method_per_kept_priority_only():
    endpoint = events.EventEndpoint(make_intake(), None, ['info', 'error'])
    assert callable(endpoint.info) and callable(endpoint.error)
    assert not hasattr(endpoint, 'sample')
    assert not hasattr(endpoint, 'debug')


def test_endpoint_stores_and_acks_then_requeues_when_stopped():
    intake = make_intake()
    store = EventStore()
    w = event_writer(store, intake.counters)
    endpoint = events.EventEndpoint(intake, w, ['info', 'error'])
    result = endpoint.error([notification('m-1'),
                             notification('m-2', payload=[1])])
    assert result == oslo_messaging.NotificationResult.HANDLED
    assert list(store.kept) == ['m-1']
    assert intake.counters.snapshot()['events.stored'] == 1

    store.outages = 10 ** 6
    threading.Timer(0.1, w.stop).start()
    result = endpoint.info([notification('m-3')])
    assert result == oslo_messaging.NotificationResult.REQUEUE
    assert 'm-3' not in store.kept


def test_event_writer_counts_with_its_own_names():
    counters = stats.Counters()
    counters.declare(stats.EVENT_COUNTERS)
    store = EventStore(outages=2)
    store.kept['m-2'] = None
    w = event_writer(store, counters)
    batch = [models.Event(message_id=i, event_type='t', generated=None,
                          traits=[]) for i in ('m-1', 'bad-1', 'm-2')]
    assert w.write(batch)
    snap = counters.snapshot()
    assert snap['events.stored'] == 1
    assert snap['events.duplicates'] == 1
    assert snap['events.dropped.refused'] == 1
    assert snap['events.store_failures'] == 2
    assert (snap['stored'], snap['store_failures']) == (0, 0)


def test_a_flood_of_events_leaves_a_write_slot_for_samples():
    slots = writer.WriteSlots(4, writers=2)
    entered = threading.Semaphore(0)
    release = threading.Event()

    def slow_record(batch):
        entered.release()
        release.wait(10)
        return len(batch)

    counters = stats.Counters()
    event_w = writer.BatchWriter(EventStore(), counters, record=slow_record,
                                 items=writer.EVENTS, slots=slots)
    sample_w = writer.BatchWriter(EventStore(), counters,
                                  record=lambda batch: len(batch),
                                  slots=slots)
    writes = [threading.Thread(target=event_w.write, args=([models.Event(
        message_id='m-%d' % n, event_type='t', generated=None,
        traits=[])],)) for n in range(4)]
    try:
        for thread in writes:
            thread.start()
        for _ in range(3):
            assert entered.acquire(timeout=5)
        # The fourth event write waits for a slot, samples do not.
        assert not entered.acquire(timeout=0.2)
        assert sample_w.write([{'message_id': 's-1'}])
        assert counters.snapshot()['stored'] == 1
    finally:
        release.set()
        for thread in writes:
            thread.join(5)
    assert counters.snapshot()['events.stored'] == 4
    assert writer.WriteSlots(4).share == 4
    assert writer.WriteSlots(1, writers=2).share == 1


@pytest.mark.parametrize('raw', [
    json.dumps({'oslo.version': '2.0', 'oslo.message': json.dumps({
        'message_id': 'm-1', 'event_type': 'compute.instance.update',
        'priority': 'ERROR', '_unique_id': 'abc',
        '_context_request_id': 'req-1'})}).encode(),
    json.dumps({'message_id': 'm-1', 'event_type': 'compute.instance.update',
                'priority': 'ERROR', '_context_request_id': 'req-1'}),
])
def test_both_message_generations_decode_to_the_flat_body(raw):
    body = deployment_consumer.decode_message(raw)
    assert body['message_id'] == 'm-1'
    assert body['_context_request_id'] == 'req-1'
    assert '_unique_id' not in body
    assert deployment_consumer.priority_of(body, 'monitor.info') == 'error'


@pytest.mark.parametrize('raw', [
    b'\xff\xfe', b'{"oslo.version": "2.0", "oslo.message": "{x"}',
    b'[1, 2]', b'"text"', b'{"oslo.message": 3}'])
def test_undecodable_messages_are_malformed(raw):
    with pytest.raises(converter.MalformedNotification):
        deployment_consumer.decode_message(raw)


def test_priority_falls_back_to_the_routing_key():
    assert deployment_consumer.priority_of({}, 'monitor.warn') == 'warn'
    assert deployment_consumer.priority_of({'priority': ''},
                                           'monitor.info') == 'info'


def test_unknown_event_priorities_are_refused():
    from oslo_config import cfg
    from ceilometer_proxy import collector
    conf = cfg.ConfigOpts()
    conf.register_opts(collector.OPTS, group='collector')
    conf([], project='collector-tests')
    assert service.event_priorities(conf) == [
        'audit', 'critical', 'debug', 'error', 'info', 'warn']
    conf.set_override('event_priorities', ['info', 'INFO', 'notice'],
                      group='collector')
    with pytest.raises(ValueError) as err:
        service.event_priorities(conf)
    assert "'notice'" in str(err.value)
