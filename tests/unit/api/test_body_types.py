"""A decoded JSON body checked against WSME types (api/body_types.py)."""

import datetime

import pytest
from wsme import types as wtypes

from ceilometer_proxy.api import body_types
from ceilometer_proxy.api.controllers.v2 import alarms
from ceilometer_proxy.api.controllers.v2 import meters


class Inner(wtypes.Base):
    count = wtypes.IntegerType(minimum=0)
    label = wtypes.text


class Outer(wtypes.Base):
    volume = float
    enabled = bool
    when = datetime.datetime
    colour = wtypes.Enum(str, 'red', 'blue')
    inner = Inner
    items = [Inner]
    tags = {wtypes.text: wtypes.text}


GOOD = {'volume': '1.5', 'enabled': True, 'when': '2026-01-01T00:00:00',
        'colour': 'red', 'inner': {'count': 3, 'label': 'x'},
        'items': [{'count': '4'}], 'tags': {'a': 'b'}}


def test_values_of_the_declared_shapes_pass():
    body_types.check(Outer, GOOD)
    body_types.check(Outer, {k: None for k in GOOD})  # null is unset


@pytest.mark.parametrize('field,value,message', [
    ('volume', [1], 'volume must be a number, not list'),
    ('volume', 'ten', "volume must be a number: 'ten'"),
    ('volume', True, 'volume must be a number, not a boolean'),
    ('volume', 10 ** 400, 'volume is out of range'),
    ('volume', 'nan', 'volume must be a finite number'),
    ('enabled', {}, 'enabled must be a boolean'),
    ('when', 7, 'when must be an ISO 8601 timestamp'),
    ('colour', ['red'], 'colour must be one of blue, red'),
    ('inner', 'x', 'inner must be an object'),
    ('inner', {'count': 2 ** 64},
     'inner.count is out of range (64-bit integers)'),
    ('inner', {'count': 1.5}, 'inner.count must be an integer'),
    ('inner', {'label': 5}, 'inner.label must be a string, not int'),
    ('items', {'count': 1}, 'items must be a list'),
    ('items', [{'count': 1}, {'count': []}],
     'items[1].count must be a number, not list'),
    ('tags', {'a': 1}, 'tags.a must be a string, not int'),
])
def test_a_wrong_value_is_named_with_its_path(field, value, message):
    with pytest.raises(body_types.WrongType) as err:
        body_types.check(Outer, dict(GOOD, **{field: value}))
    assert str(err.value) == message


def test_the_api_types_refuse_what_once_broke_them():
    with pytest.raises(body_types.WrongType, match='counter_volume'):
        body_types.check(meters.OldSample, {'counter_volume': [1]})
    with pytest.raises(body_types.WrongType,
                       match='threshold_rule.period'):
        body_types.check(alarms.Alarm, {'threshold_rule': {
            'period': 2 ** 64}})
    with pytest.raises(body_types.WrongType, match='time_constraints'):
        body_types.check(alarms.Alarm, {'time_constraints': 'daily'})
    # Alarm metadata and JSON user types take any shape.
    body_types.check(meters.OldSample, {'resource_metadata': {
        'a': [1, {'b': None}]}})
