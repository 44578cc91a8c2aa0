"""Ceilometer's metering message format and its HMAC signature.

Every producer (Ceilometer's ``notifier://`` and ``udp://`` publishers, our
API and listeners) sends samples as flat "metering messages" signed with
HMAC-SHA256 over the sorted, flattened key/value pairs, keyed by
``[publisher] telemetry_secret``; the collector drops any message whose
signature does not match.
"""

import hashlib
import hmac
import uuid

from oslo_config import cfg

from ceilometer_proxy import utils

OPTS = [
    cfg.StrOpt('telemetry_secret',
               secret=True,
               default='change this for valid signing',
               deprecated_opts=[cfg.DeprecatedOpt('metering_secret',
                                                  group='publisher')],
               help='Secret value for signing messages. Set to empty to '
                    'disable signing and signature checks.'),
]


def _python3_list_form(value):
    """A list value as Ceilometer on Python 3 renders it for signing.

    Its publishers turn the text inside lists into bytes before taking
    str() of the list ("[b'a']"), where Python 2 producers (Juno) and we
    give "['a']"; a signature covers that text, so both are accepted.
    """
    if isinstance(value, dict):
        return {_python3_list_form(k): _python3_list_form(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_python3_list_form(v) for v in value]
    return value.encode('utf-8') if isinstance(value, str) else value


def _signature(pairs, secret):
    if isinstance(secret, str):
        secret = secret.encode('utf-8')
    digest = hmac.new(secret, b'', hashlib.sha256)
    for name, value in pairs:
        if name == 'message_signature':
            continue
        digest.update(str(name).encode('utf-8'))
        digest.update(str(value).encode('utf-8'))
    return digest.hexdigest()


def compute_signature(message, secret):
    """Hex HMAC-SHA256 of a metering message ('' when secret is empty)."""
    if not secret:
        return ''
    return _signature(utils.recursive_keypairs(message), secret)


def verify_signature(message, secret):
    """True when the message carries the right signature for secret, with
    its lists in either text form (see _python3_list_form).

    With an empty secret nothing is checked, as in Ceilometer.
    """
    if not secret:
        return True
    expected = message.get('message_signature')
    if not isinstance(expected, str):
        return False
    pairs = list(utils.recursive_keypairs(message))
    if hmac.compare_digest(_signature(pairs, secret), expected):
        return True
    if not any(isinstance(value, list) for _name, value in pairs):
        return False
    python3 = [(name, _python3_list_form(value) if isinstance(value, list)
                else value) for name, value in pairs]
    return hmac.compare_digest(_signature(python3, secret), expected)


def meter_message(name, sample_type, unit, volume, user_id, project_id,
                  resource_id, timestamp, resource_metadata, source,
                  secret, message_id=None):
    """Build a signed metering message with Ceilometer's field names."""
    msg = {'source': source,
           'counter_name': name,
           'counter_type': sample_type,
           'counter_unit': unit,
           'counter_volume': volume,
           'user_id': user_id,
           'project_id': project_id,
           'resource_id': resource_id,
           'timestamp': timestamp,
           'resource_metadata': resource_metadata,
           'message_id': message_id or str(uuid.uuid1())}
    msg['message_signature'] = compute_signature(msg, secret)
    return msg
