"""KeystoneRegions and ServiceCredentials against a real Keystone.

The registry reads the live catalog with the service account; these tests
move endpoints through Keystone's v3 API and watch when the registry sees
the change (a settable clock stands in for the passing of the TTL).
"""

import logging

from oslo_config import cfg
import pytest
import requests

from ceilometer_proxy import cascading
from ceilometer_proxy.cascading import catalog
from ceilometer_proxy.cascading import errors
from tests import services


class Clock(object):
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def make_conf(tmp_path, keystone, cascading_opts=None, credentials=None):
    path = tmp_path / 'ceilometer-proxy.conf'
    services.write_config(str(path), {
        'cascading': dict({'region_discovery': 'keystone'},
                          **(cascading_opts or {})),
        'service_credentials': dict(keystone.service_credentials_section(),
                                    **(credentials or {}))})
    conf = cfg.ConfigOpts()
    conf.register_opts(cascading.OPTS, group='cascading')
    conf.register_opts(catalog.OPTS, group='cascading')
    catalog.register_service_credentials_opts(conf)
    conf([], project='ceilometer-proxy', default_config_files=[str(path)])
    return conf


@pytest.fixture
def urls(keystone):
    """Distinct endpoint URLs for this test, set in Keystone."""
    base = 'http://127.0.0.1:%d' % services.free_port()
    urls = {'RegionOne': base + '/one', 'RegionTwo': base + '/two'}
    keystone.set_region_urls(urls)
    return urls


def test_regions_and_endpoints_from_the_catalog(tmp_path, keystone, urls):
    registry = catalog.KeystoneRegions(make_conf(tmp_path, keystone))
    assert registry.names() == ['RegionOne', 'RegionTwo']
    assert registry.endpoint('RegionOne') == urls['RegionOne']
    assert registry.endpoint('RegionTwo') == urls['RegionTwo']
    with pytest.raises(errors.UnknownRegion):
        registry.endpoint('RegionThree')


def test_endpoint_interface(tmp_path, keystone, urls):
    internal = 'http://127.0.0.1:9/internal-two'
    keystone.set_endpoint('RegionTwo', internal, interfaces=['internal'])
    conf = make_conf(tmp_path, keystone,
                     {'endpoint_interface': 'internal'})
    registry = catalog.KeystoneRegions(conf)
    assert registry.endpoint('RegionTwo') == internal
    assert registry.endpoint('RegionOne') == urls['RegionOne']
    public = catalog.KeystoneRegions(make_conf(tmp_path, keystone))
    assert public.endpoint('RegionTwo') == urls['RegionTwo']


def test_other_service_type_has_no_regions(tmp_path, keystone, urls):
    conf = make_conf(tmp_path, keystone,
                     {'metering_service_type': 'telemetry'})
    registry = catalog.KeystoneRegions(conf)
    assert registry.names() == []
    with pytest.raises(errors.UnknownRegion):
        registry.endpoint('RegionOne')


def test_cached_until_the_ttl(tmp_path, keystone, urls):
    clock = Clock()
    conf = make_conf(tmp_path, keystone, {'endpoint_cache_ttl': 60})
    registry = catalog.KeystoneRegions(conf, clock=clock)
    assert registry.endpoint('RegionOne') == urls['RegionOne']
    moved = 'http://127.0.0.1:9/moved-one'
    keystone.set_endpoint('RegionOne', moved)
    clock.now += 59
    assert registry.endpoint('RegionOne') == urls['RegionOne']
    clock.now += 1
    assert registry.endpoint('RegionOne') == moved
    assert registry.endpoint('RegionTwo') == urls['RegionTwo']


def test_invalidate_reads_the_catalog_again(tmp_path, keystone, urls):
    clock = Clock()
    conf = make_conf(tmp_path, keystone, {'endpoint_cache_ttl': 3600})
    registry = catalog.KeystoneRegions(conf, clock=clock)
    assert registry.endpoint('RegionTwo') == urls['RegionTwo']
    moved = 'http://127.0.0.1:9/moved-two'
    keystone.set_endpoint('RegionTwo', moved)
    assert registry.endpoint('RegionTwo') == urls['RegionTwo']
    registry.invalidate('RegionTwo')
    assert registry.endpoint('RegionTwo') == moved
    # The fresh read is cached again.
    keystone.set_endpoint('RegionTwo', urls['RegionTwo'])
    assert registry.endpoint('RegionTwo') == moved


