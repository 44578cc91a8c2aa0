"""Kwapi endpoints found in a real Keystone catalog by ceilometer-polling.

Keystone 30 holds an ``energy`` service with a Kwapi API in RegionOne and
one in RegionTwo. The polling agent (``[service_credentials]`` in
RegionOne) first polls its own region only, then, restarted with
``[kwapi] all_regions = true``, both; each request carries the agent's
Keystone token.
"""

import os
import tempfile
import time

import pytest
import requests

from tests import ceilometer_agents
from tests import kwapi_server
from tests import rabbitmq

T_ONE = 1600000000.0
T_TWO = 1600000100.0


def register_kwapi(ks, urls):
    """An ``energy`` service with a public endpoint per {region: url}."""
    headers = {'X-Auth-Token': ks.admin_token()}
    service = requests.post(ks.auth_url + '/services', headers=headers,
                            json={'service': {'type': 'energy',
                                              'name': 'kwapi'}}, timeout=30)
    service.raise_for_status()
    service_id = service.json()['service']['id']
    for (region, interface), url in urls.items():
        endpoint = {'service_id': service_id, 'region_id': region,
                    'interface': interface, 'url': url}
        requests.post(ks.auth_url + '/endpoints', headers=headers,
                      json={'endpoint': endpoint},
                      timeout=30).raise_for_status()


def token_is_valid(ks, token):
    resp = requests.get(ks.auth_url + '/auth/tokens', timeout=30, headers={
        'X-Auth-Token': ks.admin_token(), 'X-Subject-Token': token})
    return resp.status_code == 200


@pytest.fixture(scope='module')
def setup(keystone):
    broker = rabbitmq.RabbitMQ()
    ks = keystone
    one = kwapi_server.KwapiServer(
        [kwapi_server.probes(P1=(T_ONE, 1.25, 10.0))]).start()
    two = kwapi_server.KwapiServer(
        [kwapi_server.probes(P2=(T_TWO, 2.5, 20.0))]).start()
    internal = kwapi_server.KwapiServer(
        [kwapi_server.probes(PI=(T_ONE, 9.0, 90.0))]).start()
    out = tempfile.NamedTemporaryFile(prefix='kwapi-catalog-',
                                      suffix='.json', delete=False)
    out.close()
    agents = None
    try:
        broker.start()
        register_kwapi(ks, {('RegionOne', 'public'): one.url,
                            ('RegionTwo', 'public'): two.url,
                            ('RegionOne', 'internal'): internal.url})
        agents = ceilometer_agents.CeilometerAgents(
            broker.url, pollsters=['energy', 'power'], interval=2,
            publishers=[ceilometer_agents.file_publisher(out.name)],
            conf={'service_credentials': ks.service_credentials_section()})
        agents.start()
        yield {'agents': agents, 'keystone': ks, 'one': one, 'two': two,
               'internal': internal, 'published': out.name}
    finally:
        if agents is not None:
            agents.cleanup()
        for server in (one, two, internal):
            server.stop()
        broker.cleanup()
        os.remove(out.name)


def published(setup):
    return ceilometer_agents.read_published(setup['published'])


def wait_for(check, what, agents, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError('%s not seen:\n%s' % (
                what, agents.log('ceilometer-polling')))
        agents.check_running()
        time.sleep(0.3)


def summary(samples):
    return {(s['name'], s['resource_id'], s['volume'], s['timestamp'],
             s['resource_metadata'].get('region')) for s in samples}


def test_own_region_then_every_region(setup):
    agents = setup['agents']
    wait_for(lambda: len(setup['one'].probe_requests()) >= 2 and {
        s['name'] for s in published(setup)} == {'energy', 'power'},
        'two cycles', agents)
    assert summary(published(setup)) == {
        ('energy', 'P1', 1.25, '2020-09-13T12:26:40+00:00', 'RegionOne'),
        ('power', 'P1', 10.0, '2020-09-13T12:26:40+00:00', 'RegionOne')}
    assert not setup['two'].probe_requests()
    assert not setup['internal'].probe_requests()
    tokens = {h.get('X-Auth-Token') for _, h in setup['one'].probe_requests()}
    assert None not in tokens
    assert all(token_is_valid(setup['keystone'], t) for t in tokens)

    # The same agent at the cascading level: every region's Kwapi.
    agents.stop_polling()
    agents.extra['kwapi'] = {'all_regions': 'true'}
    agents.write_config()
    agents.start_polling()
    wait_for(lambda: setup['two'].probe_requests(), 'RegionTwo polled',
             agents)
    wait_for(lambda: ('energy', 'P2') in {(s['name'], s['resource_id'])
                                          for s in published(setup)},
             'RegionTwo samples', agents)
    assert summary(published(setup)) >= {
        ('energy', 'P2', 2.5, '2020-09-13T12:28:20+00:00', 'RegionTwo'),
        ('power', 'P2', 20.0, '2020-09-13T12:28:20+00:00', 'RegionTwo')}
    assert {s['resource_id'] for s in published(setup)} == {'P1', 'P2'}
    assert not setup['internal'].probe_requests()
    tokens = {h.get('X-Auth-Token') for _, h in setup['two'].probe_requests()}
    assert None not in tokens
    assert all(token_is_valid(setup['keystone'], t) for t in tokens)
