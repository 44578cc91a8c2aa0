"""v2 query terms as Gnocchi resource searches: fields, operators,
metadata keys as the attribute of the one resource type having it, time
bounds, the caller's project, and the refusals (named, with the
region)."""

import datetime

import pytest

from ceilometer_proxy.cascading.drivers.gnocchi import search
from ceilometer_proxy.cascading import errors

REGION = 'RegionTwo'
TYPES = {
    'instance': {'display_name', 'flavor_id', 'host', 'server_group'},
    'volume': {'display_name', 'volume_type'},
    'instance_disk': {'name', 'instance_id'},
}


def _translate(*terms, **kwargs):
    return search.translate(REGION, list(terms), TYPES, **kwargs)


def _term(field, value, op='eq', **extra):
    return dict(field=field, op=op, value=value, **extra)


def _refused(*terms, **kwargs):
    with pytest.raises(errors.InvalidRequest) as caught:
        _translate(*terms, **kwargs)
    assert REGION in caught.value.message
    return caught.value.message


# -- fields and operators -----------------------------------------------------

@pytest.mark.parametrize('field, attribute', [
    ('resource_id', 'original_resource_id'),
    ('resource', 'original_resource_id'),
    ('project_id', 'project_id'),
    ('project', 'project_id'),
    ('user_id', 'user_id'),
    ('user', 'user_id'),
])
def test_fields_map_to_generic_attributes(field, attribute):
    found = _translate(_term(field, 'x'))
    assert found.filters == [{'=': {attribute: 'x'}}]
    assert found.resource_type == 'generic'


@pytest.mark.parametrize('op, gnocchi_op', [
    ('eq', '='), ('ne', '!='), ('lt', '<'), ('le', '<='), ('gt', '>'),
    ('ge', '>=')])
def test_operators(op, gnocchi_op):
    found = _translate(_term('user_id', 'u1', op=op))
    assert found.filters == [{gnocchi_op: {'user_id': 'u1'}}]


def test_missing_operator_is_eq():
    found = _translate({'field': 'project_id', 'value': 'p1'})
    assert found.filters == [{'=': {'project_id': 'p1'}}]


def test_unknown_operator_is_refused():
    message = _refused(_term('project_id', 'p.*', op='regex'))
    assert 'regex' in message


def test_several_terms_all_kept_in_order():
    found = _translate(_term('project_id', 'p1'), _term('user_id', 'u1'))
    assert found.filters == [{'=': {'project_id': 'p1'}},
                             {'=': {'user_id': 'u1'}}]


@pytest.mark.parametrize('field', ['source', 'message_id', 'counter_name',
                                   'meter'])
def test_unknown_fields_are_refused_by_name(field):
    message = _refused(_term(field, 'openstack'))
    assert field in message


# -- metadata -----------------------------------------------------------------

def test_metadata_key_is_the_attribute_of_its_only_type():
    found = _translate(_term('metadata.flavor_id', 'm1.small'))
    assert found.resource_type == 'instance'
    assert found.filters == [{'=': {'flavor_id': 'm1.small'}}]


def test_resource_metadata_prefix_too():
    found = _translate(_term('resource_metadata.volume_type', 'ssd'))
    assert found.resource_type == 'volume'
    assert found.filters == [{'=': {'volume_type': 'ssd'}}]


@pytest.mark.parametrize('field', [
    'metadata.user_metadata.server_group',
    'metadata.metering.server_group',
    'resource_metadata.user_metadata.server_group',
])
def test_heat_prefixes_are_stripped(field):
    found = _translate(_term(field, 'stack-1'))
    assert found.resource_type == 'instance'
    assert found.filters == [{'=': {'server_group': 'stack-1'}}]


def test_metadata_typed_value_is_used():
    found = _translate(_term('metadata.host', '7', typed_value=7))
    assert found.filters == [{'=': {'host': 7}}]


def test_metadata_of_the_same_type_together():
    found = _translate(_term('metadata.flavor_id', 'm1'),
                       _term('metadata.host', 'h1', op='ne'))
    assert found.resource_type == 'instance'
    assert found.filters == [{'=': {'flavor_id': 'm1'}},
                             {'!=': {'host': 'h1'}}]


def test_metadata_with_generic_fields_keeps_the_type():
    found = _translate(_term('project_id', 'p1'),
                       _term('metadata.volume_type', 'ssd'))
    assert found.resource_type == 'volume'
    assert found.filters == [{'=': {'project_id': 'p1'}},
                             {'=': {'volume_type': 'ssd'}}]


def test_metadata_no_type_has_is_refused():
    message = _refused(_term('metadata.colour', 'red'))
    assert 'colour' in message


def test_metadata_several_types_have_is_refused_naming_them():
    message = _refused(_term('metadata.display_name', 'web'))
    assert 'display_name' in message
    assert 'instance, volume' in message


def test_metadata_of_several_types_at_once_is_refused():
    message = _refused(_term('metadata.flavor_id', 'm1'),
                       _term('metadata.volume_type', 'ssd'))
    assert 'instance, volume' in message


def test_attribute_of_strips_one_flattened_prefix():
    assert search.attribute_of(REGION, 'user_metadata.server_group',
                               TYPES) == ('instance', 'server_group')
    assert search.attribute_of(REGION, 'metering.server_group',
                               TYPES) == ('instance', 'server_group')
    assert search.attribute_of(REGION, 'instance_id',
                               TYPES) == ('instance_disk', 'instance_id')


