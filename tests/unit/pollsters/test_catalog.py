"""Which Kwapi endpoints are polled: static list or Keystone catalog."""

from keystoneauth1.access import service_catalog

from ceilometer_proxy.pollsters import catalog


def endpoint(region, interface, url):
    return {'id': url, 'interface': interface, 'region': region,
            'region_id': region, 'url': url}


# The catalog of a Keystone v3 token (what the agent's session holds).
TOKEN_CATALOG = [
    {'type': 'energy', 'name': 'kwapi', 'id': 'k', 'endpoints': [
        endpoint('RegionOne', 'public', 'http://k1:5000/v1'),
        endpoint('RegionOne', 'internal', 'http://k1-int:5000/v1'),
        endpoint('RegionTwo', 'public', 'http://k2:5000/v1'),
        endpoint('RegionTwo', 'internal', 'http://k2-int:5000/v1')]},
    {'type': 'metering', 'name': 'ceilometer', 'id': 'c', 'endpoints': [
        endpoint('RegionOne', 'public', 'http://c1:8777')]},
]


def fake_catalog():
    return service_catalog.ServiceCatalogV3(TOKEN_CATALOG)


def test_own_region_only():
    assert catalog.from_catalog(fake_catalog(), 'energy', 'public',
                                'RegionOne') == [
        catalog.KwapiEndpoint('http://k1:5000/v1', 'RegionOne')]


def test_every_region():
    assert catalog.from_catalog(fake_catalog(), 'energy', 'internal',
                                None) == [
        catalog.KwapiEndpoint('http://k1-int:5000/v1', 'RegionOne'),
        catalog.KwapiEndpoint('http://k2-int:5000/v1', 'RegionTwo')]


def test_other_service_type_and_unknown_region():
    assert catalog.from_catalog(fake_catalog(), 'kwapi', 'public',
                                None) == []
    assert catalog.from_catalog(fake_catalog(), 'energy', 'public',
                                'RegionThree') == []


def test_static_entries():
    assert catalog.parse_static([
        'http://k1:5000/v1', 'RegionTwo:http://k2:5000/v1', ' ',
        'https://k3/v1']) == [
        catalog.KwapiEndpoint('http://k1:5000/v1', None),
        catalog.KwapiEndpoint('http://k2:5000/v1', 'RegionTwo'),
        catalog.KwapiEndpoint('https://k3/v1', None)]


def test_endpoint_resources_are_their_url():
    # Ceilometer's partitioning hashes str(resource).
    assert str(catalog.KwapiEndpoint('http://k1/v1', 'R')) == 'http://k1/v1'
