"""Requests that once answered 500, each a clear 4xx now (local mode).

One test per class the fuzz campaigns found (tests/functional/fuzz):
body fields of the wrong JSON type, integers past 64 bits, bodies that are
not UTF-8 or nest too deep (on GETs too), oversized bodies, query fields
that reached the store unchecked, and the two conformance details. Each
answer has Ceilometer's error body and names what was wrong.
"""

import json

import pytest


MEMBER = {'X-User-Id': 'u1', 'X-Project-Id': 'p1', 'X-Roles': 'member'}
OTHER = {'X-User-Id': 'u2', 'X-Project-Id': 'p2', 'X-Roles': 'member'}


def sample(**fields):
    body = {'counter_name': 'cpu_util', 'counter_type': 'gauge',
            'counter_unit': '%', 'counter_volume': 1.0,
            'resource_id': 'vm-1', 'project_id': 'p1', 'user_id': 'u1'}
    body.update(fields)
    return body


def alarm(name='name1', **fields):
    body = {'name': name, 'type': 'threshold',
            'threshold_rule': {'meter_name': 'cpu_util', 'threshold': 1.0}}
    body.update(fields)
    return body


def fault(resp, status=400):
    assert resp.status_code == status, resp.text
    message = resp.json()['error_message']['faultstring']
    assert 'Traceback' not in resp.text
    return message


def raw(api, method, path, data, content_type='application/json',
        headers=None, query=''):
    url = api.base_url + path + (('?' + query) if query else '')
    all_headers = dict(MEMBER, **(headers or {}))
    if content_type:
        all_headers['Content-Type'] = content_type
    return api.session.request(method, url, data=data, headers=all_headers,
                               timeout=60)


@pytest.mark.parametrize('volume', [[1], {'a': 1}, True, 'lots', 1e999])
def test_sample_volume_of_the_wrong_type(api, volume):
    resp = raw(api, 'POST', '/v2/meters/cpu_util', json.dumps(
        [sample(counter_volume=volume)]).replace('Infinity', '1e999'))
    assert 'counter_volume' in fault(resp)


@pytest.mark.parametrize('field,value', [
    ('threshold_rule', 'high'), ('threshold_rule', 3),
    ('threshold_rule', [1]), ('threshold_rule', True),
    ('time_constraints', 'always'), ('time_constraints', 7),
    ('time_constraints', [5]), ('time_constraints', {'a': 1}),
    ('name', {'a': 1}), ('enabled', [1]), ('alarm_actions', 'http://x'),
    ('severity', ['low'])])
def test_alarm_fields_of_the_wrong_type(api, field, value):
    resp = api.post('/v2/alarms', alarm(**{field: value}), headers=MEMBER)
    assert field in fault(resp)


def test_integers_past_64_bits(api):
    rule = {'meter_name': 'cpu_util', 'threshold': 1.0,
            'period': 2 ** 64, 'evaluation_periods': 1}
    resp = api.post('/v2/alarms', alarm(threshold_rule=rule),
                    headers=MEMBER)
    assert 'period' in fault(resp)
    resp = api.post('/v2/query/samples', {'limit': 2 ** 70},
                    headers=MEMBER)
    assert 'limit' in fault(resp)


@pytest.mark.parametrize('body', [
    {'filter': ['a']}, {'filter': {'=': {'a': 1}}}, {'orderby': [1]},
    {'limit': {'a': 1}}, {'filter': 12}])
def test_complex_queries_of_the_wrong_type(api, body):
    resp = api.post('/v2/query/samples', body, headers=MEMBER)
    assert list(body)[0] in fault(resp)


def test_bodies_that_are_not_utf8(api):
    for method, path in (('POST', '/v2/alarms'), ('PUT', '/v2/alarms/x'),
                         ('GET', '/v2/meters')):
        resp = raw(api, method, path, b'{"name": "\xff\xfe"}')
        assert 'not UTF-8' in fault(resp)


