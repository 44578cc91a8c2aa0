"""Simple-query parsing: values, timestamps, scoping, groupby, aggregates."""

import datetime
import types

import pecan
import pytest
import webob
import wsme

from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api.controllers.v2 import meters
from ceilometer_proxy.api.controllers.v2 import utils as v2_utils
from ceilometer_proxy import service
from ceilometer_proxy import storage

MEMBER = {'X-Roles': 'Member', 'X-Project-Id': 'tenant-7',
          'X-User-Id': 'someone'}
ADMIN = {'X-Roles': 'admin', 'X-Project-Id': 'tenant-0',
         'X-User-Id': 'root'}


@pytest.fixture(scope='module')
def conf():
    return service.prepare_service([], config_files=[])


@pytest.fixture
def request_ctx(conf, monkeypatch):
    """A stand-in for pecan's per-request state; returns a setter."""
    state = types.SimpleNamespace(
        request=types.SimpleNamespace(headers={}, cfg=conf),
        response=webob.Response())
    monkeypatch.setattr(pecan.core, 'state', state, raising=False)

    def with_headers(headers):
        state.request.headers = dict(headers)
        return state
    return with_headers


def q(field, value, op='eq', kind=None):
    query = base.Query(field=field, op=op, value=value)
    if kind is not None:
        query.type = kind
    return query


# -- base.parse_timestamp ----------------------------------------------------

@pytest.mark.parametrize('text,expected', [
    ('2014-01-02T03:04:05', datetime.datetime(2014, 1, 2, 3, 4, 5)),
    ('2014-01-02T03:04:05Z', datetime.datetime(2014, 1, 2, 3, 4, 5)),
    ('2014-01-02T05:04:05+02:00', datetime.datetime(2014, 1, 2, 3, 4, 5)),
    ('2014-01-01T23:30:00-04:30', datetime.datetime(2014, 1, 2, 4, 0)),
    ('2014-01-02T03:04:05.250000',
     datetime.datetime(2014, 1, 2, 3, 4, 5, 250000)),
    ('2014-01-02', datetime.datetime(2014, 1, 2)),
])
def test_parse_timestamp_gives_naive_utc(text, expected):
    got = base.parse_timestamp(text)
    assert got == expected
    assert got.tzinfo is None


@pytest.mark.parametrize('text', ['', 'noon', '2014-13-01T00:00:00',
                                  '2014-01-02T03:04:05+25:00'])
def test_parse_timestamp_refuses_garbage(text):
    with pytest.raises(ValueError):
        base.parse_timestamp(text)


# -- utils.query_timestamps --------------------------------------------------

def test_query_timestamps_without_bounds():
    assert v2_utils.query_timestamps({}) == {
        'start_timestamp': None, 'end_timestamp': None,
        'start_timestamp_op': None, 'end_timestamp_op': None}


def test_query_timestamps_parses_both_bounds_and_keeps_ops():
    got = v2_utils.query_timestamps({
        'start_timestamp': '2013-05-06T07:08:09',
        'start_timestamp_op': 'gt',
        'end_timestamp': '2013-05-06T09:00:00+01:00',
        'end_timestamp_op': 'le'})
    assert got == {
        'start_timestamp': datetime.datetime(2013, 5, 6, 7, 8, 9),
        'end_timestamp': datetime.datetime(2013, 5, 6, 8, 0),
        'start_timestamp_op': 'gt', 'end_timestamp_op': 'le'}


def test_query_timestamps_widens_both_ends_by_the_offset_in_minutes():
    got = v2_utils.query_timestamps({
        'start_timestamp': '2013-05-06T07:00:00',
        'end_timestamp': '2013-05-06T08:00:00',
        'search_offset': '90'})
    assert got['start_timestamp'] == datetime.datetime(2013, 5, 6, 5, 30)
    assert got['end_timestamp'] == datetime.datetime(2013, 5, 6, 9, 30)


def test_query_timestamps_offset_on_one_bound_only():
    got = v2_utils.query_timestamps({'end_timestamp': '2013-05-06T08:00:00',
                                     'search_offset': 5})
    assert got['start_timestamp'] is None
    assert got['end_timestamp'] == datetime.datetime(2013, 5, 6, 8, 5)


