"""Alarm routing and id translation of cascading mode (pure functions)."""

import datetime
import json

import pytest

from ceilometer_proxy.cascading import alarm_routing as routing
from ceilometer_proxy.cascading import alarms
from ceilometer_proxy.cascading.drivers import v2_api
from ceilometer_proxy.cascading import errors
from ceilometer_proxy.cascading import reconciler

RESOURCES = {'vm-1': {'region': 'r1', 'cascaded_resource_id': 'r1-vm-1'},
             'vm-2': {'region': 'r2', 'cascaded_resource_id': 'r2-vm-2'}}
AZS = {'az-east': 'r1', 'r1': 'r1', 'r2': 'r2'}
KEY = 'metering.region'


def find_resource(resource_id):
    try:
        return RESOURCES[resource_id]
    except KeyError:
        raise errors.UnknownResource(resource_id)


def resolve(name):
    try:
        return AZS[name]
    except KeyError:
        raise errors.UnknownRegion(name)


def q(field, value):
    return {'field': field, 'op': 'eq', 'value': value}


def route(query, default=None):
    rule = {'meter_name': 'cpu_util', 'threshold': 70.0, 'query': query}
    return routing.route_threshold(rule, KEY, default, find_resource,
                                   resolve)


def test_a_resource_routes_and_is_rewritten():
    query = [q('resource_id', 'vm-1'), q('project_id', 'p1')]
    r = route(query)
    assert r.region == 'r1'
    assert r.rule['query'] == [q('resource_id', 'r1-vm-1'),
                               q('project_id', 'p1')]
    assert r.rule['meter_name'] == 'cpu_util'
    assert r.routing == {'query': query, 'resource_id': 'vm-1'}
    # The user's query is left as it was.
    assert query[0]['value'] == 'vm-1'
    assert route([q('resource', 'vm-2')]).rule['query'] == [
        q('resource', 'r2-vm-2')]


def test_the_region_key_routes_and_is_removed():
    query = [q('metadata.metering.region', 'az-east'),
             q('metadata.metering.stack', 's1')]
    r = route(query)
    assert r.region == 'r1'
    assert r.rule['query'] == [q('metadata.metering.stack', 's1')]
    assert r.routing == {'query': query}
    assert route([q('resource_metadata.metering.region', 'r2')]).region == (
        'r2')


def test_the_resource_comes_first_and_must_agree_with_the_region_key():
    r = route([q('resource_id', 'vm-1'),
               q('metadata.metering.region', 'az-east')])
    assert r.region == 'r1'
    assert r.rule['query'] == [q('resource_id', 'r1-vm-1')]
    with pytest.raises(routing.AlarmError, match='not in r2'):
        route([q('resource_id', 'vm-1'),
               q('metadata.metering.region', 'r2')])


def test_default_region_then_refusal():
    assert route([q('project_id', 'p1')], default='az-east').region == 'r1'
    with pytest.raises(errors.NoRoute, match='metadata.metering.region'):
        route([q('project_id', 'p1')])


def test_unknown_names_and_ambiguous_routes_are_refused():
    with pytest.raises(errors.UnknownResource):
        route([q('resource_id', 'vm-9')])
    with pytest.raises(errors.UnknownRegion):
        route([q('metadata.metering.region', 'mars')])
    with pytest.raises(routing.AlarmError, match='one resource'):
        route([q('resource_id', 'vm-1'), q('resource_id', 'vm-2')])


ROWS = {'a': {'_id': 'a', 'region': 'r1', 'cascaded_alarm_id': 'ca'},
        'b': {'_id': 'b', 'region': 'r1', 'cascaded_alarm_id': 'cb'},
        'c': {'_id': 'c', 'region': 'r2', 'cascaded_alarm_id': 'cc'}}


def find_row(alarm_id):
    try:
        return ROWS[alarm_id]
    except KeyError:
        raise routing.AlarmNotFound(alarm_id)


def test_a_combination_goes_where_its_sub_alarms_are():
    r = routing.route_combination({'operator': 'or', 'alarm_ids': ['b', 'a']},
                                  find_row)
    assert r.region == 'r1'
    assert r.rule == {'operator': 'or', 'alarm_ids': ['cb', 'ca']}
    assert r.routing == {'alarm_ids': ['b', 'a']}
    with pytest.raises(routing.AlarmError, match='a in r1, c in r2'):
        routing.route_combination({'alarm_ids': ['a', 'c']}, find_row)
    with pytest.raises(routing.AlarmNotFound) as err:
        routing.route_combination({'alarm_ids': ['a', 'zz']}, find_row)
    assert err.value.status == 404


