"""Decoding and validation of watcher-metering measurements.

An agent sends each measurement as one msgpack map with the keys ``name``,
``timestamp`` (ISO-8601), ``unit``, ``type`` (gauge, cumulative, delta or
'' for "unspecified"), ``value``, ``resource_id``, ``host`` and
``resource_metadata``. Nothing authenticates them, so every field is
checked here before anything downstream trusts it; the pollster and the
standalone listener share this code and differ only in what they build
from a valid measurement.
"""

import collections
import datetime
import math
import operator

import msgpack

SOURCE = 'watcher'
TYPES = ('gauge', 'cumulative', 'delta')

Measurement = collections.namedtuple(
    'Measurement', ['name', 'type', 'unit', 'volume', 'resource_id',
                    'timestamp', 'metadata'])


class InvalidMeasurement(ValueError):
    """A message that is not a usable measurement."""


FIELDS = operator.itemgetter('name', 'timestamp', 'unit', 'type', 'value',
                             'resource_id')
TEXT_FIELDS = (('name', False), ('timestamp', False), ('unit', True),
               ('resource_id', False))


def decode(raw):
    """The :class:`Measurement` held by one raw message.

    Written for throughput (agents push at 1 Hz per driver and host, a
    PDU's at 1 Hz per outlet): one unpack, one tuple of fields, plain
    checks; the slower path only runs to explain a rejection.

    :raises InvalidMeasurement: not msgpack, not a map, or a field missing
        or of the wrong type.
    """
    try:
        data = msgpack.unpackb(raw, raw=False, strict_map_key=False)
    except Exception as exc:
        raise InvalidMeasurement('not msgpack: %s' % exc)
    if type(data) is not dict:
        raise InvalidMeasurement('not a map: %s' % type(data).__name__)
    try:
        name, stamp, unit, kind, value, resource_id = FIELDS(data)
    except KeyError as exc:
        raise InvalidMeasurement('missing %s' % exc.args[0])
    if not (type(name) is str and name and type(stamp) is str
            and type(unit) is str and type(resource_id) is str
            and resource_id):
        raise InvalidMeasurement(_text_problem(data))
    return Measurement(name, _sample_type(kind), unit, _volume(value),
                       resource_id, utc_isoformat(stamp), _metadata(data))


def _text_problem(data):
    for key, allow_empty in TEXT_FIELDS:
        value = data[key]
        if type(value) is not str or not (value or allow_empty):
            return '%s is not a%s string' % (
                key, '' if allow_empty else ' non-empty')
    return 'bad text field'


def _sample_type(kind):
    if kind in TYPES:
        return kind
    if kind == '':
        return 'gauge'
    raise InvalidMeasurement('unknown type %r' % (kind,))


def _volume(value):
    kind = type(value)
    if (kind is float and math.isfinite(value)) or kind is int:
        return value
    raise InvalidMeasurement('value is not a finite number')


def _metadata(data):
    metadata = data.get('resource_metadata')
    if metadata is None:
        metadata = {}
    elif type(metadata) is dict:
        metadata = metadata.copy()
    else:
        raise InvalidMeasurement('resource_metadata is not a map')
    host = data.get('host')
    if host is not None:
        if type(host) is not str:
            raise InvalidMeasurement('host is not a string')
        metadata['host'] = host
    return metadata


def utc_isoformat(text):
    """ISO-8601 text in UTC with an explicit offset; naive means UTC."""
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise InvalidMeasurement('bad timestamp %r' % (text,))
    offset = moment.utcoffset()
    if offset is None:
        return moment.replace(tzinfo=datetime.timezone.utc).isoformat()
    if not offset and text.endswith('+00:00'):
        return text  # what agents send: already in the canonical form
    return moment.astimezone(datetime.timezone.utc).isoformat()


def encode(measurement_dict):
    """The wire form of a measurement dict (agents' side; tests, bench)."""
    return msgpack.packb(measurement_dict, use_bin_type=True)
