"""Keystone catalog discovery: parsing, options, and Keystone outages.

The catalog cache against a real Keystone (TTL, invalidate, endpoint
moves) is covered by tests/functional/cascading/keystone/.
"""

from oslo_config import cfg
import pytest

from ceilometer_proxy import cascading
from ceilometer_proxy.cascading import catalog
from ceilometer_proxy.cascading import errors
from tests import services


def _endpoint(region, interface, url, legacy=False):
    key = 'region' if legacy else 'region_id'
    return {'id': '%s-%s' % (region, interface), 'interface': interface,
            key: region, 'url': url}


CATALOG = [
    {'type': 'identity', 'name': 'keystone', 'endpoints': [
        _endpoint('RegionOne', 'public', 'http://ks:5000/v3/')]},
    {'type': 'metering', 'name': 'ceilometer', 'endpoints': [
        _endpoint('RegionOne', 'public', 'http://one:8777/'),
        _endpoint('RegionOne', 'internal', 'http://one-int:8777'),
        _endpoint('RegionTwo', 'public', 'http://two:8777'),
        _endpoint('RegionTwo', 'admin', 'http://two-adm:8777'),
        _endpoint('RegionThree', 'public', 'http://three:8777/v2',
                  legacy=True)]},
    {'type': 'alarming', 'name': 'aodh', 'endpoints': [
        _endpoint('RegionFour', 'public', 'http://four:8042')]},
]


def make_conf(tmp_path, sections):
    path = tmp_path / 'ceilometer-proxy.conf'
    services.write_config(str(path), sections)
    conf = cfg.ConfigOpts()
    conf.register_opts(cascading.OPTS, group='cascading')
    conf.register_opts(catalog.OPTS, group='cascading')
    catalog.register_service_credentials_opts(conf)
    conf([], project='ceilometer-proxy', default_config_files=[str(path)])
    return conf


def unreachable_credentials(port):
    return {'auth_type': 'password',
            'auth_url': 'http://127.0.0.1:%d/v3' % port,
            'username': 'ceilometer', 'password': 'secret',
            'project_name': 'service', 'user_domain_name': 'Default',
            'project_domain_name': 'Default', 'timeout': 5}


def test_endpoints_of_public_metering():
    assert catalog.endpoints_of(CATALOG, 'metering', 'public') == {
        'RegionOne': 'http://one:8777',
        'RegionTwo': 'http://two:8777',
        'RegionThree': 'http://three:8777/v2'}


def test_endpoints_of_other_interface_and_type():
    assert catalog.endpoints_of(CATALOG, 'metering', 'internal') == {
        'RegionOne': 'http://one-int:8777'}
    assert catalog.endpoints_of(CATALOG, 'metering', 'admin') == {
        'RegionTwo': 'http://two-adm:8777'}
    assert catalog.endpoints_of(CATALOG, 'alarming', 'public') == {
        'RegionFour': 'http://four:8042'}
    assert catalog.endpoints_of(CATALOG, 'telemetry', 'public') == {}
    assert catalog.endpoints_of([], 'metering', 'public') == {}


def test_endpoints_of_first_endpoint_of_a_region_wins():
    doubled = CATALOG + [{'type': 'metering', 'endpoints': [
        _endpoint('RegionOne', 'public', 'http://other:8777'),
        _endpoint('RegionFive', 'public', 'http://five:8777')]}]
    found = catalog.endpoints_of(doubled, 'metering', 'public')
    assert found['RegionOne'] == 'http://one:8777'
    assert found['RegionFive'] == 'http://five:8777'


def test_endpoints_of_skips_incomplete_endpoints():
    broken = [{'type': 'metering', 'endpoints': [
        {'interface': 'public', 'url': 'http://no-region:8777'},
        {'interface': 'public', 'region_id': 'RegionOne'},
        {'interface': 'public', 'region_id': 'RegionTwo', 'url': ''}]},
        {'type': 'metering'}]
    assert catalog.endpoints_of(broken, 'metering', 'public') == {}


MODERN = CATALOG + [
    {'type': 'metric', 'name': 'gnocchi', 'endpoints': [
        _endpoint('RegionFour', 'public', 'http://four:8041/'),
        _endpoint('RegionTwo', 'public', 'http://two:8041')]},
]


def test_region_specs_tell_v2_from_gnocchi_regions(tmp_path):
    conf = make_conf(tmp_path, {'region:RegionFour': {
        'auth_mode': 'basic'}})
    specs = catalog.region_specs(conf, MODERN)
    assert sorted(specs) == ['RegionFour', 'RegionOne', 'RegionThree',
                             'RegionTwo']
    assert specs['RegionOne'].driver == 'v2'
    assert specs['RegionOne'].endpoints == {'metering': 'http://one:8777'}
    assert specs['RegionFour'].driver == 'gnocchi'
    assert specs['RegionFour'].endpoints == {
        'metric': 'http://four:8041', 'alarming': 'http://four:8042'}
    assert specs['RegionFour'].options == {'auth_mode': 'basic'}
    # Gnocchi wins over a metering endpoint (which would answer 410).
    assert specs['RegionTwo'].driver == 'gnocchi'
    assert 'alarming' not in specs['RegionTwo'].endpoints
    # Alarming alone is no telemetry region.
    assert 'RegionFour' not in catalog.region_specs(conf, CATALOG)


