"""The region client against real HTTP servers on loopback ports."""

import time
import urllib.parse

import pytest

from ceilometer_proxy.cascading import caller
from ceilometer_proxy.cascading import client
from ceilometer_proxy.cascading import errors
from ceilometer_proxy.cascading import regions
from tests import services
from tests.unit.cascading import helpers

CALLER = caller.Caller(token='tok', user_id='u1', project_id='p1',
                       roles=['member'])


class MovingRegistry(regions.RegionRegistry):
    """A registry whose endpoint changes when invalidated."""

    def __init__(self, urls):
        self.urls = list(urls)
        self.invalidated = 0

    def names(self):
        return ['r']

    def endpoint(self, region, service='metering'):
        return self.urls[0]

    def invalidate(self, region):
        self.invalidated += 1
        if len(self.urls) > 1:
            self.urls.pop(0)


@pytest.fixture
def region():
    replies = {}

    def reply(method, path, query, headers, body):
        return replies.get(path, (200, {'path': path, 'query': query}))

    server = helpers.FakeRegion(reply)
    server.replies = replies
    yield server
    server.stop()


def _headers(rc):
    """The headers the v2 driver sends for CALLER."""
    return CALLER.forward_headers(rc.conf)


def _client(urls, **conf):
    registry = MovingRegistry(urls)
    return client.RegionClient('r', registry, helpers.make_conf(**conf)), \
        registry


def test_get_forwards_identity_params_and_decodes(region):
    rc, _ = _client([region.url])
    answer = rc.request('GET', '/v2/meters/cpu', _headers(rc),
                        params=[('q.field', 'a'), ('q.field', 'b')])
    assert answer['path'] == '/v2/meters/cpu'
    assert urllib.parse.parse_qsl(answer['query']) == [('q.field', 'a'),
                                                       ('q.field', 'b')]
    headers = region.requests[-1]['headers']
    assert headers['X-Auth-Token'] == 'tok'
    assert headers['X-User-Id'] == 'u1'
    assert headers['X-Project-Id'] == 'p1'
    assert headers['X-Roles'] == 'member'


def test_keystone_mode_forwards_only_the_token(region):
    rc, _ = _client([region.url])
    rc.conf.set_override('auth_mode', 'keystone', group='api')
    rc.request('GET', '/v2/meters', _headers(rc))
    headers = region.requests[-1]['headers']
    assert headers['X-Auth-Token'] == 'tok'
    assert 'X-User-Id' not in headers and 'X-Roles' not in headers


def test_body_is_sent_as_json_and_204_is_none(region):
    region.replies['/v2/alarms/x'] = (204, None)
    rc, _ = _client([region.url])
    assert rc.request('DELETE', '/v2/alarms/x', _headers(rc)) is None
    rc.request('POST', '/v2/alarms', _headers(rc), body={'name': 'a'})
    assert region.requests[-1]['body'] == b'{"name": "a"}'


def test_endpoint_ending_in_v2_is_not_doubled(region):
    rc, _ = _client([region.url + '/v2/'])
    answer = rc.request('GET', '/v2/meters', _headers(rc))
    assert answer['path'] == '/v2/meters'


def test_4xx_is_a_region_http_error_with_its_faultstring(region):
    region.replies['/v2/meters/x'] = (
        400, {'error_message': {'faultcode': 'Client',
                                'faultstring': 'bad query'}})
    rc, _ = _client([region.url], region_backoff=30)
    with pytest.raises(errors.RegionHTTPError) as caught:
        rc.request('GET', '/v2/meters/x', _headers(rc))
    assert caught.value.status == 400
    assert caught.value.faultstring == 'bad query'
    # A 4xx is the request's fault, not the region's: no back-off.
    answer = rc.request('GET', '/v2/meters', _headers(rc))
    assert answer['path'] == '/v2/meters'


def test_5xx_makes_the_region_unavailable_and_backs_off(region):
    region.replies['/v2/meters/x'] = (
        503, {'error_message': {'faultstring': 'store down'}})
    rc, _ = _client([region.url], region_backoff=30)
    with pytest.raises(errors.RegionUnavailable) as caught:
        rc.request('GET', '/v2/meters/x', _headers(rc))
    assert 'store down' in caught.value.reason
    seen = len(region.requests)
    with pytest.raises(errors.RegionUnavailable) as caught:
        rc.request('GET', '/v2/meters', _headers(rc))
    assert 'not called again' in caught.value.reason
    assert len(region.requests) == seen


def test_without_backoff_the_next_call_goes_through(region):
    region.replies['/v2/meters/x'] = (500, None)
    rc, _ = _client([region.url], region_backoff=0)
    with pytest.raises(errors.RegionUnavailable):
        rc.request('GET', '/v2/meters/x', _headers(rc))
    answer = rc.request('GET', '/v2/meters', _headers(rc))
    assert answer['path'] == '/v2/meters'


def test_connect_failure_rereads_the_endpoint_and_retries(region):
    dead = 'http://127.0.0.1:%d' % services.free_port()
    rc, registry = _client([dead, region.url], region_backoff=30)
    assert rc.request('POST', '/v2/alarms', _headers(rc),
                      body={})['path'] == '/v2/alarms'
    assert registry.invalidated == 1


def test_connect_failure_on_both_endpoints_is_unavailable():
    dead = 'http://127.0.0.1:%d' % services.free_port()
    rc, registry = _client([dead], region_backoff=0)
    with pytest.raises(errors.RegionUnavailable):
        rc.request('GET', '/v2/meters', _headers(rc))
    assert registry.invalidated == 1


def test_timeout_is_unavailable(region):
    def slow(method, path, query, headers, body):
        time.sleep(1.0)
        return 200, []

    region.reply = slow
    rc, _ = _client([region.url], http_timeout=0.2, region_backoff=0)
    started = time.monotonic()
    with pytest.raises(errors.RegionUnavailable):
        rc.request('GET', '/v2/meters', _headers(rc))
    assert time.monotonic() - started < 0.9


def test_params_drop_none_and_repeat_lists_as_requests_did():
    assert client.encode_params(None) == ''
    assert client.encode_params({'a': None, 'b': [1, 2], 'c': 'x y'}) == (
        'b=1&b=2&c=x+y')
    assert client.encode_params([('q.field', 'a'), ('q.value', None),
                                 ('g', ['p', 'r'])]) == (
        'q.field=a&g=p&g=r')


def test_a_redirect_is_unavailable_not_followed(region):
    region.replies['/v2/meters'] = (302, None)
    rc, _ = _client([region.url], region_backoff=0)
    with pytest.raises(errors.RegionUnavailable) as caught:
        rc.request('GET', '/v2/meters', _headers(rc))
    assert 'HTTP 302' in caught.value.reason


def test_forward_hands_back_the_bytes_as_they_came(region):
    region.replies['/v2/meters/cpu'] = (200, [{'a': 1.50}])
    rc, _ = _client([region.url])
    answer = rc.forward('GET', '/v2/meters/cpu', _headers(rc), 'limit=2')
    assert answer.status == 200
    assert answer.content == b'[{"a": 1.5}]'
    assert region.requests[-1]['query'] == 'limit=2'
