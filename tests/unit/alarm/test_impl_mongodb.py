"""The pure parts of the MongoDB alarm driver: filters and documents."""

import datetime

import pymongo

from ceilometer_proxy.alarm.storage import impl_mongodb
from ceilometer_proxy.alarm.storage import models


def test_alarm_filter_maps_arguments_to_fields():
    q = impl_mongodb._alarm_filter(name='n', user='u', project='p',
                                   enabled=False, alarm_id='a',
                                   meter='cpu', alarm_type='threshold',
                                   state='ok', severity='low')
    assert q == {'_id': 'a', 'name': 'n', 'user_id': 'u',
                 'project_id': 'p', 'enabled': False,
                 'rule.meter_name': 'cpu', 'type': 'threshold',
                 'state': 'ok', 'severity': 'low'}
    assert impl_mongodb._alarm_filter() == {}


def test_alarm_filter_exclusions():
    q = impl_mongodb._alarm_filter(name='n', exclude={'alarm_id': 'a'})
    assert q == {'name': 'n', '_id': {'$ne': 'a'}}
    q = impl_mongodb._alarm_filter(alarm_id='a', exclude={'alarm_id': 'a'})
    assert q == {'_id': {'$in': []}}
    q = impl_mongodb._alarm_filter(alarm_id='a', exclude={'alarm_id': 'b'})
    assert q == {'_id': 'a'}


def test_sort_spec():
    assert impl_mongodb._sort_spec(None, impl_mongodb.NEWEST_FIRST) == [
        ('timestamp', pymongo.DESCENDING)]
    assert impl_mongodb._sort_spec([('name', 'asc'), ('state', 'desc')],
                                   []) == [('name', pymongo.ASCENDING),
                                           ('state', pymongo.DESCENDING)]


def test_documents_written_by_older_servers_read_back_complete():
    doc = {'_id': 'x', 'type': 'threshold', 'name': 'old',
           'rule': {'meter_name': 'cpu'}}
    alarm = impl_mongodb._to_alarm(doc)
    assert alarm.alarm_id == 'x'
    assert alarm.rule['query'] == []
    assert alarm.time_constraints == []
    assert alarm.ok_actions == []


def test_stored_times_have_millisecond_precision():
    when = datetime.datetime(2015, 1, 2, 3, 4, 5, 678901)
    alarm = models.Alarm(alarm_id='x', timestamp=when, state_timestamp=when)
    doc = impl_mongodb._stored(alarm)
    assert doc['timestamp'] == when.replace(microsecond=678000)
    assert doc['state_timestamp'] == doc['timestamp']
