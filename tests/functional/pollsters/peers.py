"""Watcher-metering peers for the pollster and listener tests.

:class:`WatcherAgent` runs the real ``watcher-metering-agent`` (0.21.6,
unmodified, from the peer virtualenv of ``tools/build-peer-venv.sh
watcher``) with host drivers measuring every second and pushing to a
given endpoint. :func:`push_bad_and_good` plays a second agent that
sends junk first and two hand-made measurements after it on the same
connection, so that their arrival proves the junk was survived.
"""

import os
import platform
import shutil
import subprocess
import tempfile
import time

from ceilometer_proxy.pollsters import measurements
from ceilometer_proxy.pollsters import nanomsg_socket
from tests import services

DRIVERS = {
    # driver name: (meter name, unit)
    'cpu_user': ('compute.node.cpu.user', '%'),
    'cpu_count': ('compute.node.cpu.count', ''),
    'memory_total': ('compute.node.memory.total', 'bytes'),
    'disk_free': ('compute.node.disk.free', 'bytes'),
    'swap_used': ('compute.node.swap.used', 'bytes'),
}
NODE = platform.node()

BAD_MESSAGES = [
    b'\xc1 is never msgpack',
    measurements.encode(['a', 'list']),
    measurements.encode({'name': 'bad.value', 'timestamp': '2026-01-01',
                         'unit': 'W', 'type': 'gauge', 'value': 'high',
                         'resource_id': 'r', 'host': 'h',
                         'resource_metadata': {}}),
    measurements.encode({'timestamp': '2026-01-01T00:00:00', 'unit': 'W',
                         'type': 'gauge', 'value': 1.0, 'resource_id': 'r',
                         'host': 'h', 'resource_metadata': {}}),
    measurements.encode({'name': 'bad.type', 'timestamp': '2026-01-01',
                         'unit': 'W', 'type': 'rate', 'value': 1.0,
                         'resource_id': 'r', 'host': 'h',
                         'resource_metadata': {}}),
    measurements.encode({'name': 'bad.timestamp', 'timestamp': 'yesterday',
                         'unit': 'W', 'type': 'gauge', 'value': 1.0,
                         'resource_id': 'r', 'host': 'h',
                         'resource_metadata': {}}),
]

GOOD_MESSAGES = [
    {'name': 'pdu.outlet.power', 'timestamp': '2026-11-25T10:18:56.080598',
     'unit': 'W', 'type': '', 'value': 231.5, 'resource_id': 'pdu-7:3',
     'host': 'controller-1', 'resource_metadata': {'title': 'outlet 3'}},
    {'name': 'pdu.outlet.energy',
     'timestamp': '2026-11-25T12:00:00+02:00', 'unit': 'kWh',
     'type': 'cumulative', 'value': 42, 'resource_id': 'pdu-7:3',
     'host': 'controller-1', 'resource_metadata': None},
]

# What the GOOD_MESSAGES become: (name, type, unit, volume, resource_id,
# timestamp, metadata).
GOOD_EXPECTED = [
    ('pdu.outlet.power', 'gauge', 'W', 231.5, 'pdu-7:3',
     '2026-11-25T10:18:56.080598+00:00',
     {'title': 'outlet 3', 'host': 'controller-1'}),
    ('pdu.outlet.energy', 'cumulative', 'kWh', 42, 'pdu-7:3',
     '2026-11-25T10:00:00+00:00', {'host': 'controller-1'}),
]


def push_bad_and_good(endpoint):
    """Send BAD_MESSAGES then GOOD_MESSAGES from one PUSH socket."""
    sock = nanomsg_socket.push_socket(endpoint, send_timeout_ms=5000)
    try:
        for raw in BAD_MESSAGES:
            sock.send(raw)
        for item in GOOD_MESSAGES:
            sock.send(measurements.encode(item))
    finally:
        # Give the library time to flush before closing.
        time.sleep(0.5)
        sock.close()


def memory_total():
    with open('/proc/meminfo') as f:
        for line in f:
            if line.startswith('MemTotal:'):
                return int(line.split()[1]) * 1024
    raise AssertionError('no MemTotal in /proc/meminfo')


class WatcherAgent(object):
    """The real watcher-metering agent pushing to ``endpoint``."""

    def __init__(self, endpoint, drivers=tuple(DRIVERS), interval=1):
        self.endpoint = endpoint
        self.drivers = list(drivers)
        self.interval = interval
        self.dir = tempfile.mkdtemp(prefix='watcher-agent-')
        self.conf_path = os.path.join(self.dir, 'agent.conf')
        self.log_path = os.path.join(self.dir, 'agent.log')
        self.proc = None

    def start(self):
        venv = subprocess.check_output(
            [os.path.join(services.REPO, 'tools', 'build-peer-venv.sh'),
             'watcher'], text=True).strip()
        sections = {'DEFAULT': {'log_file': self.log_path},
                    'agent': {'use_nanoconfig_service': 'false',
                              'publisher_endpoint': self.endpoint,
                              'driver_names': ','.join(self.drivers)}}
        for driver in self.drivers:
            sections['metrics_driver.%s' % driver] = {
                'interval': self.interval}
        services.write_config(self.conf_path, sections)
        out = open(os.path.join(self.dir, 'stderr.log'), 'ab')
        self.proc = subprocess.Popen(
            [os.path.join(venv, 'bin', 'watcher-metering-agent'),
             '--config-file', self.conf_path],
            stdout=out, stderr=out, cwd=self.dir)
        return self

    def log(self):
        return (services._tail(self.log_path)
                + services._tail(os.path.join(self.dir, 'stderr.log')))

    def cleanup(self):
        services.stop_process(self.proc)
        self.proc = None
        shutil.rmtree(self.dir, ignore_errors=True)
