"""python-ceilometerclient 2.9.0 (its own virtualenv) against the
cascading API: resource-list and single-resource statistics."""

import datetime
import subprocess

import pytest

from tests.functional import test_ceilometerclient as cc
from tests import services

T0 = datetime.datetime(2026, 1, 1)


@pytest.fixture(scope='module')
def ceilometer(cascading):
    out = subprocess.run([cc.BUILD_SCRIPT], check=True, timeout=900,
                         stdout=subprocess.PIPE, text=True).stdout
    return cc.Cli(out.strip().splitlines()[-1], cascading.url)


def test_resource_list_and_statistics_through_the_cli(env, ceilometer):
    env.register('vm-cli', region='regionTwo', cascaded_id='c-cli',
                 resource_type='cinder.volume', metadata={'size': '1'})
    env.register('vm-other', region='regionOne', cascaded_id='c-other')
    env.seed('regionTwo', [services.make_message(
        'volume.size', float(v), 'c-cli', T0 + datetime.timedelta(minutes=v),
        project_id='project-1', user_id='user-1') for v in (1, 2, 3, 4)])
    rows = ceilometer.table('resource-list')
    assert sorted(r['Resource ID'] for r in rows) == ['vm-cli', 'vm-other']
    stats = ceilometer.table('statistics', '-m', 'volume.size', '-q',
                             'resource_id=vm-cli', '-p', '120')
    # Periods start at the first sample (minute 1).
    assert [(r['Count'], r['Sum'], r['Max']) for r in stats] == [
        ('2', '3.0', '2.0'), ('2', '7.0', '4.0')]
    failed = ceilometer.run('statistics', '-m', 'volume.size', '-q',
                            'resource_id=nope', ok=False)
    assert failed.returncode != 0
    assert 'not found' in failed.stderr.lower()
