"""/v2/alarms: create, list, filter, get, replace and delete, with the
validation and project scoping of Ceilometer's alarms API."""

import pytest

from tests.functional.api.v2.alarms.conftest import ADMIN
from tests.functional.api.v2.alarms.conftest import ALICE
from tests.functional.api.v2.alarms.conftest import BOB
from tests.functional.api.v2.alarms.conftest import fault
from tests.functional.api.v2.alarms.conftest import threshold_alarm


def create(client, body, headers=None):
    return client.post_json('/v2/alarms', body, headers=headers)


def seed(client):
    """Alarms of two projects; returns {name: alarm}."""
    made = {}
    made['web-hot'] = create(client, threshold_alarm(
        'web-hot', severity='critical', state='alarm',
        rule={'meter_name': 'cpu_util', 'comparison_operator': 'gt'}),
        ALICE)
    made['disk-full'] = create(client, threshold_alarm(
        'disk-full', enabled=False, rule={'meter_name': 'disk.usage'}),
        ALICE)
    made['bob-net'] = create(client, threshold_alarm(
        'bob-net', state='ok', rule={'meter_name': 'network.in'}), BOB)
    made['both'] = create(client, {
        'name': 'both', 'type': 'combination',
        'combination_rule': {'alarm_ids': [made['web-hot']['alarm_id'],
                                           made['disk-full']['alarm_id']],
                             'operator': 'or'}}, ALICE)
    return made


def names(alarms):
    return sorted(a['name'] for a in alarms)


# -- creation and defaults --------------------------------------------------

def test_empty_store_lists_nothing(client):
    assert client.get_json('/v2/alarms') == []


def test_threshold_alarm_defaults(client):
    alarm = create(client, threshold_alarm('hot'), ALICE)
    rule = alarm['threshold_rule']
    assert rule == {'meter_name': 'cpu_util', 'threshold': 70.0,
                    'period': 60, 'evaluation_periods': 1,
                    'comparison_operator': 'eq', 'statistic': 'avg',
                    'exclude_outliers': False,
                    'query': [{'field': 'project_id', 'op': 'eq',
                               'value': 'proj-a'}]}
    assert alarm['description'] == (
        'Alarm when cpu_util is eq a avg of 70.0 over 60 seconds')
    assert alarm['state'] == 'insufficient data'
    assert alarm['severity'] == 'low'
    assert alarm['enabled'] is True and alarm['repeat_actions'] is False
    assert alarm['time_constraints'] == []
    assert alarm['ok_actions'] == alarm['alarm_actions'] == []
    assert (alarm['user_id'], alarm['project_id']) == ('alice', 'proj-a')
    assert alarm['timestamp'] == alarm['state_timestamp']
    assert 'combination_rule' not in alarm
    assert client.get_json('/v2/alarms/' + alarm['alarm_id']) == alarm


def test_every_field_is_kept(client):
    body = threshold_alarm(
        'full', description='my alarm', enabled=False, state='ok',
        severity='moderate', repeat_actions=True,
        ok_actions=['http://hook/ok'], alarm_actions=['https://hook/a'],
        insufficient_data_actions=['http://hook/nd'],
        time_constraints=[{'name': 'nightly', 'start': '0 23 * * *',
                           'duration': 3600,
                           'timezone': 'Europe/Ljubljana'}],
        rule={'meter_name': 'mem', 'threshold': 1.5, 'period': 300,
              'evaluation_periods': 3, 'comparison_operator': 'ge',
              'statistic': 'max', 'exclude_outliers': True,
              'query': [{'field': 'resource_id', 'op': 'eq',
                         'value': 'vm-1'}]})
    alarm = create(client, body)
    for key in ('description', 'enabled', 'state', 'severity',
                'repeat_actions', 'ok_actions', 'alarm_actions',
                'insufficient_data_actions'):
        assert alarm[key] == body[key]
    assert alarm['time_constraints'] == [{
        'name': 'nightly', 'start': '0 23 * * *', 'duration': 3600,
        'timezone': 'Europe/Ljubljana',
        'description': 'Time constraint at 0 23 * * * lasting for 3600 '
                       'seconds'}]
    rule = alarm['threshold_rule']
    assert (rule['period'], rule['evaluation_periods'], rule['statistic'],
            rule['exclude_outliers']) == (300, 3, 'max', True)
    # An admin acting in their own project gets no implicit constraint.
    assert rule['query'] == [{'field': 'resource_id', 'op': 'eq',
                              'value': 'vm-1'}]