def test_an_update_cannot_move_the_alarm():
    here = route([q('resource_id', 'vm-1')])
    routing.check_same_place({'resource_id': 'vm-1'}, 'r1', here)
    with pytest.raises(routing.AlarmError, match='delete it and create'):
        routing.check_same_place({'resource_id': 'vm-2'}, 'r2', here)
    by_region = route([q('metadata.metering.region', 'r2')])
    with pytest.raises(routing.AlarmError, match='another region'):
        routing.check_same_place({}, 'r1', by_region)
    with pytest.raises(routing.AlarmError, match='another resource'):
        routing.check_same_place({}, 'r1', here)


def test_shapes_between_the_api_the_table_and_the_region():
    alarm = {'alarm_id': 'x', 'timestamp': 't', 'state_timestamp': 't',
             'name': 'n', 'type': 'threshold', 'description': None,
             'rule': {'query': [q('resource_id', 'vm-1')]},
             'enabled': True}
    kept = routing.region_alarm(alarm, {'query': [q('resource_id', 'c')]})
    assert kept == {'name': 'n', 'type': 'threshold', 'enabled': True,
                    'rule': {'query': [q('resource_id', 'c')]}}
    body = v2_api.alarm_body(kept)
    assert body == {'name': 'n', 'type': 'threshold', 'enabled': True,
                    'threshold_rule': {'query': [q('resource_id', 'c')]}}
    region = v2_api.alarm_from_body(dict(
        body, alarm_id='cx', state='ok',
        timestamp='2026-03-01T10:00:00.123000',
        state_timestamp='2026-03-01T10:00:00'))
    assert region['rule'] == {'query': [q('resource_id', 'c')]}
    assert region['timestamp'] == datetime.datetime(2026, 3, 1, 10, 0, 0,
                                                    123000)
    assert 'threshold_rule' not in region
    region['rule']['query'].append(q('project_id', 'p1'))
    seen = routing.shown(region, 'x', {'query': [q('resource_id', 'vm-1')],
                                       'resource_id': 'vm-1'})
    assert seen['alarm_id'] == 'x'
    # The user's query, plus what the region added (a scoped project).
    assert seen['rule']['query'] == [q('resource_id', 'vm-1'),
                                     q('project_id', 'p1')]
    assert region['alarm_id'] == 'cx'   # the region's copy is untouched


def test_history_shows_no_region_id():
    row = {'_id': 'casc-1', 'cascaded_alarm_id': 'reg-1',
           'routing': {'query': [q('resource_id', 'vm-1')],
                       'resource_id': 'vm-1'}}
    detail = json.dumps({'alarm_id': 'reg-1', 'name': 'n', 'rule': {
        'query': [q('resource_id', 'r1-vm-1')], 'meter_name': 'cpu'}})
    change = routing.shown_change(
        {'alarm_id': 'reg-1', 'detail': detail, 'type': 'creation'}, row,
        'r1-vm-1')
    assert change['alarm_id'] == 'casc-1'
    shown = json.loads(change['detail'])
    assert shown['alarm_id'] == 'casc-1'
    assert shown['rule'] == {'query': [q('resource_id', 'vm-1')],
                             'meter_name': 'cpu'}
    text = routing.shown_change(
        {'detail': 'moved reg-1 off r1-vm-1'}, row, 'r1-vm-1')['detail']
    assert text == 'moved casc-1 off vm-1'


def row(alarm_id, project='p1', region='r1'):
    return {'_id': alarm_id, 'region': region,
            'cascaded_alarm_id': 'c-' + alarm_id,
            'alarm': {'project_id': project}}


def test_list_query_narrows_the_region_list():
    assert alarms.list_query([row('a')]) == [
        {'field': 'alarm_id', 'op': 'eq', 'value': 'c-a', 'type': ''}]
    assert v2_api.query_params(alarms.list_query([row('a'), row('b')])) == [
        ('q.field', 'project_id'), ('q.op', 'eq'), ('q.type', ''),
        ('q.value', 'p1')]
    assert alarms.list_query([row('a'), row('b', 'p2')]) == []


def test_orphans_of_an_intent():
    intent = {'name': 'hot', 'project_id': 'p1'}
    listed = [{'alarm_id': 'x1', 'name': 'hot', 'project_id': 'p1'},
              {'alarm_id': 'x2', 'name': 'hot', 'project_id': 'p1'},
              {'alarm_id': 'x3', 'name': 'cold', 'project_id': 'p1'},
              {'alarm_id': 'x4', 'name': 'hot', 'project_id': 'p2'}]
    assert [a['alarm_id'] for a in reconciler.orphans_of(
        intent, listed, {'x2'})] == ['x1']


def test_refresh_takes_the_region_state():
    r = {'alarm': {'state': 'ok', 'state_timestamp': None}}
    assert not alarms.refresh(r, None)
    assert not alarms.refresh(r, ('ok', '2026-01-01T00:00:00'))
    stamp = datetime.datetime(2026, 1, 1, 0, 0, 1, 500000)
    assert alarms.refresh(r, ('alarm', stamp))
    assert r['alarm'] == {'state': 'alarm', 'state_timestamp': stamp}
