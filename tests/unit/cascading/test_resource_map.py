"""The resource map's rules on an in-memory MongoDB (mongomock), and the
type catalog shipped in etc/."""

import datetime

import mongomock
import pytest

from ceilometer_proxy.cascading import resource_map
from tests.unit.cascading import helpers

T0 = datetime.datetime(2026, 1, 1)


@pytest.fixture
def rmap(monkeypatch):
    monkeypatch.setattr('pymongo.MongoClient', mongomock.MongoClient)
    conf = helpers.make_conf()
    conf.set_override('map_connection', 'mongodb://localhost/casc',
                      group='cascading')
    m = resource_map.ResourceMap(conf)
    m.upgrade()
    yield m
    m.close()


def _row(rid='r1', region='one', cascaded='c1', project='p1', **extra):
    row = {'resource_id': rid, 'region': region,
           'cascaded_resource_id': cascaded, 'type': 'nova.instance',
           'project_id': project, 'user_id': 'u1', 'source': 'openstack',
           'metadata': {'display_name': 'vm', 'flavor': {'ram': 512}},
           'first_sample_timestamp': T0, 'last_sample_timestamp': T0}
    row.update(extra)
    return row


def test_upsert_get_and_find_by_cascaded(rmap):
    rmap.upsert(_row())
    got = rmap.get('r1')
    assert got['region'] == 'one' and got['cascaded_resource_id'] == 'c1'
    assert got['metadata'] == {'display_name': 'vm', 'flavor': {'ram': 512}}
    assert rmap.find_by_cascaded('one', 'c1')['resource_id'] == 'r1'
    assert rmap.find_by_cascaded('two', 'c1') is None
    assert rmap.get('r2') is None


def test_last_write_wins_and_timestamps_widen(rmap):
    rmap.upsert(_row())
    later = T0 + datetime.timedelta(hours=1)
    rmap.upsert(_row(region='two', cascaded='c9',
                     first_sample_timestamp=later,
                     last_sample_timestamp=later))
    got = rmap.get('r1')
    assert (got['region'], got['cascaded_resource_id']) == ('two', 'c9')
    assert got['first_sample_timestamp'] == T0
    assert got['last_sample_timestamp'] == later
    assert rmap.find_by_cascaded('one', 'c1') is None


def test_a_row_without_routing_is_deleted_lazily(rmap):
    rmap.upsert(_row())
    rmap.collection.update_one({'_id': 'r1'},
                               {'$set': {'cascaded_resource_id': ''}})
    assert rmap.list() == []
    assert rmap.get('r1') is None
    assert rmap.collection.count_documents({}) == 0


def test_list_filters(rmap):
    rmap.upsert(_row('a', region='one', project='p1'))
    rmap.upsert(_row('b', region='two', project='p1'))
    rmap.upsert(_row('c', region='two', project='p2',
                     metadata={'display_name': 'other'}))
    ids = lambda rows: [r['resource_id'] for r in rows]  # noqa: E731
    assert ids(rmap.list()) == ['a', 'b', 'c']
    assert ids(rmap.list(project='p1')) == ['a', 'b']
    assert ids(rmap.list(region='two')) == ['b', 'c']
    assert ids(rmap.list(metaquery={'metadata.display_name': 'other'})) == [
        'c']
    assert ids(rmap.list(limit=2)) == ['a', 'b']
    assert rmap.delete('a') and not rmap.delete('a')
    assert ids(rmap.list()) == ['b', 'c']


def test_type_catalog_has_the_shipped_types():
    types = resource_map.TypeCatalog(helpers.make_conf())
    assert types.names() == ['cinder.snapshot', 'cinder.volume',
                             'glance.image', 'kwapi.probe', 'nova.instance']
    assert 'nova.instance' in types and 'heat.stack' not in types
    names = [m['name'] for m in types.meters('nova.instance')]
    assert len(names) == 32 and 'cpu_util' in names
    assert [(m['name'], m['type'], m['unit'])
            for m in types.meters('kwapi.probe')] == [
        ('energy', 'cumulative', 'kWh'), ('power', 'gauge', 'W')]
    assert types.meters('unknown') == []


def test_rows_are_reused_for_the_cache_ttl_and_forgotten_on_writes(rmap):
    rmap.upsert(_row())
    assert rmap.get('r1')['region'] == 'one'
    # Another process moves the row: this one keeps its copy for the TTL.
    rmap.collection.update_one({'_id': 'r1'}, {'$set': {'region': 'two'}})
    assert rmap.get('r1')['region'] == 'one'
    rmap.cache_ttl = 0
    assert rmap.get('r1')['region'] == 'two'
    rmap.cache_ttl = 60
    # Writes through this process take effect at once.
    rmap.upsert(_row(region='three'))
    assert rmap.get('r1')['region'] == 'three'
    rmap.delete('r1')
    assert rmap.get('r1') is None
    # Unknown ids are not remembered: another process's registration is
    # seen at once.
    assert rmap.get('r2') is None
    rmap.collection.insert_one({'_id': 'r2', 'region': 'one',
                                'cascaded_resource_id': 'c2'})
    assert rmap.get('r2')['cascaded_resource_id'] == 'c2'