def test_duplicate_actions_are_merged(client):
    alarm = create(client, threshold_alarm(
        'dup', alarm_actions=['http://a/1', 'http://a/1', 'http://a/2']))
    assert alarm['alarm_actions'] == ['http://a/1', 'http://a/2']


def test_combination_alarm(client):
    made = seed(client)
    both = made['both']
    assert both['combination_rule'] == {
        'operator': 'or',
        'alarm_ids': [made['web-hot']['alarm_id'],
                      made['disk-full']['alarm_id']]}
    assert both['description'] == 'Combined state of alarms %s or %s' % (
        made['web-hot']['alarm_id'], made['disk-full']['alarm_id'])
    assert 'threshold_rule' not in both


# -- validation -------------------------------------------------------------

@pytest.mark.parametrize('change, message', [
    ({'rule': {'period': 0}}, 'period'),
    ({'rule': {'period': -1}}, 'period'),
    ({'rule': {'evaluation_periods': 0}}, 'evaluation_periods'),
    ({'rule': {'statistic': 'magic'}},
     "Invalid input for field/attribute statistic. Value: 'magic'."),
    ({'rule': {'comparison_operator': 'bigger'}},
     "Invalid input for field/attribute comparison_operator."),
    ({'state': 'bad_state'},
     "Invalid input for field/attribute state. Value: 'bad_state'."),
    ({'severity': 'huge'}, "Invalid input for field/attribute severity."),
    ({'type': 'gnocchi'}, "Invalid input for field/attribute type."),
    ({'enabled': 'maybe'}, 'Value not an unambiguous boolean: maybe'),
    ({'rule': {'query': [{'field': 'timestamp', 'op': 'gt',
                          'value': '2015-01-01T00:00:00'}]}}, 'timestamp'),
    ({'rule': {'query': [{'field': 'metadata.x', 'value': '1',
                          'type': 'blob'}]}},
     'The data type blob is not supported.'),
    ({'rule': {'query': [{'field': 'bogus', 'value': '1'}]}}, 'bogus'),
    ({'time_constraints': [{'name': 'c', 'start': '11:00am',
                            'duration': 10}]}, 'start'),
    ({'time_constraints': [{'name': 'c', 'start': '* 11 * * *',
                            'duration': -1}]}, 'duration'),
    ({'time_constraints': [{'name': 'c', 'start': '* 11 * * *',
                            'duration': 1, 'timezone': 'Mars/Olympus'}]},
     'Timezone Mars/Olympus is not valid'),
    ({'time_constraints': [
        {'name': 'c', 'start': '* 11 * * *', 'duration': 1},
        {'name': 'c', 'start': '* 12 * * *', 'duration': 1}]},
     'Time constraint names must be unique for a given alarm.'),
    ({'ok_actions': ['spam://somewhere/ok']},
     'Unsupported action spam://somewhere/ok'),
    ({'alarm_actions': ['trust+http://somewhere/a']},
     'Unsupported action trust+http://somewhere/a'),
    ({'insufficient_data_actions': ['http://[::1']},
     'Unable to parse action http://[::1'),
])
def test_invalid_alarms_are_refused(client, change, message):
    resp = client.post('/v2/alarms', threshold_alarm('bad', **change))
    assert resp.status_code == 400, resp.text
    assert message in fault(resp)
    assert client.get_json('/v2/alarms') == []


def test_rule_must_match_type(client):
    resp = client.post('/v2/alarms', {'name': 'x', 'type': 'threshold',
                                      'threshold_rule': None})
    assert resp.status_code == 400
    assert fault(resp) == ('threshold_rule must be set for threshold type '
                           'alarm')
    resp = client.post('/v2/alarms', {
        'name': 'x', 'type': 'combination',
        'threshold_rule': {'meter_name': 'm', 'threshold': 1},
        'combination_rule': {'alarm_ids': ['a', 'b']}})
    assert resp.status_code == 400
    assert 'threshold_rule' in fault(resp)
    assert 'combination_rule' in fault(resp)
    assert 'cannot be set at the same time' in fault(resp)


