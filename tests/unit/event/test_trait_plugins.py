"""The trait plugins: split, bitfield and timedelta, and their
parameters' checks."""

import pytest

from ceilometer_proxy.event import converter
from ceilometer_proxy.event import trait_plugins


# -- split -------------------------------------------------------------------

def test_split_takes_the_first_piece_by_default():
    plugin = trait_plugins.SplitTraitPlugin()
    assert plugin.trait_value([('publisher_id', 'compute.node-7')]) == \
        'compute'


@pytest.mark.parametrize('parameters, expected', [
    (dict(separator='-', segment=0), 'red'),
    (dict(separator='-', segment=1), 'green'),
    (dict(separator='-', segment=-1), 'blue'),
    (dict(separator='-', segment=1, max_split=1), 'green-blue'),
    (dict(separator='-', segment=0, max_split=0), 'red-green-blue'),
    (dict(separator='-', segment=2, max_split=-1), 'blue'),
    (dict(separator='--', segment=0), 'red-green-blue'),
])
def test_split_segments(parameters, expected):
    plugin = trait_plugins.SplitTraitPlugin(**parameters)
    assert plugin.trait_value([('payload.colours', 'red-green-blue')]) == \
        expected


def test_split_of_a_host_keeps_its_dots_with_max_split():
    plugin = trait_plugins.SplitTraitPlugin(segment=1, max_split=1)
    assert plugin.trait_value([('publisher_id',
                                'compute.node-7.example.org')]) == \
        'node-7.example.org'


def test_split_without_the_separator_is_the_whole_value():
    plugin = trait_plugins.SplitTraitPlugin(separator='-')
    assert plugin.trait_value([('x', 'no.dashes.here')]) == 'no.dashes.here'


def test_split_without_the_segment_gives_nothing():
    plugin = trait_plugins.SplitTraitPlugin(separator='-', segment=5)
    assert plugin.trait_value([('x', 'a-b-c')]) is None


def test_split_falls_back_on_the_next_match_having_the_segment():
    plugin = trait_plugins.SplitTraitPlugin(segment=1)
    matches = [('payload.host', 'lonely'), ('publisher_id', 'compute.n1')]
    assert plugin.trait_value(matches) == 'n1'


def test_split_of_nothing_is_nothing():
    assert trait_plugins.SplitTraitPlugin().trait_value([]) is None


def test_split_of_a_number_splits_its_text():
    plugin = trait_plugins.SplitTraitPlugin(segment=1)
    assert plugin.trait_value([('payload.version', 12.5)]) == '5'


@pytest.mark.parametrize('parameters', [
    dict(separator=''), dict(separator=3), dict(segment='1'),
    dict(segment=True), dict(max_split='2'), dict(max_split=1.5),
])
def test_split_refuses_bad_parameters(parameters):
    with pytest.raises(ValueError):
        trait_plugins.SplitTraitPlugin(**parameters)


def test_split_refuses_unknown_parameters():
    with pytest.raises(TypeError):
        trait_plugins.SplitTraitPlugin(seperator='-')


# -- bitfield ----------------------------------------------------------------

FLAGS = [dict(path='payload.foo', bit=0, value=42),
         dict(path='payload.foo', bit=1, value=12),
         dict(path='payload.thud', bit=1, value=23),
         dict(path='thingy.boink', bit=4),
         dict(path='thingy.quux', bit=6, value='wokka'),
         dict(path='payload.bar', bit=10, value='test')]


def test_bitfield_sets_the_bits_of_the_matching_flags():
    plugin = trait_plugins.BitfieldTraitPlugin(flags=FLAGS)
    matches = [('payload.foo', 12), ('payload.bar', 'test'),
               ('thingy.boink', 'anything')]
    assert plugin.trait_value(matches) == 0x412


def test_bitfield_adds_to_its_initial_value():
    plugin = trait_plugins.BitfieldTraitPlugin(initial_bitfield=0x2000,
                                               flags=FLAGS)
    matches = [('payload.foo', 12), ('payload.bar', 'test'),
               ('thingy.boink', 'anything')]
    assert plugin.trait_value(matches) == 0x2412


