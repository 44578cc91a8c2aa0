"""Decoding and validation of watcher-metering measurements."""

import math

import msgpack
import pytest

from ceilometer_proxy.pollsters import measurements

AGENT_MESSAGE = {
    'name': 'compute.node.cpu.user',
    'timestamp': '2026-11-25T10:18:56.080598+00:00',
    'unit': '%', 'type': 'gauge', 'value': 12.5,
    'resource_id': 'node-1', 'host': 'node-1',
    'resource_metadata': {'host': 'node-1', 'title': 'cpu_user'}}


def decode(**changes):
    message = dict(AGENT_MESSAGE, **changes)
    for key, value in list(message.items()):
        if value is KeyError:
            del message[key]
    return measurements.decode(measurements.encode(message))


def test_agent_message():
    assert decode() == measurements.Measurement(
        name='compute.node.cpu.user', type='gauge', unit='%', volume=12.5,
        resource_id='node-1', timestamp='2026-11-25T10:18:56.080598+00:00',
        metadata={'host': 'node-1', 'title': 'cpu_user'})


def test_empty_type_is_a_gauge_and_units_may_be_empty():
    item = decode(type='', unit='')
    assert (item.type, item.unit) == ('gauge', '')


@pytest.mark.parametrize('sample_type', ['cumulative', 'delta'])
def test_other_types_kept(sample_type):
    assert decode(type=sample_type).type == sample_type


def test_timestamps_become_utc():
    assert decode(timestamp='2026-11-25T12:00:00+02:00').timestamp == \
        '2026-11-25T10:00:00+00:00'
    assert decode(timestamp='2026-11-25T10:00:00').timestamp == \
        '2026-11-25T10:00:00+00:00'


def test_host_joins_the_metadata():
    item = decode(host='sender', resource_metadata={'title': 't'})
    assert item.metadata == {'title': 't', 'host': 'sender'}
    assert decode(resource_metadata=None, host=KeyError).metadata == {}


def test_integer_values_kept_as_integers():
    assert decode(value=8).volume == 8


def test_old_msgpack_raw_strings_decode():
    # Encoders without the bin type send text as raw bytes.
    raw = msgpack.packb(AGENT_MESSAGE, use_bin_type=False)
    assert measurements.decode(raw).name == 'compute.node.cpu.user'


@pytest.mark.parametrize('raw', [
    b'\xc1', b'', b'{"json": "no"}',
    msgpack.packb([1, 2]), msgpack.packb('text'),
])
def test_not_a_msgpack_map(raw):
    with pytest.raises(measurements.InvalidMeasurement):
        measurements.decode(raw)


@pytest.mark.parametrize('changes', [
    {'name': KeyError}, {'name': ''}, {'name': 3},
    {'timestamp': KeyError}, {'timestamp': 'yesterday'},
    {'timestamp': 1700000000},
    {'unit': KeyError}, {'unit': None},
    {'type': KeyError}, {'type': 'rate'}, {'type': None},
    {'value': KeyError}, {'value': '12'}, {'value': True}, {'value': None},
    {'value': math.nan}, {'value': math.inf},
    {'resource_id': KeyError}, {'resource_id': ''},
    {'resource_metadata': ['a']}, {'host': 7},
])
def test_invalid_fields(changes):
    with pytest.raises(measurements.InvalidMeasurement):
        decode(**changes)