def test_options_defaults(tmp_path):
    conf = make_conf(tmp_path, {})
    assert conf.cascading.endpoint_interface == 'public'
    assert conf.cascading.endpoint_cache_ttl == 300
    assert conf.cascading.metering_service_type == 'metering'
    assert conf.cascading.metric_service_type == 'metric'
    assert conf.cascading.alarming_service_type == 'alarming'
    assert conf.service_credentials.interface == 'public'
    assert conf.service_credentials.region_name is None


def test_bad_interface_is_refused(tmp_path):
    conf = make_conf(tmp_path, {'cascading': {'endpoint_interface': 'x'}})
    with pytest.raises(ValueError):
        conf.cascading.endpoint_interface


def test_service_credentials_options_are_listed_once():
    names = [opt.dest for opt in catalog.list_service_credentials_opts()]
    assert len(names) == len(set(names))
    for name in ('auth_type', 'auth_url', 'username', 'password',
                 'project_name', 'user_domain_name', 'project_domain_name',
                 'region_name', 'interface', 'timeout', 'cafile',
                 'insecure'):
        assert name in names


def test_service_credentials_need_an_auth_type(tmp_path):
    conf = make_conf(tmp_path, {})
    with pytest.raises(cfg.RequiredOptError):
        catalog.ServiceCredentials(conf)


def test_service_credentials_need_the_plugins_required_options(tmp_path):
    conf = make_conf(tmp_path, {'service_credentials': {
        'auth_type': 'password', 'username': 'ceilometer'}})
    with pytest.raises(cfg.RequiredOptError) as caught:
        catalog.ServiceCredentials(conf)
    assert 'auth_url' in str(caught.value)


def test_service_credentials_are_optional_at_start_up(tmp_path):
    """A service that never reads the catalog needs none of them."""
    from ceilometer_proxy import service

    path = tmp_path / 'empty.conf'
    path.write_text('')
    conf = service.prepare_service([], config_files=[str(path)])
    assert conf.service_credentials.auth_type is None
    assert conf.service_credentials.auth_url is None
    assert conf.cascading.endpoint_cache_ttl == 300


def test_service_credentials_from_an_auth_section(tmp_path):
    conf = make_conf(tmp_path, {
        'service_credentials': {'auth_section': 'shared_auth'},
        'shared_auth': unreachable_credentials(services.free_port())})
    creds = catalog.ServiceCredentials(conf)
    assert creds.auth._username == 'ceilometer'


def test_service_credentials_load_the_named_plugin(tmp_path):
    port = services.free_port()
    conf = make_conf(tmp_path, {
        'service_credentials': dict(unreachable_credentials(port),
                                    region_name='RegionTwo',
                                    interface='internal')})
    creds = catalog.ServiceCredentials(conf)
    assert creds.auth.auth_url == 'http://127.0.0.1:%d/v3' % port
    assert creds.auth._username == 'ceilometer'
    assert creds.region_name == 'RegionTwo'
    assert creds.interface == 'internal'
    assert creds.session.timeout == 5


def test_keystone_calls_time_out_like_region_calls(tmp_path):
    credentials = unreachable_credentials(services.free_port())
    del credentials['timeout']
    conf = make_conf(tmp_path, {'service_credentials': credentials,
                                'cascading': {'http_timeout': 7.5}})
    assert catalog.ServiceCredentials(conf).session.timeout == 7.5


def test_token_from_an_unreachable_keystone_is_a_503_error(tmp_path):
    conf = make_conf(tmp_path, {'service_credentials':
                                unreachable_credentials(
                                    services.free_port())})
    creds = catalog.ServiceCredentials(conf)
    with pytest.raises(catalog.KeystoneUnavailable) as caught:
        creds.token()
    # The API maps RegionsUnavailable to 503.
    assert isinstance(caught.value, errors.RegionsUnavailable)
    assert caught.value.message.startswith('Keystone is unavailable: ')
    assert str(caught.value) == caught.value.message


def test_registry_without_keystone(tmp_path):
    conf = make_conf(tmp_path, {'service_credentials':
                                unreachable_credentials(
                                    services.free_port())})
    registry = catalog.KeystoneRegions(conf)
    with pytest.raises(catalog.KeystoneUnavailable):
        registry.names()
    with pytest.raises(errors.RegionUnavailable) as caught:
        registry.endpoint('RegionOne')
    assert caught.value.region == 'RegionOne'