@pytest.mark.parametrize('offset', ['x', '1.5', ''])
def test_query_timestamps_refuses_a_non_integer_offset(offset):
    with pytest.raises(wsme.exc.InvalidInput) as info:
        v2_utils.query_timestamps({'start_timestamp': '2013-05-06T07:00:00',
                                   'search_offset': offset})
    assert info.value.fieldname == 'search_offset'


def test_query_timestamps_refuses_an_offset_leaving_the_calendar():
    with pytest.raises(wsme.exc.InvalidInput) as info:
        v2_utils.query_timestamps({'start_timestamp': '0001-01-01T00:10:00',
                                   'search_offset': '60'})
    assert info.value.fieldname == 'search_offset'
    with pytest.raises(wsme.exc.InvalidInput):
        v2_utils.query_timestamps({'end_timestamp': '2013-05-06T07:00:00',
                                   'search_offset': str(10 ** 15)})


def test_query_timestamps_refuses_bad_timestamps():
    with pytest.raises(wsme.exc.InvalidInput) as info:
        v2_utils.query_timestamps({'start_timestamp': 'last tuesday'})
    assert info.value.fieldname == 'timestamp'
    assert info.value.value == 'last tuesday'
    assert 'invalid timestamp format' in str(info.value)


# -- Query.get_value ----------------------------------------------------------

@pytest.mark.parametrize('value,kind,expected', [
    ('42', 'integer', 42),
    ('-3', 'integer', -3),
    ('4.5', 'float', 4.5),
    ('7', 'float', 7.0),
    ('True', 'boolean', True),
    ('yes', 'boolean', True),
    ('0', 'boolean', False),
    ('off', 'boolean', False),
    ('42', 'string', '42'),
    ('True', 'string', 'True'),
    ('2014-01-02T03:04:05+01:00', 'datetime',
     datetime.datetime(2014, 1, 2, 2, 4, 5)),
])
def test_typed_values_are_converted(request_ctx, value, kind, expected):
    request_ctx({})
    got = q('metadata.x', value, kind=kind).get_value()
    assert got == expected
    assert type(got) is type(expected)


@pytest.mark.parametrize('value,expected', [
    ('42', 42),
    ('-1', -1),
    ('0.75', 0.75),
    ('True', True),
    ('False', False),
    ('None', None),
    ("'quoted'", 'quoted'),
    ('[1, 2]', [1, 2]),
    ('plain text', 'plain text'),
    ('self.sample', 'self.sample'),
    ('0.7.5', '0.7.5'),
    ('', ''),
])
def test_untyped_values_are_guessed(request_ctx, value, expected):
    request_ctx({})
    got = q('metadata.x', value).get_value()
    assert got == expected
    assert type(got) is type(expected)


def test_forced_type_wins_over_declared_type(request_ctx):
    request_ctx({})
    assert q('enabled', 'true', kind='string').get_value('boolean') is True


@pytest.mark.parametrize('value,kind', [
    ('0.7.5', 'float'), ('abacaba', 'boolean'), ('45.765', 'integer'),
    ('soon', 'datetime'), ('maybe', 'boolean'),
])
def test_unconvertible_values_are_client_errors(request_ctx, value, kind):
    state = request_ctx({})
    with pytest.raises(base.ClientSideError) as info:
        q('metadata.x', value, kind=kind).get_value()
    message = ('Unable to convert the value %s to the expected data type '
               '%s.' % (value, kind))
    assert info.value.code == 400
    assert str(info.value.msg) == message
    assert state.response.translatable_error == message


def test_unknown_type_is_a_client_error(request_ctx):
    request_ctx({})
    with pytest.raises(base.ClientSideError) as info:
        q('metadata.x', '1', kind='blob').get_value()
    assert info.value.code == 400
    assert str(info.value.msg) == (
        "The data type blob is not supported. The supported data type list "
        "is: ['integer', 'float', 'string', 'boolean', 'datetime']")


def test_query_defaults_and_repr():
    query = base.Query(field='user_id', value='u-1')
    assert query.op == 'eq'
    assert repr(q('f', 'v', op='gt', kind='string')) == (
        "<Query 'f' gt 'v' string>")
    assert q('f', 'v', op='le').as_dict() == {'field': 'f', 'op': 'le',
                                              'value': 'v'}


# -- utils.query_to_kwargs ---------------------------------------------------

