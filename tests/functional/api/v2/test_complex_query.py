"""POST /v2/query/samples: JSON filter, order-by and limit."""

import json

import pytest

from tests import services

URL = '/v2/query/samples'

MEMBER = {'X-Roles': 'Member', 'X-Project-Id': 'p-1', 'X-User-Id': 'u-1'}
ADMIN = {'X-Roles': 'admin', 'X-Project-Id': 'p-1', 'X-User-Id': 'u-1'}


def seed(store):
    rows = [
        ('s1', 'temp', 'gauge', 'C', 1.5, 'dev-1', 'u-1', 'p-1', 'src',
         '2015-06-01T10:00:00',
         {'room': 'lab', 'floor': 1, 'ratio': 0.25, 'on': True,
          'nest': {'k': 'v1'}}),
        ('s2', 'temp', 'gauge', 'C', 2.5, 'dev-2', 'u-2', 'p-2', 'src',
         '2015-06-01T10:05:00',
         {'room': 'hall', 'floor': 2, 'ratio': 0.75, 'on': False,
          'nest': {'k': 'v2'}}),
        ('s3', 'temp', 'gauge', 'C', 3.5, 'dev-3', 'u-3', 'p-3', 'src',
         '2015-06-01T10:10:00',
         {'room': 'lab', 'floor': 3, 'ratio': 0.95, 'on': True}),
        ('s4', 'humidity', 'delta', '%', 2.5, 'dev-1', 'u-1', 'p-1',
         'other-src', '2015-06-01T10:15:00',
         {'room': 'lab-annex', 'floor': 1}),
    ]
    msgs = []
    for (key, name, kind, unit, volume, rid, user, project, source, when,
         meta) in rows:
        msgs.append(services.make_message(
            name, volume, rid, when, counter_type=kind, counter_unit=unit,
            user_id=user, project_id=project, source=source,
            resource_metadata=meta, message_id=key))
    store.record_metering_data_batch(msgs)


def query(api, headers=None, **body):
    for key in ('filter', 'orderby'):
        if key in body and not isinstance(body[key], str):
            body[key] = json.dumps(body[key])
    return api.post_json(URL, body, status=200, headers=headers)


def ids(api, headers=None, **body):
    return [s['id'] for s in query(api, headers=headers, **body)]


def refused(api, body, status=400, headers=None):
    resp = api.post(URL, body, status=status, headers=headers)
    err = resp.json()['error_message']
    assert err['faultcode'] == 'Client'
    return err['faultstring']


def test_empty_query_returns_everything_newest_first(api, store):
    seed(store)
    assert ids(api) == ['s4', 's3', 's2', 's1']


def test_sample_shape(api, store):
    seed(store)
    got = query(api, filter={'=': {'message_id': 's2'}})
    assert len(got) == 1
    one = got[0]
    assert one.pop('recorded_at')
    assert one == {
        'id': 's2', 'meter': 'temp', 'type': 'gauge', 'unit': 'C',
        'volume': 2.5, 'user_id': 'u-2', 'project_id': 'p-2',
        'resource_id': 'dev-2', 'source': 'src',
        'timestamp': '2015-06-01T10:05:00',
        'metadata': {'room': 'hall', 'floor': '2', 'ratio': '0.75',
                     'on': 'False', 'nest.k': 'v2'}}


@pytest.mark.parametrize('field,value,expected', [
    ('project', 'p-2', ['s2']),
    ('project_id', 'p-2', ['s2']),
    ('user', 'u-1', ['s4', 's1']),
    ('user_id', 'u-3', ['s3']),
    ('resource', 'dev-1', ['s4', 's1']),
    ('resource_id', 'dev-2', ['s2']),
    ('meter', 'humidity', ['s4']),
    ('counter_name', 'temp', ['s3', 's2', 's1']),
    ('type', 'delta', ['s4']),
    ('counter_type', 'gauge', ['s3', 's2', 's1']),
    ('unit', '%', ['s4']),
    ('counter_unit', 'C', ['s3', 's2', 's1']),
    ('volume', 2.5, ['s4', 's2']),
    ('counter_volume', 3.5, ['s3']),
    ('source', 'other-src', ['s4']),
])
def test_equality_on_every_field_name(api, store, field, value, expected):
    seed(store)
    assert ids(api, filter={'=': {field: value}}) == expected


