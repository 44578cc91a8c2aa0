"""Faults between the region's create and the cascading row.

The RegionProxy holds the region's answer to ``POST /v2/alarms``: the alarm
exists in the region, the cascading API has not heard of it yet. Then

- the cascading API process is killed (SIGKILL): the region alarm is an
  orphan, and ceilometer-proxy-housekeeping's reconciler finds and removes
  it;
- the alarm table's store (a FerretDB of its own) is stopped: the row
  cannot be written, so the API deletes the region alarm again and answers
  503; ceilometer-proxy-cascading-reconcile later drops the abandoned
  intent.
"""

import threading
import time
import uuid

import pytest

from tests import deployment
from tests import services

ADMIN = deployment.ADMIN


@pytest.fixture(scope='module')
def env(mongodb_url):
    with deployment.cascade(mongodb_url, v2=('r1',), proxied=True,
                            extra=deployment.ALARM_SETTINGS,
                            start_cascading=False) as env:
        yield env


def reconcile(conf_path):
    """Run the operator's command; (exit code, last line of output)."""
    code, _out, last = services.run_command(
        'ceilometer-proxy-cascading-reconcile', conf_path, '--min-age', '0')
    return code, last


def housekeeping(conf_path):
    """One round of ceilometer-proxy-housekeeping; (exit code, last line)."""
    code, _out, last = services.run_command(
        'ceilometer-proxy-housekeeping', conf_path, '--once')
    return code, last


def create_in_background(url, name):
    """POST the alarm from a thread; returns (thread, result dict)."""
    result = {}
    body = {'name': name, 'type': 'threshold',
            'threshold_rule': {'meter_name': 'cpu_util', 'threshold': 1.0,
                               'query': [{'field': 'metadata.metering.'
                                                   'region',
                                          'value': 'r1'}]}}

    def post():
        try:
            result['resp'] = services.Client(url, headers=ADMIN).post(
                '/v2/alarms', body)
        except Exception as err:  # the server is killed under it
            result['error'] = err

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread, result


def region_names(env):
    return [a['name'] for a in env.client(ADMIN, region='r1').get_json(
        '/v2/alarms')]


def test_a_crash_leaves_an_orphan_the_reconciler_removes(env):
    casc = env.start_cascading()
    try:
        kept = 'kept-%s' % uuid.uuid4().hex[:8]
        thread, result = create_in_background(casc.url, kept)
        thread.join(30)
        assert result['resp'].status_code == 201, result['resp'].text

        name = 'crash-%s' % uuid.uuid4().hex[:8]
        hold = env.regions['r1'].proxy.hold('POST', '/v2/alarms')
        thread, result = create_in_background(casc.url, name)
        assert hold.reached.wait(30)
        assert hold.status == 201
        casc.kill()                          # dies before the local write
        hold.release()
        thread.join(30)
        assert 'resp' not in result
        assert name in region_names(env)

        # ceilometer-proxy-housekeeping runs the reconciler; an intent
        # counts as abandoned after 2 * http_timeout + 5 s.
        casc.extra['cascading'].update({'http_timeout': 1})
        casc.start()
        deadline = time.monotonic() + 60
        while True:
            code, line = housekeeping(casc.conf_path)
            assert code == 0, line
            if name not in region_names(env) or (
                    time.monotonic() > deadline):
                break
            time.sleep(1)
        assert name not in region_names(env)
        assert line == ('Alarm reconciliation: 1 orphan region alarm(s) '
                        'found, 1 removed, 0 failed (1 abandoned create(s) '
                        'checked, 0 unfinished delete(s) finished)')
        # A live alarm is never taken for an orphan.
        assert kept in region_names(env)
    finally:
        casc.cleanup()


def test_a_failed_local_write_deletes_the_region_alarm(env):
    table_store = services.FerretDB().start()
    alarm_url = table_store.url + '/alarm_table'
    casc = env.start_cascading({
        'cascading': {'alarm_connection': alarm_url},
        'database': {'server_timeout': 1, 'socket_timeout': 2}})
    try:
        name = 'nostore-%s' % uuid.uuid4().hex[:8]
        hold = env.regions['r1'].proxy.hold('POST', '/v2/alarms')
        thread, result = create_in_background(casc.url, name)
        assert hold.reached.wait(30)
        table_store.stop()                   # the local write will fail
        hold.release()
        thread.join(60)
        resp = result['resp']
        assert resp.status_code == 503, resp.text
        assert name not in region_names(env)

        table_store.start()                  # same port, same data
        code, line = reconcile(casc.conf_path)
        assert code == 0
        # The intent the API could not drop (its store was down) goes now.
        assert line == ('Alarm reconciliation: 0 orphan region alarm(s) '
                        'found, 0 removed, 0 failed (1 abandoned create(s) '
                        'checked, 0 unfinished delete(s) finished)')
    finally:
        casc.cleanup()
        table_store.cleanup()