def test_mandatory_fields(client):
    resp = client.post('/v2/alarms', {'type': 'threshold',
                                      'threshold_rule': {'threshold': 1}})
    assert resp.status_code == 400
    resp = client.post('/v2/alarms', threshold_alarm('x', nonsense=1))
    assert resp.status_code == 400
    assert 'nonsense' in fault(resp)


@pytest.mark.parametrize('ids, message', [
    ([], 'at least two different alarm ids'),
    (['one'], 'at least two different alarm ids'),
    (['same', 'same'], 'at least two different alarm ids'),
])
def test_combination_needs_two_alarms(client, ids, message):
    resp = client.post('/v2/alarms', {'name': 'c', 'type': 'combination',
                                      'combination_rule': {
                                          'alarm_ids': ids}})
    assert resp.status_code == 400
    assert message in fault(resp)


def test_combination_of_unknown_or_foreign_alarms(client):
    made = seed(client)
    body = {'name': 'c', 'type': 'combination',
            'combination_rule': {'alarm_ids': [made['web-hot']['alarm_id'],
                                               'nowhere']}}
    resp = client.post('/v2/alarms', body, headers=ALICE)
    assert resp.status_code == 404
    assert fault(resp) == 'Alarm nowhere not found in project proj-a'
    body['combination_rule']['alarm_ids'][1] = made['bob-net']['alarm_id']
    resp = client.post('/v2/alarms', body, headers=ALICE)
    assert resp.status_code == 404
    # An admin may combine alarms of any project for another project.
    body['project_id'] = 'proj-a'
    body['combination_rule']['alarm_ids'][1] = made['disk-full']['alarm_id']
    assert client.post('/v2/alarms', body).status_code == 201


def test_combination_operator_is_checked(client):
    resp = client.post('/v2/alarms', {
        'name': 'c', 'type': 'combination',
        'combination_rule': {'alarm_ids': ['a', 'b'], 'operator': 'xor'}})
    assert resp.status_code == 400
    assert "Invalid input for field/attribute operator." in fault(resp)


def test_names_are_unique_per_project(client):
    create(client, threshold_alarm('same'), ALICE)
    resp = client.post('/v2/alarms', threshold_alarm('same'), headers=ALICE)
    assert resp.status_code == 409
    assert fault(resp) == 'Alarm with name=same exists'
    create(client, threshold_alarm('same'), BOB)


def test_log_and_test_actions_are_for_admins(client):
    for action in ('log://', 'test://'):
        resp = client.post('/v2/alarms', threshold_alarm(
            'l', alarm_actions=[action]), headers=ALICE)
        assert resp.status_code == 401
        assert fault(resp) == ('You are not authorized to create action: %s'
                               % action)
    create(client, threshold_alarm('l', alarm_actions=['log://',
                                                       'test://']))


# -- ownership --------------------------------------------------------------

def test_member_owns_their_alarms(client):
    alarm = create(client, threshold_alarm(
        'mine', user_id='alice', project_id='proj-a'), ALICE)
    assert (alarm['user_id'], alarm['project_id']) == ('alice', 'proj-a')
    for field, value in (('user_id', 'bob'), ('project_id', 'proj-b')):
        resp = client.post('/v2/alarms', threshold_alarm(
            'theirs', **{field: value}), headers=ALICE)
        assert resp.status_code == 401
        aspect = field.split('_')[0]
        assert fault(resp) == ('Not Authorized to access %s %s'
                               % (aspect, value))


def test_admin_creates_for_other_projects(client):
    alarm = create(client, threshold_alarm(
        'for-b', user_id='bob', project_id='proj-b'))
    assert (alarm['user_id'], alarm['project_id']) == ('bob', 'proj-b')
    assert alarm['threshold_rule']['query'] == [
        {'field': 'project_id', 'op': 'eq', 'value': 'proj-b'}]
    alarm = create(client, threshold_alarm('own', rule={'query': [
        {'field': 'project_id', 'op': 'eq', 'value': 'proj-c'}]}))
    assert alarm['threshold_rule']['query'] == [
        {'field': 'project_id', 'op': 'eq', 'value': 'proj-c'}]