@pytest.mark.parametrize('op,value,expected', [
    ('<', 2.5, ['s1']),
    ('<=', 2.5, ['s4', 's2', 's1']),
    ('=<', 2.5, ['s4', 's2', 's1']),
    ('>', 2.5, ['s3']),
    ('>=', 2.5, ['s4', 's3', 's2']),
    ('=>', 2.5, ['s4', 's3', 's2']),
    ('!=', 2.5, ['s3', 's1']),
    ('=', 9.0, []),
])
def test_comparisons_on_volume(api, store, op, value, expected):
    seed(store)
    assert ids(api, filter={op: {'volume': value}}) == expected


def test_in_operator(api, store):
    seed(store)
    assert ids(api, filter={'in': {'resource': ['dev-2', 'dev-3']}}) == [
        's3', 's2']
    assert ids(api, filter={'In': {'project_id': ['p-1', 'p-9']}}) == [
        's4', 's1']
    assert ids(api, filter={'in': {'volume': [1.5, 3.5]}}) == ['s3', 's1']


def test_regex_operator(api, store):
    seed(store)
    assert ids(api, filter={'=~': {'resource_id': '^dev-[12]$'}}) == [
        's4', 's2', 's1']
    assert ids(api, filter={'=~': {'metadata.room': '^lab'}}) == [
        's4', 's3', 's1']
    assert ids(api, filter={'=~': {'meter': 'umid'}}) == ['s4']


def test_and_or_nesting(api, store):
    seed(store)
    flt = {'and': [{'=': {'meter': 'temp'}},
                   {'or': [{'<': {'volume': 2}},
                           {'>': {'volume': 3}}]}]}
    assert ids(api, filter=flt) == ['s3', 's1']
    upper = {'OR': [{'=': {'project': 'p-1'}},
                    {'=': {'project': 'p-2'}}]}
    assert ids(api, filter=upper) == ['s4', 's2', 's1']
    three = {'And': [{'=': {'user': 'u-1'}}, {'=': {'meter': 'temp'}},
                     {'>=': {'volume': 1}}]}
    assert ids(api, filter=three) == ['s1']


def test_negations(api, store):
    seed(store)
    assert ids(api, filter={'not': {'=': {'meter': 'temp'}}}) == ['s4']
    assert ids(api, filter={'not': {'!=': {'meter': 'temp'}}}) == [
        's3', 's2', 's1']
    assert ids(api, filter={'NOT': {'<': {'volume': 2.5}}}) == [
        's4', 's3', 's2']
    assert ids(api, filter={'not': {'in': {'resource': ['dev-1']}}}) == [
        's3', 's2']
    assert ids(api, filter={'not': {'=~': {'resource': '3$'}}}) == [
        's4', 's2', 's1']


def test_negation_is_pushed_through_and_or(api, store):
    seed(store)
    # not (temp and volume > 2)  ==  humidity or volume <= 2
    flt = {'not': {'and': [{'=': {'meter': 'temp'}},
                           {'>': {'volume': 2}}]}}
    assert ids(api, filter=flt) == ['s4', 's1']
    # not (dev-1 or dev-2)
    flt = {'not': {'or': [{'=': {'resource': 'dev-1'}},
                          {'=': {'resource': 'dev-2'}}]}}
    assert ids(api, filter=flt) == ['s3']
    # not (dev-3 or (temp and volume < 2))
    flt = {'not': {'or': [{'=': {'resource': 'dev-3'}},
                          {'and': [{'=': {'meter': 'temp'}},
                                   {'<': {'volume': 2}}]}]}}
    assert ids(api, filter=flt) == ['s4', 's2']


def test_double_negation_cancels_out(api, store):
    seed(store)
    flt = {'not': {'not': {'=': {'user': 'u-2'}}}}
    assert ids(api, filter=flt) == ['s2']
    flt = {'and': [{'not': {'not': {'=': {'meter': 'temp'}}}},
                   {'not': {'=': {'volume': 1.5}}}]}
    assert ids(api, filter=flt) == ['s3', 's2']


def test_metadata_fields(api, store):
    seed(store)
    assert ids(api, filter={'>=': {'metadata.ratio': 0.5}}) == ['s3', 's2']
    assert ids(api, filter={'=': {'metadata.on': True}}) == ['s3', 's1']
    assert ids(api, filter={'=': {'metadata.nest.k': 'v2'}}) == ['s2']
    assert ids(api, filter={'<': {'metadata.floor': 2}}) == ['s4', 's1']
    assert ids(api, filter={'=': {'metadata.room': 'lab'}}) == ['s3', 's1']


def test_negated_metadata_comparison_includes_samples_without_it(api, store):
    seed(store)
    # s4 has no ratio at all, so "not ratio >= 0.5" holds for it
    assert ids(api, filter={'not': {'>=': {'metadata.ratio': 0.5}}}) == [
        's4', 's1']