def test_query_to_kwargs_translates_field_names(request_ctx):
    request_ctx({})
    kwargs = v2_utils.query_to_kwargs(
        [q('user_id', 'u-1'), q('project_id', 'p-1'),
         q('resource_id', 'r-1'), q('source', 's-1'), q('meter', 'cpu')],
        v2_utils.SAMPLE_KEYS)
    assert kwargs == {'user': 'u-1', 'project': 'p-1', 'resource': 'r-1',
                      'source': 's-1', 'meter': 'cpu'}


def test_query_to_kwargs_collects_metadata(request_ctx):
    request_ctx({})
    kwargs = v2_utils.query_to_kwargs(
        [q('metadata.size', '3'), q('resource_metadata.tag', 'web'),
         q('metadata.on', 'false', kind='boolean')],
        v2_utils.SAMPLE_KEYS)
    assert kwargs == {'metaquery': {'metadata.size': 3,
                                    'metadata.tag': 'web',
                                    'metadata.on': False}}


def test_query_to_kwargs_builds_the_time_range(request_ctx):
    request_ctx({})
    kwargs = v2_utils.query_to_kwargs(
        [q('timestamp', '2013-05-06T07:00:00', op='gt'),
         q('timestamp', '2013-05-06T08:00:00', op='le'),
         q('search_offset', '10')],
        v2_utils.SAMPLE_KEYS)
    assert kwargs == {
        'start_timestamp': datetime.datetime(2013, 5, 6, 6, 50),
        'start_timestamp_op': 'gt',
        'end_timestamp': datetime.datetime(2013, 5, 6, 8, 10),
        'end_timestamp_op': 'le'}


def test_member_query_gets_its_project(request_ctx):
    request_ctx(MEMBER)
    kwargs = v2_utils.query_to_kwargs([q('user_id', 'u-1')],
                                      v2_utils.SAMPLE_KEYS)
    assert kwargs == {'user': 'u-1', 'project': 'tenant-7'}
    kwargs = v2_utils.query_to_kwargs([q('project_id', 'tenant-7')],
                                      v2_utils.METER_KEYS,
                                      allow_timestamps=False)
    assert kwargs == {'project': 'tenant-7'}


def test_admin_and_anonymous_queries_stay_unscoped(request_ctx):
    for headers in (ADMIN, {}):
        request_ctx(headers)
        assert v2_utils.query_to_kwargs([], v2_utils.SAMPLE_KEYS) == {}
        kwargs = v2_utils.query_to_kwargs([q('project_id', 'tenant-3')],
                                          v2_utils.RESOURCE_KEYS)
        assert kwargs == {'project': 'tenant-3'}


@pytest.mark.parametrize('field', ['project_id', 'project'])
def test_member_naming_another_project_is_refused(request_ctx, field):
    state = request_ctx(MEMBER)
    with pytest.raises(base.ProjectNotAuthorized) as info:
        v2_utils.query_to_kwargs([q(field, 'tenant-8')],
                                 v2_utils.SAMPLE_KEYS)
    assert info.value.code == 401
    assert str(info.value.msg) == 'Not Authorized to access project tenant-8'
    assert state.response.translatable_error == str(info.value.msg)


def test_unknown_field_is_refused(request_ctx):
    request_ctx({})
    with pytest.raises(wsme.exc.UnknownArgument) as info:
        v2_utils.query_to_kwargs([q('counter_volume', '1')],
                                 v2_utils.SAMPLE_KEYS)
    assert info.value.argname == 'counter_volume'
    with pytest.raises(wsme.exc.UnknownArgument) as info:
        v2_utils.query_to_kwargs([q('meter', 'cpu')],
                                 v2_utils.RESOURCE_KEYS)
    assert info.value.argname == 'meter'


def test_timestamps_refused_where_not_allowed(request_ctx):
    request_ctx({})
    with pytest.raises(wsme.exc.UnknownArgument) as info:
        v2_utils.query_to_kwargs(
            [q('timestamp', '2013-05-06T07:00:00', op='gt')],
            v2_utils.METER_KEYS, allow_timestamps=False)
    assert info.value.argname == 'timestamp'
    assert str(info.value) == (
        'Unknown argument: "timestamp": not valid for this resource')


