"""Check and normalise the metering messages producers send.

Juno-era publishers send exactly Ceilometer's metering message fields;
current ones (Ceilometer 27) add ``user_name``, ``project_name``,
``monotonic_time`` and, over UDP, ``publisher_id``, all covered by the
signature. The signature is verified on the message as received, then the
message is reduced to the common fields so that both generations are stored
identically. Every refusal has a reason, which the collector counts.
"""

import datetime
import json
import numbers

from ceilometer_proxy import signing
from ceilometer_proxy import utils

SAMPLE_TYPES = ('gauge', 'delta', 'cumulative')
STORED_FIELDS = ('source', 'counter_name', 'counter_type', 'counter_unit',
                 'counter_volume', 'user_id', 'project_id', 'resource_id',
                 'timestamp', 'resource_metadata', 'message_id',
                 'message_signature')
REQUIRED_TEXT = ('counter_name', 'counter_type', 'resource_id', 'message_id')
ORIGIN_KEY = 'origin'

# Reasons a message is dropped (counter names: ``dropped.<reason>``).
NOT_A_LIST = 'not_a_list'
MALFORMED = 'malformed'
BAD_SIGNATURE = 'bad_signature'
UNKNOWN_TYPE = 'unknown_type'
TOO_LARGE = 'too_large'
REFUSED = 'refused'


class Rejected(Exception):
    """A message that must be dropped; ``reason`` is one of the above."""

    def __init__(self, reason, detail):
        super().__init__('%s: %s' % (reason, detail))
        self.reason = reason
        self.detail = detail


def parse_timestamp(value):
    """A naive UTC datetime from ISO-8601 text or a datetime."""
    if isinstance(value, datetime.datetime):
        return utils.naive_utc(value)
    if not isinstance(value, str):
        raise ValueError('timestamp is not text: %r' % (value,))
    return utils.naive_utc(datetime.datetime.fromisoformat(
        value.strip().replace('Z', '+00:00')))


def _volume(value):
    if isinstance(value, bool) or value is None:
        raise ValueError('counter_volume is %r' % (value,))
    if isinstance(value, numbers.Real):
        return value
    return float(value)


def _check_shape(message):
    if not isinstance(message, dict):
        raise Rejected(MALFORMED, 'not a mapping: %.100r' % (message,))
    for field in REQUIRED_TEXT:
        value = message.get(field)
        if not isinstance(value, str) or not value:
            raise Rejected(MALFORMED, '%s missing or not text' % field)
    metadata = message.get('resource_metadata')
    if metadata is not None and not isinstance(metadata, dict):
        raise Rejected(MALFORMED, 'resource_metadata is not a mapping')


def _metadata_size(metadata):
    return len(json.dumps(metadata, default=str, separators=(',', ':')))


def normalise(message, secret, max_metadata_size=0, origin=None):
    """The message as it is stored, or Rejected.

    :param message: one metering message as received (dict).
    :param secret: ``[publisher] telemetry_secret`` ('' checks nothing).
    :param max_metadata_size: largest JSON size of resource_metadata
        (0: unlimited).
    :param origin: recorded as resource_metadata['origin'] when given.
    """
    _check_shape(message)
    if not signing.verify_signature(message, secret):
        raise Rejected(BAD_SIGNATURE, 'message %s' % message['message_id'])
    if message['counter_type'] not in SAMPLE_TYPES:
        raise Rejected(UNKNOWN_TYPE, '%.40r' % message['counter_type'])
    metadata = dict(message.get('resource_metadata') or {})
    if max_metadata_size and _metadata_size(metadata) > max_metadata_size:
        raise Rejected(TOO_LARGE, 'resource_metadata of message %s'
                       % message['message_id'])
    try:
        volume = _volume(message.get('counter_volume'))
        timestamp = parse_timestamp(message.get('timestamp'))
    except (TypeError, ValueError) as err:
        raise Rejected(MALFORMED, str(err))
    stored = {field: message.get(field) for field in STORED_FIELDS}
    stored.update(counter_volume=volume, timestamp=timestamp,
                  resource_metadata=metadata,
                  counter_unit=message.get('counter_unit') or '')
    if origin is not None:
        metadata[ORIGIN_KEY] = origin
    return stored


def messages_of_payload(payload):
    """The metering messages of one notification payload (a list).

    Raises Rejected(NOT_A_LIST) for anything else.
    """
    if not isinstance(payload, list):
        raise Rejected(NOT_A_LIST, 'payload is %s' % type(payload).__name__)
    return payload