def test_attribute_of_refuses_with_the_region():
    with pytest.raises(errors.InvalidRequest) as caught:
        search.attribute_of(REGION, 'nothing', TYPES)
    assert REGION in caught.value.message


# -- time bounds --------------------------------------------------------------

def test_timestamp_ge_is_the_start_and_lt_the_stop():
    found = _translate(_term('timestamp', '2026-01-01T10:00:00', op='ge'),
                       _term('timestamp', '2026-01-01T12:00:00', op='lt'))
    assert found.start == datetime.datetime(2026, 1, 1, 10, 0)
    assert found.stop == datetime.datetime(2026, 1, 1, 12, 0)
    assert found.filters == []


def test_timestamps_with_offsets_are_naive_utc():
    found = _translate(_term('timestamp', '2026-01-01T11:00:00+01:00',
                             op='ge'),
                       _term('timestamp', '2026-01-01T12:00:00Z', op='lt'))
    assert found.start == datetime.datetime(2026, 1, 1, 10, 0)
    assert found.stop == datetime.datetime(2026, 1, 1, 12, 0)


def test_several_bounds_narrow():
    found = _translate(_term('timestamp', '2026-01-01T10:00:00', op='ge'),
                       _term('timestamp', '2026-01-01T12:00:00', op='lt'),
                       _term('timestamp', '2026-01-01T11:00:00', op='ge'),
                       _term('timestamp', '2026-01-01T13:00:00', op='lt'),
                       _term('timestamp', '2026-01-01T09:00:00', op='ge'))
    assert found.start == datetime.datetime(2026, 1, 1, 11, 0)
    assert found.stop == datetime.datetime(2026, 1, 1, 12, 0)


def test_without_time_bounds_start_and_stop_are_none():
    found = _translate(_term('project_id', 'p1'))
    assert found.start is None
    assert found.stop is None


@pytest.mark.parametrize('op', ['gt', 'le', 'eq', 'ne'])
def test_other_timestamp_operators_are_refused(op):
    message = _refused(_term('timestamp', '2026-01-01T10:00:00', op=op))
    assert op in message


def test_timestamp_is_refused_when_times_are_not_allowed():
    message = _refused(_term('timestamp', '2026-01-01T10:00:00', op='ge'),
                       times=False)
    assert 'timestamp' in message


# -- project and body ---------------------------------------------------------

def test_body_of_no_terms_is_empty():
    assert _translate().body == {}


def test_body_of_one_term_is_its_clause():
    assert _translate(_term('user_id', 'u1')).body == {
        '=': {'user_id': 'u1'}}


def test_body_of_several_terms_is_their_and():
    body = _translate(_term('user_id', 'u1'),
                      _term('metadata.host', 'h1')).body
    assert body == {'and': [{'=': {'user_id': 'u1'}},
                            {'=': {'host': 'h1'}}]}


def test_scoped_caller_project_is_added_to_the_body():
    found = _translate(project='p1')
    assert found.project == 'p1'
    assert found.body == {'=': {'project_id': 'p1'}}


def test_scoped_caller_project_joins_the_terms():
    found = _translate(_term('resource_id', 'vm-1'), project='p1')
    assert found.body == {'and': [{'=': {'original_resource_id': 'vm-1'}},
                                  {'=': {'project_id': 'p1'}}]}
    assert found.filters == [{'=': {'original_resource_id': 'vm-1'}}]


def test_unscoped_caller_adds_no_project():
    found = _translate(_term('resource_id', 'vm-1'))
    assert found.project is None
    assert found.body == {'=': {'original_resource_id': 'vm-1'}}


def test_body_does_not_change_the_filters():
    found = search.Search(filters=[{'=': {'user_id': 'u1'}}], project='p1')
    found.body
    assert found.filters == [{'=': {'user_id': 'u1'}}]


# -- single resource ----------------------------------------------------------

def test_single_resource_of_a_lone_resource_id():
    assert _translate(_term('resource_id', 'vm-1')).single_resource() == \
        'vm-1'


def test_single_resource_ignores_time_bounds():
    found = _translate(_term('resource_id', 'vm-1'),
                       _term('timestamp', '2026-01-01T10:00:00', op='ge'))
    assert found.single_resource() == 'vm-1'


@pytest.mark.parametrize('terms', [
    [],
    [_term('resource_id', 'vm-1', op='ne')],
    [_term('resource_id', 'vm-1', op='ge')],
    [_term('project_id', 'p1')],
    [_term('resource_id', 'vm-1'), _term('user_id', 'u1')],
    [_term('resource_id', 'vm-1'), _term('resource_id', 'vm-2')],
])
def test_no_single_resource_otherwise(terms):
    assert _translate(*terms).single_resource() is None


def test_no_single_resource_on_a_resource_type():
    found = search.Search(resource_type='instance',
                          filters=[{'=': {'original_resource_id': 'vm-1'}}])
    assert found.single_resource() is None


def test_no_single_resource_of_a_non_string_value():
    found = search.Search(filters=[{'=': {'original_resource_id': 7}}])
    assert found.single_resource() is None
