"""A Gnocchi + Aodh region found in the real Keystone catalog.

The region publishes ``metric`` and ``alarming`` endpoints (no
``metering`` one); a cascading API with ``region_discovery = keystone``
takes it as a Gnocchi region (basic auth, its ``noauth`` default) and
answers statistics and alarms from it.
"""

import datetime

import pytest

from tests import deployment
from ceilometer_proxy import utils

REGION = 'RegionG'
T0 = utils.floor_to_period(utils.utcnow(), 3600) - datetime.timedelta(
    hours=2)


@pytest.fixture(scope='module')
def catalogued(keystone, modern_region):
    keystone.create_region(REGION)
    services = [keystone.add_service('metric', 'gnocchi'),
                keystone.add_service('alarming', 'aodh')]
    for service_id, url in zip(services, (modern_region.gnocchi_url,
                                          modern_region.aodh_url)):
        keystone.add_endpoint(REGION, 'public', url, service_id=service_id)
    try:
        yield keystone
    finally:
        for service_id in services:
            keystone.delete_service(service_id)
        keystone.delete_region(REGION)


@pytest.fixture(scope='module')
def cascade(mongodb_url, catalogued):
    built = deployment.Cascade(mongodb_url, keystone=catalogued)
    try:
        built.cascading = built.start_cascading(discovery='keystone')
        yield built
    finally:
        built.cleanup()


def test_the_catalog_makes_it_a_gnocchi_region(cascade, modern_region):
    modern_region.reset()
    modern_region.create_resource('gn-vm-k', 'p1', 'u1',
                                  metrics=('cpu_util',), policy='cascade-test')
    modern_region.post_measures({'gn-vm-k': {'cpu_util': [
        (T0 + datetime.timedelta(minutes=m), float(m)) for m in (1, 2, 3)]}})
    cascade.register('vm-k', region=REGION, cascaded_id='gn-vm-k',
                     project_id='p1', user_id='u1')
    modern_region.wait_for_processing()
    client = cascade.client()
    stats = client.get_json('/v2/meters/cpu_util/statistics', q=[
        {'field': 'resource_id', 'op': 'eq', 'value': 'vm-k'},
        {'field': 'timestamp', 'op': 'ge', 'value': T0.isoformat()}],
        period=3600)
    assert [(s['count'], s['sum'], s['max']) for s in stats] == [
        (3, 6.0, 3.0)]
    assert '%s=gnocchi' % REGION in cascade.cascading.log()
    alarm = client.post_json('/v2/alarms', {
        'name': 'catalogued', 'type': 'threshold',
        'threshold_rule': {'meter_name': 'cpu_util', 'threshold': 1.0,
                           'query': [{'field': 'resource_id',
                                      'value': 'vm-k'}]}})
    assert client.get_json('/v2/alarms/%s/state' % alarm['alarm_id']) == \
        'insufficient data'
    [there] = modern_region.aodh('GET', '/v2/alarms', params=[
        ('q.field', 'name'), ('q.op', 'eq'), ('q.value', 'catalogued'),
        ('q.field', 'all_projects'), ('q.op', 'eq'), ('q.value', 'true')])
    assert there['type'] == 'gnocchi_resources_threshold'