def test_bitfield_sets_a_bit_once_when_two_flags_give_it():
    plugin = trait_plugins.BitfieldTraitPlugin(flags=FLAGS)
    matches = [('payload.foo', 12), ('payload.thud', 23),
               ('payload.bar', 'test'), ('thingy.boink', 'anything')]
    assert plugin.trait_value(matches) == 0x412


def test_bitfield_ignores_values_that_differ():
    plugin = trait_plugins.BitfieldTraitPlugin(flags=FLAGS)
    assert plugin.trait_value([('payload.foo', 7),
                               ('thingy.quux', 'WOKKA')]) == 0


def test_bitfield_of_nothing_is_its_initial_value():
    plugin = trait_plugins.BitfieldTraitPlugin(initial_bitfield=5,
                                               flags=FLAGS)
    assert plugin.trait_value([]) == 5
    assert trait_plugins.BitfieldTraitPlugin().trait_value([]) == 0


def test_bitfield_accepts_a_bit_number_written_as_text():
    plugin = trait_plugins.BitfieldTraitPlugin(
        flags=[dict(path='payload.a', bit='3')])
    assert plugin.trait_value([('payload.a', 1)]) == 8


@pytest.mark.parametrize('parameters', [
    dict(initial_bitfield='0'),
    dict(flags={'path': 'payload.a', 'bit': 0}),
    dict(flags=['payload.a']),
    dict(flags=[dict(bit=0)]),
    dict(flags=[dict(path='payload.a')]),
    dict(flags=[dict(path='payload.a', bit=-1)]),
    dict(flags=[dict(path='payload.a', bit='one')]),
    dict(flags=[dict(path='payload.a', bit=0, vaule=3)]),
])
def test_bitfield_refuses_bad_parameters(parameters):
    with pytest.raises(ValueError):
        trait_plugins.BitfieldTraitPlugin(**parameters)


# -- timedelta ---------------------------------------------------------------

def test_timedelta_is_the_seconds_between_two_datetimes():
    plugin = trait_plugins.TimedeltaTraitPlugin()
    matches = [('payload.created_at', '2015-05-06 10:11:12.000000'),
               ('payload.launched_at', '2015-05-06T10:12:42.500000')]
    assert plugin.trait_value(matches) == 90.5


def test_timedelta_does_not_depend_on_the_order():
    plugin = trait_plugins.TimedeltaTraitPlugin()
    matches = [('payload.launched_at', '2015-05-06T10:12:42'),
               ('payload.created_at', '2015-05-06T10:11:12')]
    assert plugin.trait_value(matches) == 90.0


def test_timedelta_compares_zones():
    plugin = trait_plugins.TimedeltaTraitPlugin()
    matches = [('payload.created_at', '2015-05-06T10:00:00+02:00'),
               ('payload.launched_at', '2015-05-06 08:01:00')]
    assert plugin.trait_value(matches) == 60.0


@pytest.mark.parametrize('matches', [
    [],
    [('payload.created_at', '2015-05-06T10:11:12')],
    [('a', '2015-05-06T10:11:12'), ('b', '2015-05-06T10:11:13'),
     ('c', '2015-05-06T10:11:14')],
    [('payload.created_at', '2015-05-06T10:11:12'),
     ('payload.launched_at', '')],
    [('payload.created_at', 'yesterday'),
     ('payload.launched_at', '2015-05-06T10:11:12')],
    [('payload.created_at', 12), ('payload.launched_at', None)],
])
def test_timedelta_of_anything_but_two_datetimes_is_nothing(matches):
    assert trait_plugins.TimedeltaTraitPlugin().trait_value(matches) is None


def test_timedelta_takes_no_parameters():
    with pytest.raises(TypeError):
        trait_plugins.TimedeltaTraitPlugin(unit='minutes')


# -- discovery ---------------------------------------------------------------

def test_the_plugins_are_installed_entry_points():
    installed = converter.installed_plugins()
    assert installed['split'] is trait_plugins.SplitTraitPlugin
    assert installed['bitfield'] is trait_plugins.BitfieldTraitPlugin
    assert installed['timedelta'] is trait_plugins.TimedeltaTraitPlugin


def test_a_plugin_must_say_how_it_computes_a_value():
    class Incomplete(trait_plugins.TraitPlugin):
        pass

    with pytest.raises(TypeError):
        Incomplete()