@pytest.mark.parametrize('query', [
    [q('user_id', 'u', op='ne')],
    [q('metadata.size', '1', op='gt')],
    [q('timestamp', '2013-05-06T07:00:00', op='eq')],
    [q('timestamp', '2013-05-06T07:00:00', op='ne')],
    [q('timestamp', '2013-05-06T07:00:00', op='gt'),
     q('search_offset', '1', op='ge')],
])
def test_unsupported_operators_are_refused(request_ctx, query):
    request_ctx({})
    with pytest.raises(wsme.exc.InvalidInput) as info:
        v2_utils.query_to_kwargs(query, v2_utils.SAMPLE_KEYS)
    assert info.value.fieldname == 'op'


def test_search_offset_alone_is_refused(request_ctx):
    request_ctx({})
    with pytest.raises(wsme.exc.InvalidInput) as info:
        v2_utils.query_to_kwargs([q('search_offset', '5')],
                                 v2_utils.SAMPLE_KEYS)
    assert str(info.value) == (
        "Invalid input for field/attribute field. Value: 'search_offset'. "
        "search_offset cannot be used without timestamp")


def test_bad_metadata_value_is_caught_while_validating(request_ctx):
    request_ctx({})
    with pytest.raises(base.ClientSideError):
        v2_utils.query_to_kwargs([q('metadata.x', 'abc', kind='integer')],
                                 v2_utils.RESOURCE_KEYS)


def test_requested_range(request_ctx):
    request_ctx({})
    start, end = v2_utils.requested_range(
        [q('timestamp', '2013-05-06T07:00:00', op='ge'),
         q('user_id', 'x'),
         q('timestamp', '2013-05-06T09:00:00+01:00', op='lt')])
    assert start == datetime.datetime(2013, 5, 6, 7, 0)
    assert end == datetime.datetime(2013, 5, 6, 8, 0)
    assert v2_utils.requested_range([]) == (None, None)


# -- limits ------------------------------------------------------------------

def test_positive_limit(request_ctx, conf):
    state = request_ctx({})
    assert base.positive_limit(None, conf) == 100
    assert base.positive_limit(7, conf) == 7
    for bad in (0, -1):
        with pytest.raises(base.ClientSideError) as info:
            base.positive_limit(bad, conf)
        assert info.value.code == 400
        assert state.response.translatable_error == 'Limit must be positive'


# -- meters.validate_groupby / validate_aggregates ---------------------------

def test_groupby_accepts_known_fields_once_each():
    assert meters.validate_groupby([]) == []
    assert meters.validate_groupby(
        ['user_id', 'resource_id', 'user_id', 'project_id', 'source']) == [
        'user_id', 'resource_id', 'project_id', 'source']
    assert meters.validate_groupby(['resource_metadata.instance_type']) == [
        'resource_metadata.instance_type']


@pytest.mark.parametrize('fields', [
    ['wtf'], ['user_id', 'counter_name'], ['resource_metadata.'],
    ['metadata.flavor'], ['timestamp'],
])
def test_groupby_refuses_unknown_fields(fields):
    with pytest.raises(wsme.exc.UnknownArgument) as info:
        meters.validate_groupby(fields)
    assert 'Invalid groupby fields' in str(info.value)


def agg(func, param=None):
    if param is None:
        return meters.Aggregate(func=func)
    return meters.Aggregate(func=func, param=param)


def test_aggregates_are_turned_into_storage_aggregates(request_ctx):
    request_ctx({})
    got = meters.validate_aggregates(
        [agg('max'), agg('cardinality', 'resource_id'), agg('stddev'),
         agg('max'), agg('cardinality', 'resource_id'),
         agg('cardinality', 'user_id'), agg('sum', 'ignored')])
    assert got == [storage.Aggregate('max'),
                   storage.Aggregate('cardinality', 'resource_id'),
                   storage.Aggregate('stddev'),
                   storage.Aggregate('cardinality', 'user_id'),
                   storage.Aggregate('sum')]


@pytest.mark.parametrize('aggregate,message', [
    (('bogus', None), 'Invalid aggregation function: bogus'),
    (('quartile', None), 'Invalid aggregation function: quartile'),
    (('cardinality', None), 'Bad aggregate: cardinality.None'),
    (('cardinality', 'counter_name'), 'Bad aggregate: cardinality.'
                                      'counter_name'),
])
def test_bad_aggregates_are_client_errors(request_ctx, aggregate, message):
    request_ctx({})
    with pytest.raises(base.ClientSideError) as info:
        meters.validate_aggregates([agg(*aggregate)])
    assert info.value.code == 400
    assert str(info.value.msg) == message
