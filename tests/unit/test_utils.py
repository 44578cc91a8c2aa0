"""ceilometer_proxy.utils: key pairs, metadata flattening and nesting."""

import copy

from ceilometer_proxy import utils


# -- recursive_keypairs ------------------------------------------------------

def test_keypairs_of_a_flat_dict_are_sorted():
    pairs = list(utils.recursive_keypairs({'zeta': 1, 'alpha': 'x',
                                           'mid': None}))
    assert pairs == [('alpha', 'x'), ('mid', None), ('zeta', 1)]


def test_keypairs_join_nested_keys_with_colons_by_default():
    data = {'outer': {'inner': {'leaf': 7}, 'side': True}, 'top': 0.5}
    assert list(utils.recursive_keypairs(data)) == [
        ('outer:inner:leaf', 7), ('outer:side', True), ('top', 0.5)]


def test_keypairs_with_another_separator():
    data = {'a': {'b': {'c': 'd'}}, 'e': 'f'}
    assert list(utils.recursive_keypairs(data, separator='.')) == [
        ('a.b.c', 'd'), ('e', 'f')]


def test_keypairs_of_an_empty_sub_dict_yield_nothing_for_it():
    assert list(utils.recursive_keypairs({'empty': {}, 'k': 1})) == [
        ('k', 1)]


def test_keypairs_keep_list_items_unchanged():
    data = {'ports': [80, 443], 'names': ['a', 'b'], 'flags': [True, None]}
    assert list(utils.recursive_keypairs(data)) == [
        ('flags', [True, None]), ('names', ['a', 'b']), ('ports', [80, 443])]


def test_keypairs_turn_tuples_into_lists():
    pairs = list(utils.recursive_keypairs({'pair': ('x', 'y')}))
    assert pairs == [('pair', ['x', 'y'])]
    assert isinstance(pairs[0][1], list)


def test_keypairs_of_a_dict_inside_a_list_are_sorted():
    pairs = list(utils.recursive_keypairs({'l': [{'b': 2, 'a': 1}]}))
    assert pairs == [('l', [{'a': 1, 'b': 2}])]
    assert list(pairs[0][1][0]) == ['a', 'b']


def test_keypairs_do_not_touch_their_input():
    data = {'b': {'y': [1, 2], 'x': 1}, 'a': 'v'}
    before = copy.deepcopy(data)
    list(utils.recursive_keypairs(data))
    assert data == before


# -- flatten_metadata --------------------------------------------------------

def test_flatten_empty_metadata():
    assert utils.flatten_metadata({}) == {}
    assert utils.flatten_metadata(None) == {}


def test_flatten_turns_every_value_into_text():
    flat = utils.flatten_metadata({'count': 3, 'ratio': 0.25, 'on': True,
                                   'off': False, 'nothing': None,
                                   'name': 'vm'})
    assert flat == {'count': '3', 'ratio': '0.25', 'on': 'True',
                    'off': 'False', 'nothing': 'None', 'name': 'vm'}


def test_flatten_joins_first_level_with_dot_and_deeper_with_colon():
    flat = utils.flatten_metadata({
        'properties': {'prop_1': 'one',
                       'prop_2': {'sub_prop_1': 'deep'}},
        'a': {'b': {'c': {'d': 'deeper'}}},
    })
    assert flat == {'properties.prop_1': 'one',
                    'properties.prop_2:sub_prop_1': 'deep',
                    'a.b:c:d': 'deeper'}


def test_flatten_keeps_dots_and_dollars_of_stored_keys_as_colons():
    flat = utils.flatten_metadata({'props': {'prop.3': {'$sub.2': 'v'}}})
    assert flat == {'props.prop:3:$sub:2': 'v'}
    assert utils.flatten_metadata({'a.b': 1}) == {'a.b': '1'}


def test_flatten_drops_sets():
    flat = utils.flatten_metadata({'tags': {'x', 'y'}, 'keep': 'me',
                                   'nested': {'s': {1}, 't': 2}})
    assert flat == {'keep': 'me', 'nested.t': '2'}


def test_flatten_renders_lists_of_text_as_python_lists():
    assert utils.flatten_metadata({'names': ['returned']}) == {
        'names': "['returned']"}


def test_flatten_renders_lists_of_numbers_without_quotes():
    flat = utils.flatten_metadata({'ports': [80, 443],
                                   'mixed': ['a', 1.5, True, None]})
    assert flat == {'ports': '[80, 443]',
                    'mixed': "['a', 1.5, True, None]"}


def test_flatten_renders_nested_lists_as_python_lists():
    assert utils.flatten_metadata({'grid': [[1, 2], [3]]}) == {
        'grid': '[[1, 2], [3]]'}


def test_flatten_renders_dicts_inside_lists_with_sorted_keys():
    flat = utils.flatten_metadata({'items': [{'z': 1, 'a': 'x'}]})
    assert flat == {'items': "[{'a': 'x', 'z': 1}]"}


# -- restore_nesting ---------------------------------------------------------

def test_restore_nesting_builds_sub_dicts():
    flat = {'a.b': 1, 'a.c': 2, 'd': 3, 'x.y.z': 'deep'}
    assert utils.restore_nesting(flat) == {
        'a': {'b': 1, 'c': 2}, 'd': 3, 'x': {'y': {'z': 'deep'}}}


def test_restore_nesting_with_another_separator():
    flat = {'a:b': 1, 'a:c:d': 2, 'e.f': 3}
    assert utils.restore_nesting(flat, separator=':') == {
        'a': {'b': 1, 'c': {'d': 2}}, 'e.f': 3}


def test_restore_nesting_keeps_flat_dicts_and_values():
    flat = {'a': 1, 'b': [1, 2]}
    assert utils.restore_nesting(flat) == {'a': 1, 'b': [1, 2]}
    assert utils.restore_nesting({}) == {}


def test_restore_nesting_passes_non_dicts_through():
    for value in (None, 'text', 5, ['a.b']):
        assert utils.restore_nesting(value) == value


def test_restore_nesting_does_not_touch_its_input():
    flat = {'a.b': 1, 'a.c': {'d': 2}}
    before = copy.deepcopy(flat)
    nested = utils.restore_nesting(flat)
    assert flat == before
    assert nested == {'a': {'b': 1, 'c': {'d': 2}}}


def test_restore_then_flatten_round_trips_text_values():
    flat = {'nest.name1': 'value1', 'name2': 'value2',
            'nest.name2': 'value3'}
    assert utils.flatten_metadata(utils.restore_nesting(flat)) == flat
