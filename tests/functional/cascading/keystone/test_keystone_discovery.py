"""Region discovery through the Keystone catalog, with real processes.

Three local-mode API servers hold different samples: the regions
``RegionOne`` and ``RegionTwo`` of the Keystone catalog point at the first
two, and the third (``spare``) is where a test moves ``RegionOne`` to. A
cascading server (noauth, ``region_discovery = keystone``) is started per
test so that its endpoint cache starts empty.
"""

import time

import pytest

from tests import deployment as builder
from tests import services

METER = 'cpu_util'
# Samples seeded into each server: the sums tell which servers answered.
SEEDED = {'RegionOne': [1.0, 2.0], 'RegionTwo': [10.0, 20.0, 30.0],
          'spare': [100.0, 200.0, 300.0, 400.0]}


@pytest.fixture(scope='module')
def deployment(mongodb_url, keystone):
    """Three noauth region servers; cascading servers added per test."""
    servers = builder.Cascade(mongodb_url, keystone=keystone)
    try:
        for name in SEEDED:
            servers.add_v2_region(name)
        yield servers.start(cascading=False)
    finally:
        servers.cleanup()


@pytest.fixture
def regions(deployment, keystone):
    """The servers, running, with fresh samples; the catalog points at
    the first two (and is put back after the test)."""
    deployment.ensure_running()
    for name, volumes in SEEDED.items():
        deployment.reseed(name, [
            services.make_message(METER, volume, 'vm-%s-%d' % (name, i),
                                  builder.at(i), project_id='p1')
            for i, volume in enumerate(volumes)])
    home = {name: deployment.regions[name].url
            for name in ('RegionOne', 'RegionTwo')}
    keystone.set_region_urls(home)
    yield deployment
    deployment.stop_cascading()
    keystone.set_region_urls(home)


def started(deployment, ttl):
    """A started cascading server reading the catalog every ttl s."""
    return deployment.cascading_server(
        {'cascading': {'endpoint_cache_ttl': ttl}},
        discovery='keystone').start()


def total(server):
    """Sum and count of the project-wide statistics of the meter."""
    client = services.Client(server.url, headers=builder.ADMIN)
    stats = client.get_json('/v2/meters/%s/statistics' % METER)
    if not stats:
        return 0.0, 0
    assert len(stats) == 1, stats
    return stats[0]['sum'], stats[0]['count']


def wait_for_total(server, expected, timeout):
    deadline = time.monotonic() + timeout
    while True:
        found = total(server)
        if found == expected or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def regions_sum(*names):
    values = [v for name in names for v in SEEDED[name]]
    return sum(values), len(values)


def test_catalog_regions_answer_project_wide_queries(regions):
    server = started(regions, ttl=300)
    assert total(server) == regions_sum('RegionOne', 'RegionTwo')
    client = services.Client(server.url, headers=builder.ADMIN)
    samples = client.get_json('/v2/meters/%s' % METER)
    assert sorted(s['resource_id'] for s in samples) == [
        'vm-RegionOne-0', 'vm-RegionOne-1',
        'vm-RegionTwo-0', 'vm-RegionTwo-1', 'vm-RegionTwo-2']
    # A region named by metadata.region is asked alone.
    one = client.get_json('/v2/meters/%s/statistics' % METER, q=[
        {'field': 'metadata.region', 'op': 'eq', 'value': 'RegionTwo'}])
    assert (one[0]['sum'], one[0]['count']) == regions_sum('RegionTwo')
    unknown = client.get('/v2/meters/%s/statistics' % METER, q=[
        {'field': 'metadata.region', 'op': 'eq', 'value': 'spare'}])
    assert unknown.status_code == 400, unknown.text
    assert 'spare' in unknown.json()['error_message']['faultstring']


def test_moved_endpoint_is_used_after_the_ttl(regions, keystone):
    ttl = 4
    server = started(regions, ttl=ttl)
    assert total(server) == regions_sum('RegionOne', 'RegionTwo')
    read_at = time.monotonic()
    keystone.set_endpoint('RegionOne', regions.regions['spare'].url)
    # Both servers are up: the cached endpoint stays in use...
    assert total(server) == regions_sum('RegionOne', 'RegionTwo')
    assert time.monotonic() - read_at < ttl, 'too slow to see the cache'
    # ...until the TTL has passed.
    moved = regions_sum('spare', 'RegionTwo')
    assert wait_for_total(server, moved, timeout=ttl + 10) == moved
    assert time.monotonic() - read_at >= ttl - 0.5


def test_keystone_refusing_the_service_account_is_a_503(regions):
    server = regions.cascading_server(
        {'service_credentials': {'password': 'wrong'}},
        discovery='keystone').start()
    client = services.Client(server.url, headers=builder.ADMIN)
    resp = client.get('/v2/meters/%s/statistics' % METER)
    assert resp.status_code == 503, resp.text
    fault = resp.json()['error_message']['faultstring']
    assert fault.startswith('Keystone is unavailable: '), fault
    # The resource map needs no region: it still answers.
    assert client.get_json('/v2/resources') == []


def test_connection_failure_reads_the_catalog_at_once(regions, keystone):
    server = started(regions, ttl=3600)
    assert total(server) == regions_sum('RegionOne', 'RegionTwo')
    keystone.set_endpoint('RegionOne', regions.regions['spare'].url)
    assert total(server) == regions_sum('RegionOne', 'RegionTwo')
    regions.stop_region('RegionOne')
    # The next request fails to connect to the cached endpoint, reads the
    # catalog again and is answered by the new one.
    assert total(server) == regions_sum('spare', 'RegionTwo')
    # A region whose catalog endpoint is down is a 503 naming it, not a
    # silent partial answer.
    regions.stop_region('spare')
    resp = services.Client(server.url, headers=builder.ADMIN).get(
        '/v2/meters/%s/statistics' % METER)
    assert resp.status_code == 503, resp.text
    assert 'RegionOne' in resp.json()['error_message']['faultstring']
