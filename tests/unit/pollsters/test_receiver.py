"""The nanomsg receiver: real PUSH/PULL sockets on the loopback."""

import logging
import time

import pytest

from ceilometer_proxy.pollsters import measurements
from ceilometer_proxy.pollsters import nanomsg_socket
from ceilometer_proxy.pollsters import receiver
from tests import services


def message(n):
    return measurements.encode({
        'name': 'm', 'timestamp': '2026-01-01T00:00:00', 'unit': 'W',
        'type': 'gauge', 'value': n, 'resource_id': 'r', 'host': 'h',
        'resource_metadata': {}})


@pytest.fixture
def endpoint():
    return 'tcp://127.0.0.1:%d' % services.free_port()


def wait_for(check, timeout=10):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, 'condition not reached'
        time.sleep(0.01)


def test_pushed_measurements_are_buffered_in_order(endpoint):
    recv = receiver.Receiver(endpoint, size=100).start()
    push = nanomsg_socket.push_socket(endpoint)
    try:
        for n in range(10):
            push.send(message(n))
        wait_for(lambda: recv.counters().received == 10)
        assert [m.volume for m in recv.drain()] == list(range(10))
        assert recv.drain() == []
    finally:
        push.close()
        recv.stop()


def test_full_buffer_drops_the_oldest_and_counts(endpoint):
    recv = receiver.Receiver(endpoint, size=3).start()
    push = nanomsg_socket.push_socket(endpoint)
    try:
        for n in range(8):
            push.send(message(n))
        wait_for(lambda: recv.counters().received == 8)
        assert [m.volume for m in recv.drain()] == [5, 6, 7]
        assert recv.counters() == receiver.Counters(8, 0, 5)
    finally:
        push.close()
        recv.stop()


def test_bad_input_is_counted_and_survived(endpoint, caplog):
    caplog.set_level(logging.WARNING)
    recv = receiver.Receiver(endpoint, size=10, log_interval=60).start()
    push = nanomsg_socket.push_socket(endpoint)
    try:
        for raw in (b'\xc1', b'', measurements.encode({'name': 'x'}),
                    measurements.encode([1])):
            push.send(raw)
        push.send(message(1))
        wait_for(lambda: recv.counters().received == 1)
        assert recv.counters() == receiver.Counters(1, 4, 0)
        # Rate limited: one line for the four.
        lines = [r for r in caplog.records
                 if 'dropped an invalid measurement' in r.getMessage()]
        assert len(lines) == 1
        recv.log_losses()
        recv.log_losses()
        losses = [r for r in caplog.records
                  if 'since the last drain' in r.getMessage()]
        assert len(losses) == 1
        assert '4 invalid measurements and 0 dropped' in \
            losses[0].getMessage()
    finally:
        push.close()
        recv.stop()


def test_bind_failure_raises_at_start(endpoint):
    first = receiver.Receiver(endpoint, size=1).start()
    try:
        with pytest.raises(Exception):
            receiver.Receiver(endpoint, size=1).start()
    finally:
        first.stop()


def test_stop_ends_the_thread(endpoint):
    recv = receiver.Receiver(endpoint, size=1, recv_timeout_ms=50).start()
    recv.stop()
    assert not recv._thread.is_alive()
