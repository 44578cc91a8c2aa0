"""Our plugins as Ceilometer 27 loads them, in its own virtualenv.

A script run by the Ceilometer virtualenv's interpreter loads the
``ceilometer.poll.central`` extensions the way ``ceilometer-polling``
does (stevedore, ``invoke_on_load`` with the agent's configuration) and
reports what happened: the ``watcher`` pollster is skipped, with an error
logged, when its endpoint is taken, and polled samples keep their own
time when the agent stamps them.
"""

import json
import os
import subprocess

from ceilometer_proxy.pollsters import nanomsg_socket
from tests import ceilometer_agents
from tests import services

SCRIPT = '''
import json
import sys

from ceilometer.polling import manager
from ceilometer import service

# Options of our groups are registered by the plugins, as they load.
conf = service.prepare_service(argv=[], config_files=[sys.argv[1]])
loaded = manager.AgentManager._get_ext_mgr('ceilometer.poll.central', conf)
names = sorted(loaded.names())
energy = loaded['energy'].obj
from ceilometer_proxy.pollsters import probes
sample = next(iter(energy.get_samples(
    None, {'kwapi.probes': {'http://k/v1': probes.parse(
        'http://k/v1', {'probes': {'P': {'timestamp': 0, 'kwh': 1,
                                         'w': 2}}})}},
    ['http://k/v1'])))
sample.set_timestamp('2030-01-01T00:00:00')
print(json.dumps({'names': names, 'timestamp': sample.timestamp}))
'''


def test_busy_watcher_endpoint_skips_only_that_pollster(tmp_path):
    endpoint = 'tcp://127.0.0.1:%d' % services.free_port()
    conf_path = str(tmp_path / 'ceilometer.conf')
    log_path = str(tmp_path / 'agent.log')
    services.write_config(conf_path, {
        'DEFAULT': {'log_file': log_path},
        'watcher': {'listen_endpoint': endpoint}})
    taken = nanomsg_socket.pull_socket(endpoint)
    try:
        venv = ceilometer_agents.venv_path()
        proc = subprocess.run(
            [os.path.join(venv, 'bin', 'python'), '-c', SCRIPT, conf_path],
            capture_output=True, text=True, timeout=120, cwd=str(tmp_path))
    finally:
        taken.close()
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert 'watcher' not in result['names']
    assert {'energy', 'power'} <= set(result['names'])
    with open(log_path) as f:
        assert 'watcher pollster disabled: cannot listen on %s' % (
            endpoint) in f.read()
    # The agent stamps every sample with the cycle's time: ours keep the
    # probe's (epoch 0, in UTC).
    assert result['timestamp'] == '1970-01-01T00:00:00+00:00'
