"""The failure policy of fan-outs with a region stopped: 503 naming it, or
(``partial_results = true``) the other regions' answer plus a header."""

import datetime

import pytest

from tests import deployment
from tests import services

HEADER = 'X-Cascading-Missing-Regions'
STATS = '/v2/meters/cpu_util/statistics'
T0 = datetime.datetime(2026, 1, 1)


@pytest.fixture(scope='module')
def env(mongodb_url):
    with deployment.cascade(mongodb_url, v2=('regionOne', 'regionTwo'),
                            extra=deployment.METERING_SETTINGS) as env:
        for region, volume in (('regionOne', 10.0), ('regionTwo', 20.0)):
            env.register('vm-' + region, region=region,
                         cascaded_id='c-' + region)
            env.seed(region, [services.make_message(
                'cpu_util', volume, 'c-' + region,
                T0 + datetime.timedelta(minutes=i), project_id='project-1',
                user_id='user-1') for i in range(3)])
        env.stop_region('regionTwo')
        yield env


def _fault(resp):
    return resp.json()['error_message']['faultstring']


def test_without_partial_results_a_stopped_region_is_a_503(env):
    client = env.client()
    resp = client.get(STATS, status=503)
    assert 'regionTwo' in _fault(resp) and 'regionOne' not in _fault(resp)
    resp = client.get('/v2/samples', status=503)
    assert 'regionTwo' in _fault(resp)
    # Single-resource calls to the region still up are unaffected.
    stats = client.get_json(STATS, q=[{'field': 'resource_id',
                                       'value': 'vm-regionOne'}])
    assert stats[0]['count'] == 3
    resp = client.get(STATS, q=[{'field': 'resource_id',
                                 'value': 'vm-regionTwo'}], status=503)
    assert 'regionTwo' in _fault(resp)


def test_partial_results_answer_with_the_missing_regions_named(env):
    env.restart_cascading(cascading={'partial_results': 'true'})
    try:
        client = env.client()
        resp = client.get(STATS, period=60, status=200)
        assert resp.headers[HEADER] == 'regionTwo'
        assert [s['avg'] for s in resp.json()] == [10.0, 10.0, 10.0]
        resp = client.get('/v2/meters/cpu_util', status=200)
        assert resp.headers[HEADER] == 'regionTwo'
        assert {s['resource_id'] for s in resp.json()} == {'vm-regionOne'}
        # Nothing answered at all: still an error, never an empty list.
        resp = client.get(STATS, q=[{'field': 'metadata.region',
                                     'value': 'regionTwo'}], status=503)
        env.start_region('regionTwo')
        resp = client.get(STATS, status=200)
        assert HEADER not in resp.headers
        assert resp.json()[0]['count'] == 6
    finally:
        env.stop_region('regionTwo')
        env.restart_cascading(cascading={'partial_results': 'false'})