def test_timestamp_filters(api, store):
    seed(store)
    assert ids(api, filter={'>': {'timestamp': '2015-06-01T10:05:00'}}) == [
        's4', 's3']
    assert ids(api, filter={'>=': {'timestamp': '2015-06-01T10:05:00'}}) == [
        's4', 's3', 's2']
    both = {'and': [{'>': {'timestamp': '2015-06-01T10:00:00'}},
                    {'<': {'timestamp': '2015-06-01T10:15:00'}}]}
    assert ids(api, filter=both) == ['s3', 's2']
    # 12:10+02:00 is 10:10 UTC
    assert ids(api, filter={'=': {'timestamp':
                                  '2015-06-01T12:10:00+02:00'}}) == ['s3']


def test_orderby_single_field(api, store):
    seed(store)
    got = query(api, orderby=[{'project_id': 'DESC'}])
    assert [s['project_id'] for s in got] == ['p-3', 'p-2', 'p-1', 'p-1']
    got = query(api, orderby=[{'user': 'aSc'}, {'timestamp': 'asc'}])
    assert [s['id'] for s in got] == ['s1', 's4', 's2', 's3']
    got = query(api, orderby=[{'volume': 'deSc'}, {'timestamp': 'desc'}])
    assert [s['volume'] for s in got] == [3.5, 2.5, 2.5, 1.5]
    assert [s['id'] for s in got] == ['s3', 's4', 's2', 's1']


def test_orderby_several_fields(api, store):
    seed(store)
    got = ids(api, orderby=[{'volume': 'asc'}, {'timestamp': 'desc'}])
    assert got == ['s1', 's4', 's2', 's3']
    got = ids(api, orderby=[{'volume': 'asc'}, {'timestamp': 'asc'}])
    assert got == ['s1', 's2', 's4', 's3']
    got = ids(api, orderby=[{'meter': 'asc'}, {'resource': 'desc'}])
    assert got == ['s4', 's3', 's2', 's1']


def test_filter_orderby_and_limit_together(api, store):
    seed(store)
    got = ids(api, filter={'=': {'meter': 'temp'}},
              orderby=[{'volume': 'desc'}], limit=2)
    assert got == ['s3', 's2']
    assert ids(api, limit=1) == ['s4']
    assert ids(api, limit=10) == ['s4', 's3', 's2', 's1']


@pytest.mark.parametrize('limit', [0, -1])
def test_limit_must_be_positive(api, store, limit):
    seed(store)
    assert refused(api, {'limit': limit}) == 'Limit must be positive'


@pytest.mark.parametrize('text,fragment', [
    ('{"=": "resource": "dev-1"}}', 'Filter expression not valid'),
    ('{"=": {"unknown": "dev-1"}}',
     'is not valid under any of the given schemas'),
    ('{"~=": {"resource": "dev-1"}}',
     'is not valid under any of the given schemas'),
    ('{"and": [{"=": {"resource": "dev-1"}}]}',
     'Filter expression not valid'),
    ('{"in": {"resource": []}}', 'Filter expression not valid'),
    ('{"=": {"resource": "dev-1", "user": "u-1"}}',
     'Filter expression not valid'),
    ('{"=": {"resource": {"$ne": "x"}}}', 'Filter expression not valid'),
    ('{"=": {"volume": [1, 2]}}', 'Filter expression not valid'),
    ('{"=": {"resource": "a"}, "!=": {"resource": "b"}}',
     'Filter expression not valid'),
    ('[]', 'Filter expression not valid'),
    ('"text"', 'Filter expression not valid'),
    ('{}', 'Filter expression not valid'),
    ('', 'Filter expression not valid'),
])
def test_invalid_filters_are_refused(api, store, text, fragment):
    seed(store)
    message = refused(api, {'filter': text})
    assert message.startswith('Filter expression not valid: ')
    assert fragment in message


@pytest.mark.parametrize('text,fragment', [
    ('{"project_id": "desc"}]', 'Order-by expression not valid: Extra data'),
    ('[{"project_id": ""}]', "does not match '(?i)^asc$|^desc$'"),
    ('[{"project_id": "upwards"}]', "does not match '(?i)^asc$|^desc$'"),
    ('[{"nonsense": "asc"}]', 'Order-by expression not valid'),
    ('[{"metadata.room": "asc"}]', 'Order-by expression not valid'),
    ('[{"volume": "asc", "user": "desc"}]', 'Order-by expression not valid'),
    ('{"volume": "asc"}', 'Order-by expression not valid'),
])
def test_invalid_orderby_is_refused(api, store, text, fragment):
    seed(store)
    message = refused(api, {'orderby': text})
    assert message.startswith('Order-by expression not valid: ')
    assert fragment in message