def test_query_strings_that_are_not_utf8(api):
    resp = raw(api, 'GET', '/v2/meters', None, content_type=None,
               query='q.field=%ff&q.value=x')
    assert 'query string is not UTF-8' in fault(resp)


@pytest.mark.parametrize('method,path', [
    ('GET', '/v2/meters'), ('GET', '/v2/resources'),
    ('POST', '/v2/query/samples'), ('PUT', '/v2/alarms/x'),
    ('POST', '/v2/meters/cpu_util')])
def test_json_nested_thousands_deep(api, method, path):
    resp = raw(api, method, path, '[' * 5000 + ']' * 5000)
    assert 'deeper than 32 levels' in fault(resp)


def test_oversized_bodies_are_413(api):
    body = json.dumps([sample(resource_metadata={'x': 'y' * 1000})] * 5000)
    resp = raw(api, 'POST', '/v2/meters/cpu_util', body)
    assert 'larger than' in fault(resp, 413)


def test_too_long_lists_are_refused(api):
    resp = raw(api, 'POST', '/v2/meters/cpu_util',
               json.dumps([[0]] + [0] * 10001))
    assert 'longer than 10000' in fault(resp)


def test_errors_in_xml_carry_only_xml_characters(api):
    resp = api.get('/v2/samples/%00', headers=dict(
        MEMBER, Accept='application/xml'))
    assert resp.status_code == 404
    assert resp.headers['Content-Type'].startswith('application/xml')
    from xml.etree import ElementTree

    root = ElementTree.fromstring(resp.content)
    assert 'Not Found' in root.findtext('error/faultstring')


@pytest.mark.parametrize('path', ['/v2/alarms', '/v2/alarms/x/history'])
@pytest.mark.parametrize('field', ['metadata.$x', 'metadata.display_name',
                                   'nope'])
def test_unknown_alarm_filters_are_refused(api, path, field):
    resp = api.get(path, headers=MEMBER, q=[
        {'field': field, 'op': 'eq', 'value': 'x'}])
    assert resp.status_code in (400, 404), resp.text
    if resp.status_code == 400:
        assert field.split('.')[0] in fault(resp)


def test_a_duplicate_name_is_named_as_ceilometer_names_it(api):
    api.post('/v2/alarms', alarm(), headers=MEMBER, status=201)
    resp = api.post('/v2/alarms', alarm(), headers=MEMBER)
    assert fault(resp, 409) == 'Alarm with name=name1 exists'


def test_another_projects_alarm_is_not_found_on_put(api):
    created = api.post_json('/v2/alarms', alarm('mine'), headers=MEMBER)
    path = '/v2/alarms/%s' % created['alarm_id']
    resp = api.put(path, alarm('mine'), headers=OTHER)
    assert 'not found' in fault(resp, 404).lower()
    # The alarm is as it was.
    assert api.get_json(path, headers=MEMBER)['name'] == 'mine'


def test_error_bodies_of_every_status_have_ceilometers_shape(api):
    for resp in (api.get('/v2/nowhere', headers=MEMBER),
                 api.request('PATCH', '/v2/alarms', headers=MEMBER),
                 api.get('/v2/meters/cpu_util/statistics', headers=MEMBER,
                         period='x')):
        assert resp.status_code in (400, 404, 405), resp.text
        assert resp.json()['error_message']['faultstring']


def test_the_store_is_untouched_by_what_was_refused(api):
    api.post('/v2/meters/cpu_util', [sample(counter_volume=5.0)],
             headers=MEMBER, status=201)
    for volume in ([1], {'a': 1}, 'x'):
        api.post('/v2/meters/cpu_util', [sample(counter_volume=volume)],
                 headers=MEMBER)
    assert [s['counter_volume'] for s in api.get_json(
        '/v2/meters/cpu_util', headers=MEMBER)] == [5.0]