def test_new_region_appears_after_the_ttl(tmp_path, keystone, urls):
    clock = Clock()
    conf = make_conf(tmp_path, keystone, {'endpoint_cache_ttl': 30})
    registry = catalog.KeystoneRegions(conf, clock=clock)
    assert registry.names() == ['RegionOne', 'RegionTwo']
    keystone.create_region('RegionExtra')
    endpoint_id = keystone.add_endpoint('RegionExtra', 'public',
                                        'http://127.0.0.1:9/extra')
    try:
        assert registry.names() == ['RegionOne', 'RegionTwo']
        clock.now += 30
        assert registry.names() == ['RegionExtra', 'RegionOne',
                                    'RegionTwo']
        assert registry.endpoint('RegionExtra') == 'http://127.0.0.1:9/extra'
    finally:
        keystone.delete_endpoint(endpoint_id)
        keystone.delete_region('RegionExtra')
    clock.now += 30
    assert registry.names() == ['RegionOne', 'RegionTwo']


def test_keystone_gone_keeps_the_endpoints_read_before(tmp_path, keystone,
                                                       urls):
    """A catalog read that fails leaves the cached endpoints in use."""
    clock = Clock()
    conf = make_conf(tmp_path, keystone, {'endpoint_cache_ttl': 10})
    registry = catalog.KeystoneRegions(conf, clock=clock)
    assert registry.endpoint('RegionOne') == urls['RegionOne']
    # Point the registry's identity endpoint at a closed port: the same
    # code path as a Keystone that went away.
    dead = 'http://127.0.0.1:%d/v3' % services.free_port()
    registry.credentials.auth.auth_url = dead
    registry.credentials.auth.invalidate()
    clock.now += 10
    assert registry.endpoint('RegionOne') == urls['RegionOne']
    assert registry.names() == ['RegionOne', 'RegionTwo']


def test_service_token_is_the_service_users(tmp_path, keystone):
    creds = catalog.ServiceCredentials(make_conf(tmp_path, keystone))
    token = creds.token()
    assert creds.token() == token  # cached by the auth plugin
    resp = requests.get(keystone.auth_url + '/auth/tokens', timeout=30,
                        headers={'X-Auth-Token': keystone.admin_token(),
                                 'X-Subject-Token': token})
    assert resp.status_code == 200, resp.text
    info = resp.json()['token']
    assert info['user']['name'] == 'ceilometer'
    assert info['project']['name'] == 'service'
    assert 'admin' in [role['name'] for role in info['roles']]


def test_wrong_service_password_is_a_503_error(tmp_path, keystone):
    conf = make_conf(tmp_path, keystone, credentials={'password': 'wrong'})
    creds = catalog.ServiceCredentials(conf)
    with pytest.raises(catalog.KeystoneUnavailable) as caught:
        creds.token()
    assert isinstance(caught.value, errors.RegionsUnavailable)
    assert '401' in caught.value.message
    registry = catalog.KeystoneRegions(conf, credentials=creds)
    with pytest.raises(errors.RegionUnavailable):
        registry.endpoint('RegionOne')


def test_catalog_read_from_auth_url_without_identity_endpoint(
        tmp_path, keystone, urls, caplog):
    """No identity endpoint in the credentials' region: auth_url is
    used to read the catalog."""
    caplog.set_level(logging.INFO, logger=catalog.__name__)
    conf = make_conf(tmp_path, keystone,
                     credentials={'region_name': 'RegionTwo'})
    registry = catalog.KeystoneRegions(conf)
    assert registry.endpoint('RegionTwo') == urls['RegionTwo']
    assert 'No public identity endpoint in the catalog' in caplog.text
