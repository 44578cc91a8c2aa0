"""The cascading alarm table on mongomock: rows, intents, tombstones."""

import datetime

import mongomock
from oslo_config import cfg
import pytest

from ceilometer_proxy.cascading import alarm_store
from ceilometer_proxy.cascading import alarms
from ceilometer_proxy import storage

URL = 'mongodb://127.0.0.1:27017/cascading_alarm_tests'


def make_conf(**cascading):
    conf = cfg.ConfigOpts()
    conf.register_opts(storage.OPTS, group='database')
    conf.register_opts(alarms.OPTS, group='cascading')
    conf([])
    for name, value in cascading.items():
        conf.set_override(name, value, group='cascading')
    return conf


@pytest.fixture
def table():
    with mongomock.patch(servers=(('127.0.0.1', 27017),)):
        t = alarm_store.AlarmTable(make_conf(), URL)
        t.upgrade()
        yield t
        t.close()


def shown(name, project='p1', state='ok', **extra):
    alarm = {'alarm_id': None, 'name': name, 'project_id': project,
             'user_id': 'u1', 'state': state, 'type': 'threshold',
             'enabled': True, 'severity': 'low',
             'rule': {'meter_name': 'cpu_util', 'query': []},
             'timestamp': datetime.datetime(2026, 1, 1, 0, 0, 0, 123456)}
    alarm.update(extra)
    return alarm


def add(table, alarm_id, name, region='r1', cascaded=None, **extra):
    table.begin(alarm_id, region, name, extra.get('project', 'p1'))
    table.activate(alarm_id, region, cascaded or 'c-' + alarm_id,
                   dict(shown(name, **extra), alarm_id=alarm_id),
                   {'query': []})


def test_url_defaults_to_the_metering_database():
    conf = make_conf()
    conf.set_override('connection', 'mongodb://h/db', group='database')
    assert alarm_store.url_of(conf) == 'mongodb://h/db'
    conf.set_override('alarm_connection', 'mongodb://h/alarms',
                      group='cascading')
    assert alarm_store.url_of(conf) == 'mongodb://h/alarms'


def test_row_filter_reads_the_shown_alarm():
    assert alarm_store.row_filter(name='n', project='p', alarm_type='t',
                                  meter='cpu', state=None) == {
        'status': 'active', 'alarm.name': 'n', 'alarm.project_id': 'p',
        'alarm.type': 't', 'alarm.rule.meter_name': 'cpu'}
    assert alarm_store.row_filter(alarm_id='a', status=None,
                                  region='r') == {'_id': 'a', 'region': 'r'}
    with pytest.raises(TypeError):
        alarm_store.row_filter(colour='red')


def test_an_intent_is_invisible_until_activated(table):
    table.begin('a1', 'r1', 'hot', 'p1', 'u1')
    assert table.get('a1') is None
    assert table.get('a1', status=None)['status'] == 'creating'
    assert table.find() == []
    assert table.name_taken('hot', 'p1')
    assert not table.name_taken('hot', 'p2')
    assert table.cascaded_ids('r1') == set()

    table.activate('a1', 'r1', 'c1', shown('hot', alarm_id='a1'),
                   {'query': [{'field': 'resource_id', 'value': 'x'}],
                    'resource_id': 'x'})
    row = table.get('a1')
    assert (row['region'], row['cascaded_alarm_id']) == ('r1', 'c1')
    assert row['routing']['resource_id'] == 'x'
    # BSON keeps milliseconds: the row says so at once.
    assert row['alarm']['timestamp'].microsecond == 123000
    assert row['name'] == 'hot' and 'started_at' not in row
    assert table.cascaded_ids('r1') == {'c1'}
    assert table.name_taken('hot', 'p1')
    assert not table.name_taken('hot', 'p1', exclude_id='a1')


def test_intents_older_than_a_time(table):
    table.begin('old', 'r1', 'a', 'p1')
    table.rows.update_one({'_id': 'old'}, {'$set': {
        'started_at': datetime.datetime(2020, 1, 1)}})
    table.begin('new', 'r1', 'b', 'p1')
    found = table.intents(datetime.datetime(2021, 1, 1))
    assert [i['_id'] for i in found] == ['old']
    table.forget('old')
    assert table.intents(datetime.datetime(2100, 1, 1))[0]['_id'] == 'new'