def test_member_rule_query_cannot_name_another_project(client):
    resp = client.post('/v2/alarms', threshold_alarm('x', rule={'query': [
        {'field': 'project_id', 'op': 'eq', 'value': 'proj-b'}]}),
        headers=ALICE)
    assert resp.status_code == 401


# -- listing and filters ----------------------------------------------------

def test_admin_lists_every_project_members_their_own(client):
    seed(client)
    assert names(client.get_json('/v2/alarms')) == [
        'bob-net', 'both', 'disk-full', 'web-hot']
    assert names(client.get_json('/v2/alarms', headers=ALICE)) == [
        'both', 'disk-full', 'web-hot']
    assert names(client.get_json('/v2/alarms', headers=BOB)) == ['bob-net']


@pytest.mark.parametrize('field, value, expected', [
    ('name', 'web-hot', ['web-hot']),
    ('meter', 'disk.usage', ['disk-full']),
    ('state', 'ok', ['bob-net']),
    ('state', 'insufficient data', ['both', 'disk-full']),
    ('enabled', 'False', ['disk-full']),
    ('enabled', 'true', ['bob-net', 'both', 'web-hot']),
    ('type', 'combination', ['both']),
    ('severity', 'critical', ['web-hot']),
    ('project_id', 'proj-b', ['bob-net']),
    ('project', 'proj-a', ['both', 'disk-full', 'web-hot']),
    ('user_id', 'bob', ['bob-net']),
])
def test_filters(client, field, value, expected):
    seed(client)
    q = [{'field': field, 'op': 'eq', 'value': value}]
    assert names(client.get_json('/v2/alarms', q=q)) == expected


def test_filter_by_alarm_id(client):
    made = seed(client)
    q = [{'field': 'alarm_id', 'value': made['bob-net']['alarm_id']}]
    assert names(client.get_json('/v2/alarms', q=q)) == ['bob-net']
    assert client.get_json('/v2/alarms', q=q, headers=ALICE) == []


@pytest.mark.parametrize('q, status, message', [
    ([{'field': 'timestamp', 'op': 'gt', 'value': '2015-01-01'}], 400,
     'timestamp'),
    ([{'field': 'name', 'op': 'ne', 'value': 'x'}], 400,
     'unimplemented operator'),
    ([{'field': 'colour', 'value': 'x'}], 400, 'colour'),
    ([{'field': 'enabled', 'value': 'perhaps'}], 400,
     'Unable to convert the value perhaps'),
])
def test_bad_filters(client, q, status, message):
    resp = client.get('/v2/alarms', q=q)
    assert resp.status_code == status, resp.text
    assert message in fault(resp)


def test_member_cannot_filter_on_another_project(client):
    seed(client)
    resp = client.get('/v2/alarms', headers=ALICE,
                      q=[{'field': 'project_id', 'value': 'proj-b'}])
    assert resp.status_code == 401
    assert fault(resp) == 'Not Authorized to access project proj-b'
    q = [{'field': 'project_id', 'value': 'proj-a'}]
    assert len(client.get_json('/v2/alarms', q=q, headers=ALICE)) == 3


def test_limit_and_sort(client):
    seed(client)
    got = client.get_json('/v2/alarms', sort=['name:asc'])
    assert [a['name'] for a in got] == ['bob-net', 'both', 'disk-full',
                                        'web-hot']
    got = client.get_json('/v2/alarms', sort=['name:desc'], limit=2)
    assert [a['name'] for a in got] == ['web-hot', 'disk-full']
    newest = client.get_json('/v2/alarms', limit=1)
    assert [a['name'] for a in newest] == ['both']
    assert client.get('/v2/alarms', limit=0).status_code == 400
    resp = client.get('/v2/alarms', sort=['colour:asc'])
    assert resp.status_code == 400
    assert 'Invalid sort' in fault(resp)
    assert client.get('/v2/alarms', sort=['name:up']).status_code == 400


