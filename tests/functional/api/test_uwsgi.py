"""ceilometer_proxy.wsgi.api under uwsgi, the way DevStack runs it.

uwsgi imports the module in each of its workers (lazy-apps, as DevStack's
write_uwsgi_config sets), with the configuration file named by
CEILOMETER_PROXY_CONFIG_FILES. The store must be prepared by the module
itself (the unique alarm-name index included), and samples and alarms
must work across the workers.
"""

import os
import subprocess
import sys

import pytest

from tests import services

ADMIN = {'X-User-Id': 'u1', 'X-Project-Id': 'p1', 'X-Roles': 'admin'}
UWSGI = os.path.join(os.path.dirname(sys.executable), 'uwsgi')


@pytest.fixture
def uwsgi_api(mongodb_url, tmp_path):
    if not os.path.exists(UWSGI):
        pytest.fail('uwsgi is not installed in the virtualenv '
                    '(test-requirements.txt: pyuwsgi)')
    api = services.ApiServer(services.db_url(
        mongodb_url, services.unique_db_name('uwsgi')))
    services.write_config(api.conf_path, api.config_sections())
    port = services.free_port()
    ini = tmp_path / 'ceilometer-proxy-api-uwsgi.ini'
    ini.write_text('\n'.join([
        '[uwsgi]',
        'module = ceilometer_proxy.wsgi.api:application',
        'http11-socket = 127.0.0.1:%d' % port,
        'master = true', 'processes = 2', 'threads = 4', 'lazy-apps = true',
        'die-on-term = true', 'disable-logging = true',
        'chdir = %s' % services.REPO,
        'env = CEILOMETER_PROXY_CONFIG_FILES=%s' % api.conf_path, '']))
    log_path = tmp_path / 'uwsgi.log'
    proc = subprocess.Popen([UWSGI, '--ini', str(ini)],
                            stdout=open(log_path, 'wb'),
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        services.wait_for_port(port, timeout=60, proc=proc,
                               log_path=str(log_path))
        yield services.Client('http://127.0.0.1:%d' % port, headers=ADMIN)
    finally:
        proc.kill()
        proc.wait(30)
        subprocess.run(['pkill', '-9', '-s', str(proc.pid)], check=False)
        api.cleanup()


def test_samples_and_alarms_under_uwsgi_workers(uwsgi_api):
    posted = uwsgi_api.post_json('/v2/meters/cpu', [{
        'counter_name': 'cpu', 'counter_type': 'gauge',
        'counter_unit': '%', 'counter_volume': v, 'resource_id': 'vm-1',
        'project_id': 'p1', 'user_id': 'u1'} for v in (1, 2, 3)])
    assert len(posted) == 3
    for _ in range(6):  # answered by both workers, one store
        stats = uwsgi_api.get_json('/v2/meters/cpu/statistics')
        assert stats[0]['count'] == 3 and stats[0]['max'] == 3.0
    alarm = {'name': 'hot', 'type': 'threshold',
             'threshold_rule': {'meter_name': 'cpu', 'threshold': 2.0}}
    uwsgi_api.post_json('/v2/alarms', alarm)
    # The unique name index was made when the module loaded.
    statuses = {uwsgi_api.post('/v2/alarms', alarm).status_code
                for _ in range(4)}
    assert statuses == {409}
    assert [a['name'] for a in uwsgi_api.get_json('/v2/alarms')] == ['hot']