def test_invalid_timestamp_is_refused(api, store):
    seed(store)
    message = refused(api, {'filter': json.dumps(
        {'>': {'timestamp': 'not-a-date'}})})
    assert message == 'Failed to parse the timestamp value not-a-date'
    message = refused(api, {'filter': json.dumps(
        {'<': {'timestamp': '2015-02-30T00:00:00'}})})
    assert message == ('Failed to parse the timestamp value '
                       '2015-02-30T00:00:00')


def test_non_admin_sees_only_its_project(api, store):
    seed(store)
    assert ids(api, headers=MEMBER) == ['s4', 's1']
    flt = {'=': {'project_id': 'p-1'}}
    assert ids(api, headers=MEMBER, filter=flt) == ['s4', 's1']
    flt = {'=': {'meter': 'temp'}}
    assert ids(api, headers=MEMBER, filter=flt) == ['s1']
    # an "or" cannot widen the scope
    flt = {'or': [{'=': {'meter': 'temp'}}, {'=': {'meter': 'humidity'}}]}
    assert ids(api, headers=MEMBER, filter=flt) == ['s4', 's1']
    flt = {'not': {'=': {'resource': 'dev-1'}}}
    assert ids(api, headers=MEMBER, filter=flt) == []


@pytest.mark.parametrize('flt,named', [
    ({'=': {'project_id': 'p-2'}}, 'p-2'),
    ({'=': {'project': 'p-2'}}, 'p-2'),
    ({'or': [{'=': {'project_id': 'p-1'}}, {'=': {'project_id': 'p-3'}}]},
     'p-3'),
    ({'and': [{'=': {'meter': 'temp'}},
              {'not': {'=': {'project': 'p-3'}}}]}, 'p-3'),
    ({'!=': {'project_id': 'p-2'}}, 'p-2'),
])
def test_non_admin_cannot_name_another_project(api, store, flt, named):
    seed(store)
    resp = api.post(URL, {'filter': json.dumps(flt)}, headers=MEMBER,
                    status=401)
    assert resp.json()['error_message'] == {
        'faultcode': 'Client',
        'faultstring': 'Not Authorized to access project %s' % named,
        'debuginfo': None}


def test_non_admin_cannot_list_other_projects_with_in(api, store):
    seed(store)
    flt = {'in': {'project_id': ['p-1', 'p-2']}}
    resp = api.post(URL, {'filter': json.dumps(flt)}, headers=MEMBER,
                    status=401)
    assert resp.json()['error_message']['faultstring'].startswith(
        'Not Authorized to access project ')


def test_admin_sees_and_queries_every_project(api, store):
    seed(store)
    assert ids(api, headers=ADMIN) == ['s4', 's3', 's2', 's1']
    assert ids(api, headers=ADMIN,
               filter={'=': {'project_id': 'p-2'}}) == ['s2']
    assert ids(api, headers=ADMIN,
               filter={'In': {'project_id': ['p-2', 'p-3']}}) == ['s3', 's2']


# -- no server errors for odd input -----------------------------------------

def test_invalid_regex_is_a_client_error(api, store):
    seed(store)
    message = refused(api, {'filter': json.dumps(
        {'=~': {'resource': '(unclosed'}})})
    assert message


@pytest.mark.parametrize('body', [[{'filter': '{}'}], 'just text', 42])
def test_body_that_is_no_object_is_a_client_error(api, store, body):
    seed(store)
    resp = api.post(URL, body)
    assert resp.status_code == 400, resp.text
    assert resp.json()['error_message']['faultcode'] == 'Client'


def test_huge_limit_is_no_server_error(api, store):
    seed(store)
    resp = api.post(URL, {'limit': 10 ** 20})
    assert resp.status_code in (200, 400), resp.text
    if resp.status_code == 200:
        assert [s['id'] for s in resp.json()] == ['s4', 's3', 's2', 's1']


def test_huge_number_in_filter_is_no_server_error(api, store):
    seed(store)
    resp = api.post(URL, {'filter': json.dumps(
        {'>': {'volume': 10 ** 30}})})
    assert resp.status_code in (200, 400), resp.text
    if resp.status_code == 200:
        assert resp.json() == []


def test_unusual_but_valid_input_is_answered(api, store):
    seed(store)
    assert ids(api, filter={'=': {'resource': 'dev-\u00e9\u4e2d'}}) == []
    assert ids(api, filter={'=': {'metadata.on': False}}) == ['s2']
    assert ids(api, orderby=[]) == ['s4', 's3', 's2', 's1']
    assert refused(api, {'limit': 'lots'})