def test_find_filters_sorts_and_limits(table):
    add(table, 'a', 'n-a', state='ok')
    add(table, 'b', 'n-b', state='alarm', project='p2')
    add(table, 'c', 'n-c', region='r2', state='alarm')
    names = [r['alarm']['name'] for r in table.find(sort=[('name', 'asc')])]
    assert names == ['n-a', 'n-b', 'n-c']
    assert [r['_id'] for r in table.find(state='alarm',
                                         sort=[('name', 'desc')])] == [
        'c', 'b']
    assert [r['_id'] for r in table.find(project='p2')] == ['b']
    assert [r['_id'] for r in table.find(region='r2')] == ['c']
    assert [r['_id'] for r in table.find(alarm_id='a')] == ['a']
    assert len(table.find(limit=2)) == 2
    assert table.find(limit=0) == []


def test_state_and_definition_changes(table):
    add(table, 'a', 'n-a')
    table.set_state('a', 'alarm', datetime.datetime(2026, 2, 2, 0, 0, 0,
                                                    999999))
    alarm = table.get('a')['alarm']
    assert alarm['state'] == 'alarm'
    assert alarm['state_timestamp'] == datetime.datetime(2026, 2, 2, 0, 0,
                                                         0, 999000)
    assert table.save_alarm('a', shown('renamed', alarm_id='a'),
                            {'query': [], 'resource_id': 'y'})
    row = table.get('a')
    assert row['alarm']['name'] == 'renamed'
    assert row['routing'] == {'query': [], 'resource_id': 'y'}
    assert table.name_taken('renamed', 'p1')
    assert not table.name_taken('n-a', 'p1')
    assert not table.save_alarm('nope', shown('x'))


def test_deleted_alarms_leave_a_tombstone(table):
    add(table, 'a', 'n-a', cascaded='c-a')
    table.mark_deleted('a')
    assert table.get('a') is None
    assert table.get('a', status=None)['status'] == 'deleted'
    assert table.find() == []
    assert not table.name_taken('n-a', 'p1')
    # The region id stays known: it is not an orphan.
    assert table.cascaded_ids('r1') == {'c-a'}
    table.clear()
    assert table.get('a', status=None) is None


def test_a_delete_under_way_hides_the_alarm_but_keeps_its_name(table):
    add(table, 'a', 'n-a', cascaded='c-a')
    assert table.begin_delete('a')
    assert table.get('a') is None
    assert table.get('a', status=alarm_store.HELD)['status'] == 'deleting'
    assert table.find() == []
    # The region may still hold it: the name and the region id stay taken.
    assert table.name_taken('n-a', 'p1')
    assert table.cascaded_ids('r1') == {'c-a'}
    assert table.begin_delete('a')          # a retry takes it again
    table.abort_delete('a')                 # the region refused
    assert table.get('a')['status'] == 'active'
    table.mark_deleted('a')
    assert not table.begin_delete('a')      # a tombstone is not deleted


def test_unfinished_deletes_older_than_a_time(table):
    add(table, 'old', 'n-old')
    add(table, 'new', 'n-new')
    table.begin_delete('old')
    table.rows.update_one({'_id': 'old'}, {'$set': {
        'deleting_at': datetime.datetime(2020, 1, 1)}})
    table.begin_delete('new')
    found = table.unfinished_deletes(datetime.datetime(2021, 1, 1))
    assert [r['_id'] for r in found] == ['old']


def test_complex_queries_read_the_shown_alarms(table):
    assert alarm_store.prefixed({'$or': [{'name': 'a'}, {'state': {
        '$ne': 'ok'}}]}) == {'$or': [{'alarm.name': 'a'},
                                     {'alarm.state': {'$ne': 'ok'}}]}
    add(table, 'a', 'n-a', state='ok')
    add(table, 'b', 'n-b', state='alarm')
    table.begin('c', 'r1', 'n-c', 'p1')
    found = table.query_alarms({'or': [{'=': {'name': 'n-a'}},
                                       {'=': {'state': 'alarm'}}]},
                               [{'name': 'desc'}], 10)
    assert [a.alarm_id for a in found] == ['b', 'a']
    # Intents are no alarms yet.
    assert sorted(a.name for a in table.query_alarms()) == ['n-a', 'n-b']
    with pytest.raises(storage.InvalidQuery):
        table.query_alarm_history({'=': {'type': 'creation'}})
