"""ceilometer-proxy-watcher-listener end to end.

The real watcher-metering agent (and a peer sending junk) push to the
listener process, which publishes on a private RabbitMQ; a notification
listener here receives what a collector would, on the metering topic, and
checks every message's signature.
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import shutil
import time

from oslo_config import cfg
import oslo_messaging
import pytest

from ceilometer_proxy.pollsters import nanomsg_socket
from ceilometer_proxy import signing
from tests.functional.pollsters import peers
from tests import rabbitmq
from tests import services

SECRET = 'listener-test-secret'


class MeteringEndpoint(object):
    """Keeps every metering notification received."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()

    def sample(self, ctxt, publisher_id, event_type, payload, metadata):
        with self.lock:
            self.received.append((publisher_id, event_type, payload))

    def messages(self):
        with self.lock:
            return [m for _, _, payload in self.received for m in payload]


@pytest.fixture(scope='module')
def setup():
    broker = rabbitmq.RabbitMQ().start()
    endpoint = 'tcp://127.0.0.1:%d' % services.free_port()
    workdir = tempfile.mkdtemp(prefix='watcher-listener-')
    conf_path = os.path.join(workdir, 'listener.conf')
    log_path = os.path.join(workdir, 'listener.log')
    services.write_config(conf_path, {
        'DEFAULT': {'transport_url': broker.url, 'log_file': log_path},
        'watcher': {'listen_endpoint': endpoint},
        'publisher': {'telemetry_secret': SECRET}})
    conf = cfg.ConfigOpts()
    conf([], project='test')
    transport = oslo_messaging.get_notification_transport(
        conf, url=broker.url)
    collected = MeteringEndpoint()
    consumer = oslo_messaging.get_notification_listener(
        transport, [oslo_messaging.Target(topic='metering')], [collected],
        executor='threading')
    consumer.start()
    stderr_path = os.path.join(workdir, 'stderr.log')
    stderr = open(stderr_path, 'ab')
    proc = subprocess.Popen(
        [sys.executable, '-m', 'ceilometer_proxy.cmd.watcher_listener',
         '--config-file', conf_path], stdout=stderr, stderr=stderr,
        cwd=services.REPO)
    agent = peers.WatcherAgent(endpoint)
    try:
        wait_for_text(stderr_path, 'listening on %s' % endpoint, proc)
        agent.start()
        yield {'collected': collected, 'endpoint': endpoint, 'proc': proc,
               'log_path': log_path, 'stderr_path': stderr_path}
    finally:
        agent.cleanup()
        services.stop_process(proc)
        consumer.stop()
        consumer.wait()
        transport.cleanup()
        broker.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)


def wait_for_text(path, text, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path) and text in open(path).read():
            return
        if proc.poll() is not None:
            raise AssertionError('listener exited: %s' % open(path).read())
        time.sleep(0.1)
    raise AssertionError('%r not in %s' % (text, path))


def wait_for(check, what, setup, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline or setup['proc'].poll() is not None:
            raise AssertionError('%s not seen: %s' % (
                what, services._tail(setup['log_path'])
                + services._tail(setup['stderr_path'])))
        time.sleep(0.2)


def test_agent_measurements_arrive_signed(setup):
    collected = setup['collected']
    names = {meter for meter, _ in peers.DRIVERS.values()}

    def every_driver():
        found = [m for m in collected.messages()
                 if m['counter_name'] in names]
        return found if {m['counter_name'] for m in found} == names else None

    found = wait_for(every_driver, 'every driver', setup)
    units = dict(peers.DRIVERS.values())
    for message in found:
        assert signing.verify_signature(message, SECRET)
        assert not signing.verify_signature(message, 'another secret')
        assert message['counter_type'] == 'gauge'
        assert message['counter_unit'] == units[message['counter_name']]
        assert message['resource_id'] == peers.NODE
        assert message['source'] == 'watcher'
        assert message['resource_metadata']['host'] == peers.NODE
        assert message['timestamp'].endswith('+00:00')
        if message['counter_name'] == 'compute.node.cpu.count':
            assert message['counter_volume'] == os.cpu_count()
    publisher_ids = {p for p, _, _ in collected.received}
    event_types = {e for _, e, _ in collected.received}
    assert publisher_ids == {
        'telemetry.publisher.%s' % socket.gethostname()}
    assert event_types == {'metering'}


def test_bad_messages_are_counted_and_survived(setup):
    collected = setup['collected']
    peers.push_bad_and_good(setup['endpoint'])

    def good_ones():
        found = [m for m in collected.messages()
                 if m['counter_name'].startswith('pdu.')]
        return found if len(found) == 2 else None

    found = wait_for(good_ones, 'the hand-made measurements', setup)
    got = sorted((m['counter_name'], m['counter_type'], m['counter_unit'],
                  m['counter_volume'], m['resource_id'], m['timestamp'],
                  m['resource_metadata']) for m in found)
    assert got == sorted(peers.GOOD_EXPECTED)
    for message in found:
        assert signing.verify_signature(message, SECRET)
        assert message['user_id'] is None
        assert message['project_id'] is None
    assert not [m for m in collected.messages()
                if m['counter_name'].startswith('bad.')]
    before = len(collected.messages())
    wait_for(lambda: len(collected.messages()) > before, 'more after junk',
             setup)
    log = open(setup['log_path']).read()
    totals = re.findall(r'received, (\d+) invalid, (\d+) dropped\)', log)
    assert totals and totals[-1] == (str(len(peers.BAD_MESSAGES)), '0')


def test_taken_endpoint_is_a_clear_error(tmp_path):
    endpoint = 'tcp://127.0.0.1:%d' % services.free_port()
    conf_path = str(tmp_path / 'listener.conf')
    services.write_config(conf_path, {
        'DEFAULT': {'transport_url': 'rabbit://guest:guest@127.0.0.1:1/'},
        'watcher': {'listen_endpoint': endpoint}})
    taken = nanomsg_socket.pull_socket(endpoint)
    try:
        proc = subprocess.run(
            [sys.executable, '-m', 'ceilometer_proxy.cmd.watcher_listener',
             '--config-file', conf_path], capture_output=True, text=True,
            timeout=60, cwd=services.REPO)
    finally:
        taken.close()
    assert proc.returncode == 1
    assert 'cannot listen on %s' % endpoint in proc.stderr
