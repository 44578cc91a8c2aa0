"""Static regions, the availability-zone map and the Regions object."""

import json

from oslo_config import cfg
import pytest

from ceilometer_proxy.cascading import errors
from ceilometer_proxy.cascading import region_pool
from ceilometer_proxy.cascading import regions
from tests.unit.cascading import helpers


def test_static_regions_parse_names_and_urls():
    conf = helpers.make_conf(
        region_discovery='static',
        regions=['regionOne:http://10.0.0.1:8777/',
                 ' regionTwo : https://two.example:8777'])
    registry = region_pool.get_registry(conf)
    assert isinstance(registry, regions.StaticRegions)
    assert registry.names() == ['regionOne', 'regionTwo']
    assert registry.driver_name('regionOne') == 'v2'
    assert registry.endpoint('regionOne') == 'http://10.0.0.1:8777'
    assert registry.endpoint('regionTwo') == 'https://two.example:8777'
    with pytest.raises(errors.UnknownRegion):
        registry.endpoint('regionThree')


@pytest.mark.parametrize('entry', ['regionOne', 'regionOne:ftp://x',
                                   ':http://x:1'])
def test_static_regions_refuse_malformed_entries(entry):
    with pytest.raises(cfg.Error):
        regions.parse_static_regions([entry])


def _conf_file(tmp_path, text):
    path = tmp_path / 'regions.conf'
    path.write_text(text)
    conf = helpers.make_conf()
    conf(['--config-file', str(path)], default_config_files=[])
    return conf


def test_region_sections_name_their_driver_and_endpoints(tmp_path):
    conf = _conf_file(tmp_path, """
[cascading]
region_discovery = static
regions = one:http://one:8777, regionG, old
[region:regionG]
driver = gnocchi
metric_endpoint = http://gnocchi:8041/
alarming_endpoint = http://aodh:8042
auth_mode = basic
[region:old]
endpoint = https://old:8777
""")
    registry = region_pool.get_registry(conf)
    assert registry.names() == ['old', 'one', 'regionG']
    assert registry.spec('regionG') == regions.RegionSpec(
        'regionG', 'gnocchi', {'metric': 'http://gnocchi:8041',
                               'alarming': 'http://aodh:8042'},
        {'auth_mode': 'basic'})
    assert registry.endpoint('regionG', 'metric') == 'http://gnocchi:8041'
    assert registry.driver_name('old') == 'v2'
    assert registry.endpoint('old') == 'https://old:8777'
    with pytest.raises(errors.MissingService, match='regionG has no '
                       'metering endpoint'):
        registry.endpoint('regionG')


def test_a_bare_region_name_needs_its_section(tmp_path):
    conf = _conf_file(tmp_path, """
[cascading]
region_discovery = static
regions = one:http://one:8777, lost
""")
    with pytest.raises(cfg.Error, match=r'no \[region:lost\] section'):
        region_pool.get_registry(conf)


def test_static_regions_refuse_duplicates():
    with pytest.raises(cfg.Error):
        regions.parse_static_regions(['a:http://x:1', 'a:http://y:1'])


def test_az_map_reads_the_shipped_file_and_passes_region_names():
    conf = helpers.make_conf()
    az_map = regions.AzMap(conf)
    assert az_map.region_of('nova') == 'regionOne'
    assert az_map.region_of('regionTwo') == 'regionTwo'


def test_az_map_from_a_configured_file(tmp_path):
    path = tmp_path / 'azs.json'
    path.write_text(json.dumps({'az-east': 'east'}))
    conf = helpers.make_conf(az2region_file=str(path))
    assert regions.AzMap(conf).region_of('az-east') == 'east'


def test_resolve_accepts_regions_and_zones_and_refuses_unknown():
    conf = helpers.make_conf(region_discovery='static',
                             regions=['east:http://e:1', 'west:http://w:1'])
    reg = region_pool.Regions(conf, az_map=regions.AzMap(
        mapping={'zone-a': 'west', 'zone-b': 'nowhere'}))
    assert reg.names() == ['east', 'west']
    assert reg.resolve('east') == 'east'
    assert reg.resolve('zone-a') == 'west'
    with pytest.raises(errors.UnknownRegion):
        reg.resolve('zone-b')
    with pytest.raises(errors.UnknownRegion):
        reg.resolve('north')


def test_one_driver_per_region_is_reused():
    conf = helpers.make_conf(region_discovery='static',
                             regions=['east:http://e:1', 'west:http://w:1'])
    reg = region_pool.Regions(conf)
    assert reg.driver('east') is reg.driver('east')
    assert reg.driver('east') is not reg.driver('west')
    assert reg.driver('west').region == 'west'
    assert reg.driver('west').name == 'v2'
    reg.close()