# -- get, replace, delete ---------------------------------------------------

def test_get_unknown_and_foreign_alarms(client):
    made = seed(client)
    resp = client.get('/v2/alarms/nowhere')
    assert resp.status_code == 404
    assert fault(resp) == 'Alarm nowhere not found'
    bob_id = made['bob-net']['alarm_id']
    for method in ('get', 'delete'):
        resp = getattr(client, method)('/v2/alarms/' + bob_id,
                                       headers=ALICE)
        assert resp.status_code == 404
        assert fault(resp) == ('Alarm %s not found in project proj-a'
                               % bob_id)
    resp = client.put('/v2/alarms/' + bob_id, threshold_alarm('x'),
                      headers=ALICE)
    assert resp.status_code == 404
    assert client.get_json('/v2/alarms/' + bob_id, headers=BOB)['name'] == (
        'bob-net')


def test_replace_alarm(client):
    alarm = create(client, threshold_alarm('hot', severity='critical'),
                   ALICE)
    body = dict(alarm, name='renamed', severity='low',
                threshold_rule=dict(alarm['threshold_rule'], threshold=90.0))
    for key in ('alarm_id', 'timestamp', 'state_timestamp'):
        body.pop(key)
    got = client.put('/v2/alarms/' + alarm['alarm_id'], body,
                     headers=ALICE, status=200).json()
    assert (got['name'], got['severity']) == ('renamed', 'low')
    assert got['threshold_rule']['threshold'] == 90.0
    assert got['timestamp'] > alarm['timestamp']
    assert got['state_timestamp'] == alarm['state_timestamp']
    assert got['description'] == alarm['description']
    assert client.get_json('/v2/alarms/' + alarm['alarm_id']) == got


def test_replace_keeps_owner_unless_admin_changes_it(client):
    alarm = create(client, threshold_alarm('x'), ALICE)
    body = threshold_alarm('x')
    got = client.put('/v2/alarms/' + alarm['alarm_id'], body,
                     status=200).json()
    assert (got['user_id'], got['project_id']) == ('alice', 'proj-a')
    body['project_id'] = 'proj-z'
    got = client.put('/v2/alarms/' + alarm['alarm_id'], body,
                     status=200).json()
    assert got['project_id'] == 'proj-z'


def test_replace_with_taken_name_or_invalid_body(client):
    made = seed(client)
    alarm_id = made['web-hot']['alarm_id']
    resp = client.put('/v2/alarms/' + alarm_id,
                      threshold_alarm('disk-full'), headers=ALICE)
    assert resp.status_code == 409
    resp = client.put('/v2/alarms/' + alarm_id, threshold_alarm(
        'web-hot', ok_actions=['spam://x']), headers=ALICE)
    assert resp.status_code == 400
    resp = client.put('/v2/alarms/' + alarm_id, threshold_alarm(
        'web-hot', wrong_field=1), headers=ALICE)
    assert resp.status_code == 400


def test_combination_cannot_contain_itself(client):
    made = seed(client)
    both = made['both']
    body = {'name': 'both', 'type': 'combination',
            'combination_rule': {'alarm_ids': [both['alarm_id'],
                                               made['web-hot']['alarm_id']]}}
    resp = client.put('/v2/alarms/' + both['alarm_id'], body, headers=ALICE)
    assert resp.status_code == 400
    assert fault(resp) == ('Cannot specify alarm %s itself in combination '
                           'rule' % both['alarm_id'])


def test_delete_alarm(client):
    made = seed(client)
    resp = client.delete('/v2/alarms/' + made['disk-full']['alarm_id'],
                         headers=ALICE)
    assert resp.status_code == 204
    assert resp.content == b''
    assert names(client.get_json('/v2/alarms')) == ['bob-net', 'both',
                                                    'web-hot']
    assert client.get('/v2/alarms/' + made['disk-full']['alarm_id'],
                      headers=ALICE).status_code == 404


def test_admin_headers_see_any_alarm(client):
    made = seed(client)
    got = client.get_json('/v2/alarms/' + made['bob-net']['alarm_id'],
                          headers=ADMIN)
    assert got['project_id'] == 'proj-b'
