"""The MongoDB event driver on the real MongoDB-wire server.

Every filter is also run as the exact ``$elemMatch`` query MongoDB gets,
on mongomock, so both ways of answering (FerretDB's wider filter checked
here, MongoDB's exact one) are held to the same expected events.
"""

import datetime

import bson.errors
import mongomock
import pytest

from ceilometer_proxy.event import models
from ceilometer_proxy.event import storage as event_storage
from ceilometer_proxy.event.storage import impl_mongodb
from ceilometer_proxy import service
from ceilometer_proxy import storage
from tests import services

T = models.Trait
BASE = datetime.datetime(2015, 3, 1, 12, 0)
REFUSALS = (storage.StorageError, bson.errors.BSONError, OverflowError)


def _event(key, minute, event_type, project, memory, load, launched,
           raw=None):
    return models.Event(
        message_id=key, event_type=event_type,
        generated=BASE + datetime.timedelta(minutes=minute),
        traits=[T('project_id', T.TEXT_TYPE, project),
                T('memory_mb', T.INT_TYPE, memory),
                T('load', T.FLOAT_TYPE, load),
                T('launched_at', T.DATETIME_TYPE, launched),
                T('state', T.TEXT_TYPE, 'active')],
        raw=raw or {})


EVENTS = [
    _event('e1', 1, 'compute.instance.create.end', 'p1', 512, 0.5,
           BASE, raw={'payload': {'state': 'active'}}),
    _event('e2', 2, 'compute.instance.create.end', 'p2', 2048, 1.5,
           BASE + datetime.timedelta(hours=1)),
    _event('e3', 3, 'compute.instance.delete.end', 'p1', 1024, 2.5,
           BASE + datetime.timedelta(hours=2)),
    _event('e4', 4, 'volume.create.end', 'p3', 4096, 0.25,
           BASE + datetime.timedelta(hours=3)),
]


def flt(**kwargs):
    return event_storage.EventFilter(**kwargs)


CASES = [
    (flt(), ['e4', 'e3', 'e2', 'e1']),
    (flt(event_type='compute.instance.create.end'), ['e2', 'e1']),
    (flt(message_id='e3'), ['e3']),
    (flt(start_timestamp=BASE + datetime.timedelta(minutes=2),
         end_timestamp=BASE + datetime.timedelta(minutes=3)), ['e3', 'e2']),
    (flt(traits_filter=[{'key': 'project_id', 'string': 'p1'}]),
     ['e3', 'e1']),
    (flt(traits_filter=[{'key': 'project_id', 'string': 'p1',
                         'op': 'ne'}]), ['e4', 'e2']),
    (flt(traits_filter=[{'key': 'memory_mb', 'integer': 1024,
                         'op': 'gt'}]), ['e4', 'e2']),
    (flt(traits_filter=[{'key': 'memory_mb', 'integer': 1024,
                         'op': 'le'}]), ['e3', 'e1']),
    (flt(traits_filter=[{'key': 'load', 'float': 1.5, 'op': 'ge'}]),
     ['e3', 'e2']),
    (flt(traits_filter=[{'key': 'load', 'float': 0.5, 'op': 'lt'}]),
     ['e4']),
    (flt(traits_filter=[{'key': 'launched_at',
                         'datetime': BASE + datetime.timedelta(hours=2),
                         'op': 'ge'}]), ['e4', 'e3']),
    # A trait asked with another type than it has matches nothing.
    (flt(traits_filter=[{'key': 'memory_mb', 'string': '512'}]), []),
    (flt(traits_filter=[{'key': 'project_id', 'string': 'p1'},
                        {'key': 'memory_mb', 'integer': 512}]), ['e1']),
    # A value another trait has is not this trait's.
    (flt(traits_filter=[{'key': 'state', 'string': 'p1'}]), []),
    (flt(project='p2'), ['e2']),
    (flt(project='p1', message_id='e2'), []),
]


@pytest.fixture(scope='module')
def conn(mongodb_url):
    conf = service.prepare_service([], config_files=[])
    name = services.unique_db_name('events')
    driver = event_storage.get_connection_from_config(
        conf, services.db_url(mongodb_url, name))
    driver.upgrade()
    assert driver.record_events(EVENTS) == len(EVENTS)
    try:
        yield driver
    finally:
        driver.client.drop_database(name)
        driver.close()


@pytest.fixture(scope='module')
def exact_collection():
    """The documents as MongoDB would hold them, queried exactly."""
    collection = mongomock.MongoClient().db.event
    collection.insert_many([impl_mongodb._to_doc(e) for e in EVENTS])
    return collection


@pytest.mark.parametrize('event_filter,expected', CASES,
                         ids=[repr(c[0]) for c in CASES])
def test_filters_on_the_store(conn, event_filter, expected):
    found = [e.message_id for e in conn.get_events(event_filter)]
    assert found == expected


@pytest.mark.parametrize('event_filter,expected', CASES,
                         ids=[repr(c[0]) for c in CASES])
def test_filters_as_mongodb_gets_them(exact_collection, event_filter,
                                      expected):
    query = impl_mongodb._event_query(event_filter, exact=True)
    found = [d['_id'] for d in exact_collection.find(
        query, sort=impl_mongodb.NEWEST_FIRST)]
    assert found == expected


def test_redelivered_events_are_not_stored_twice(conn):
    assert conn.record_events(EVENTS[:2]) == 0
    assert conn.event.count_documents({}) == len(EVENTS)


def test_limit_and_round_trip(conn):
    found = list(conn.get_events(flt(), limit=2))
    assert [e.message_id for e in found] == ['e4', 'e3']
    first = list(conn.get_events(flt(message_id='e1')))[0]
    assert first == EVENTS[0]
    assert first.raw == {'payload': {'state': 'active'}}


def test_types_and_traits(conn):
    assert conn.get_event_types() == ['compute.instance.create.end',
                                      'compute.instance.delete.end',
                                      'volume.create.end']
    assert conn.get_trait_types('compute.instance.create.end') == [
        {'name': 'launched_at', 'data_type': T.DATETIME_TYPE},
        {'name': 'load', 'data_type': T.FLOAT_TYPE},
        {'name': 'memory_mb', 'data_type': T.INT_TYPE},
        {'name': 'project_id', 'data_type': T.TEXT_TYPE},
        {'name': 'state', 'data_type': T.TEXT_TYPE}]
    values = sorted(t.value for t in conn.get_traits(
        'compute.instance.create.end', 'memory_mb'))
    assert values == [512, 2048]
    assert len(list(conn.get_traits('volume.create.end'))) == 5
    assert conn.get_trait_types('no.such.type') == []


def test_unstorable_event_is_refused_and_nothing_changes(conn):
    # Beyond 64 bits: no BSON integer holds it. The collector's writer
    # splits such a batch until the event is alone (collector tests).
    huge = models.Event(message_id='huge', event_type='x.y',
                        generated=BASE, raw={},
                        traits=[T('size', T.INT_TYPE, 2 ** 70)])
    with pytest.raises(REFUSALS):
        conn.record_events([huge])
    assert conn.event.count_documents({'_id': 'huge'}) == 0
    assert conn.event.count_documents({}) == len(EVENTS)
