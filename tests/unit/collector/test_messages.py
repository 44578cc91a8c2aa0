"""Checks and normalisation of received metering messages."""

import datetime
import hashlib
import hmac

import pytest

from ceilometer_proxy.collector import messages
from ceilometer_proxy import signing
from ceilometer_proxy import utils

SECRET = 'secret'


def juno(**overrides):
    msg = {'source': 'openstack', 'counter_name': 'cpu',
           'counter_type': 'cumulative', 'counter_unit': 'ns',
           'counter_volume': 12, 'user_id': 'u', 'project_id': 'p',
           'resource_id': 'vm-1', 'timestamp': '2026-01-02T03:04:05.678901',
           'resource_metadata': {'flavor': {'name': 'm1.small'}},
           'message_id': 'a1b2'}
    msg.update(overrides)
    msg['message_signature'] = signing.compute_signature(msg, SECRET)
    return msg


def ceilometer27(**overrides):
    """The shape of Ceilometer 27's meter_message_from_counter."""
    fields = dict(user_name=None, project_name='demo',
                  monotonic_time=12345.678,
                  timestamp='2026-01-02T03:04:05.678901+00:00')
    fields.update(overrides)
    return juno(**fields)


def test_juno_message_is_stored_as_received():
    stored = messages.normalise(juno(), SECRET)
    assert stored['counter_volume'] == 12
    assert stored['timestamp'] == datetime.datetime(2026, 1, 2, 3, 4, 5,
                                                    678901)
    assert stored['resource_metadata'] == {'flavor': {'name': 'm1.small'}}
    assert set(stored) == set(messages.STORED_FIELDS)


def test_both_generations_are_stored_identically():
    old = messages.normalise(juno(), SECRET)
    new = messages.normalise(ceilometer27(), SECRET)
    new_sig = new.pop('message_signature')
    old_sig = old.pop('message_signature')
    assert old == new
    assert new_sig != old_sig  # the extra fields were signed too


def _py3_signed(msg):
    """Signed the way Ceilometer on Python 3 signs (lists of bytes)."""
    def form(value):
        if isinstance(value, dict):
            return {form(k): form(v) for k, v in sorted(value.items())}
        if isinstance(value, list):
            return [form(v) for v in value]
        return value.encode('utf-8') if isinstance(value, str) else value

    digest = hmac.new(SECRET.encode('utf-8'), b'', hashlib.sha256)
    for name, value in sorted(utils.recursive_keypairs(msg)):
        if name == 'message_signature':
            continue
        if isinstance(value, list):
            value = form(value)
        digest.update(name.encode('utf-8'))
        digest.update(str(value).encode('utf-8'))
    msg['message_signature'] = digest.hexdigest()
    return msg


def test_python3_list_signatures_are_accepted():
    msg = ceilometer27(resource_metadata={'tags': ['a', 'b'],
                                          'nets': [{'name': 'n1'}]})
    assert messages.normalise(msg, SECRET)  # Python 2 form
    _py3_signed(msg)
    assert "b'a'" not in str(msg)
    stored = messages.normalise(msg, SECRET)
    assert stored['resource_metadata']['tags'] == ['a', 'b']
    msg['resource_metadata']['tags'].append('c')
    with pytest.raises(messages.Rejected):
        messages.normalise(msg, SECRET)


def test_timestamp_with_offset_becomes_utc():
    stored = messages.normalise(
        juno(timestamp='2026-01-02T05:04:05+02:00'), SECRET)
    assert stored['timestamp'] == datetime.datetime(2026, 1, 2, 3, 4, 5)


def test_empty_secret_checks_nothing():
    msg = juno()
    msg['message_signature'] = 'anything'
    assert messages.normalise(msg, '')['message_id'] == 'a1b2'


def test_origin_goes_into_metadata_after_verification():
    stored = messages.normalise(juno(), SECRET, origin='rabbit://a:5672/')
    assert stored['resource_metadata']['origin'] == 'rabbit://a:5672/'


def test_unit_may_be_missing():
    msg = juno()
    del msg['counter_unit']
    msg['message_signature'] = signing.compute_signature(msg, SECRET)
    assert messages.normalise(msg, SECRET)['counter_unit'] == ''


def _forged():
    msg = juno()
    msg['counter_volume'] = 13
    return msg


def _unsigned():
    msg = juno()
    del msg['message_signature']
    return msg


@pytest.mark.parametrize('message,reason', [
    (_forged(), messages.BAD_SIGNATURE),
    (_unsigned(), messages.BAD_SIGNATURE),
    (juno(counter_type='histogram'), messages.UNKNOWN_TYPE),
    (juno(counter_volume='lots'), messages.MALFORMED),
    (juno(counter_volume=None), messages.MALFORMED),
    (juno(counter_volume=True), messages.MALFORMED),
    (juno(timestamp='yesterday'), messages.MALFORMED),
    (juno(timestamp=12), messages.MALFORMED),
    (juno(resource_id=''), messages.MALFORMED),
    (juno(message_id=7), messages.MALFORMED),
    (juno(resource_metadata=['a']), messages.MALFORMED),
    (juno(resource_metadata={'blob': 'x' * 2000}), messages.TOO_LARGE),
    ('text', messages.MALFORMED),
    (None, messages.MALFORMED),
])
def test_rejected(message, reason):
    with pytest.raises(messages.Rejected) as err:
        messages.normalise(message, SECRET, max_metadata_size=1000)
    assert err.value.reason == reason


def test_numeric_text_volume_is_converted():
    stored = messages.normalise(juno(counter_volume='1.5'), SECRET)
    assert stored['counter_volume'] == 1.5


def test_payload_must_be_a_list():
    assert messages.messages_of_payload([1]) == [1]
    for payload in ({'a': 1}, 'x', None):
        with pytest.raises(messages.Rejected) as err:
            messages.messages_of_payload(payload)
        assert err.value.reason == messages.NOT_A_LIST
