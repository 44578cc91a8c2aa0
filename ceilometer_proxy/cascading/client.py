"""A thin HTTP client of one service of one region.

One urllib3 connection pool per region, service and endpoint, kept alive
and reused by every request of the API; the caller's identity travels per
call in the headers the region driver gives, never in the pool.
python-ceilometerclient, gnocchiclient and aodhclient are not used: the
first cannot be installed next to modern OpenStack libraries (its
prettytable pin) and, measured by bench/cascading.py, each costs more per
call than this client. So does ``requests`` (about half a millisecond per
call in its session and adapter layers, where a single-resource statistics
call has a budget of one millisecond in all).

Failures are classified for the fan-out policy: no connection, a timeout or
a 5xx is RegionUnavailable (and starts the region's back-off), a 4xx is
RegionHTTPError carrying the region's own faultstring.
"""

import json
import threading
import time
import urllib.parse

import certifi
from oslo_log import log
import urllib3
from urllib3 import exceptions as urllib3_exc

from ceilometer_proxy.cascading import errors

LOG = log.getLogger(__name__)

POOL_SIZE = 32
IDEMPOTENT = ('GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS')


class Answer(object):
    """A region's answer as it came: status, reason, headers and bytes."""

    __slots__ = ('status', 'reason', 'headers', 'content')

    def __init__(self, status, reason, headers, content):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.content = content

    def json(self):
        return json.loads(self.content)


def region_faultstring(answer):
    """The message of a region's error body (Ceilometer's and Aodh's
    ``error_message.faultstring``, Gnocchi's ``description``), or its
    text."""
    try:
        data = answer.json()
    except ValueError:
        text = answer.content.decode('utf-8', 'replace')
        return text.strip()[:500] or answer.reason
    if isinstance(data, dict):
        fault = data.get('error_message', data)
        if isinstance(fault, dict) and fault.get('faultstring'):
            return fault['faultstring']
        if isinstance(fault, str):
            return fault
        description = data.get('description')
        if isinstance(description, str) and description:
            return description
        if isinstance(description, dict):
            return '; '.join('%s: %s' % (k, description[k])
                             for k in sorted(description))
    return answer.reason


def join_url(base, path):
    """base + path, without doubling a version (/v1, /v2) the endpoint
    already ends in."""
    base = base.rstrip('/')
    version = base.rsplit('/', 1)[-1]
    if version in ('v1', 'v2') and (path == '/' + version or
                                    path.startswith('/%s/' % version)):
        base = base[:-len(version) - 1]
    return base + path


def encode_params(params):
    """A query string of a dict or (key, value) pairs; a list value is
    sent once per item and None is left out, as ``requests`` did."""
    if not params:
        return ''
    pairs = params.items() if isinstance(params, dict) else params
    flat = []
    for key, value in pairs:
        values = value if isinstance(value, (list, tuple)) else [value]
        flat.extend((key, v) for v in values if v is not None)
    return urllib.parse.urlencode(flat)


class RegionClient(object):
    """Calls to one service of one region.

    :param region: the region name.
    :param registry: the RegionRegistry giving its endpoint.
    :param conf: the service's ConfigOpts ([cascading] http_timeout,
        region_backoff).
    :param service: which of the region's endpoints (``metering``,
        ``metric``, ``alarming``).
    """

    def __init__(self, region, registry, conf, service='metering'):
        self.region = region
        self.registry = registry
        self.conf = conf
        self.service = service
        # Regions are called at their catalog or configured endpoints
        # only: no proxy settings from the environment. TLS is verified
        # against the same CA bundle ``requests`` uses.
        self.pools = urllib3.PoolManager(num_pools=4, maxsize=POOL_SIZE,
                                         ca_certs=certifi.where())
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._down_reason = None

    def close(self):
        self.pools.clear()

    def request(self, method, path, headers, params=None, body=None,
                empty=False):
        """Decoded JSON answer of the region (None for an empty answer).

        :param method: HTTP method.
        :param path: path under the endpoint, e.g. '/v2/meters/cpu'.
        :param headers: the identity headers of the call (the driver's).
        :param params: query parameters: a list of (key, value) pairs or a
            dict.
        :param body: a JSON-serialisable body, or None.
        :param empty: the answer must be empty (a delete's 204); any other
            success is unusable (RegionUnavailable): it does not say the
            work was done.
        """
        answer = self.forward(method, path, headers, encode_params(params),
                              body=body)
        if empty and answer.content:
            raise errors.RegionUnavailable(
                self.region, 'HTTP %d with a body where none belongs'
                % answer.status)
        if answer.status == 204 or not answer.content:
            return None
        try:
            return answer.json()
        except ValueError:
            raise errors.RegionUnavailable(self.region,
                                           'the answer is not JSON')

    def forward(self, method, path, headers, query='', body=None):
        """The region's 2xx Answer, undecoded; RegionHTTPError for a 4xx
        (the request's fault), RegionUnavailable for no answer, a 5xx or a
        redirect.

        :param query: the query string, already encoded.
        """
        self._check_backoff()
        headers = dict(headers)
        headers['Accept'] = 'application/json'
        data = None
        if body is not None:
            data = json.dumps(body).encode('utf-8')
            headers['Content-Type'] = 'application/json'
        if query:
            path = path + '?' + query
        try:
            answer = self._send(method, path, data, headers)
        except errors.RegionUnavailable as err:
            self._fail(err.reason)
            raise
        if answer.status >= 500 or 300 <= answer.status < 400:
            reason = 'HTTP %s: %s' % (answer.status,
                                      region_faultstring(answer))
            self._fail(reason)
            raise errors.RegionUnavailable(self.region, reason)
        if answer.status >= 400:
            raise errors.RegionHTTPError(self.region, answer.status,
                                         region_faultstring(answer),
                                         answer.content)
        self._succeed()
        return answer

    def _send(self, method, path, data, headers):
        endpoint = self.registry.endpoint(self.region, self.service)
        try:
            return self._send_once(method, endpoint, path, data, headers)
        except (urllib3_exc.NewConnectionError,
                urllib3_exc.ConnectTimeoutError,
                urllib3_exc.ProtocolError) as err:
            never_sent = isinstance(err, (urllib3_exc.NewConnectionError,
                                          urllib3_exc.ConnectTimeoutError))
            if not (never_sent or method in IDEMPOTENT):
                raise errors.RegionUnavailable(self.region, str(err))
            LOG.info('Region %s: %s; reading its endpoint again',
                     self.region, err)
        except urllib3_exc.HTTPError as err:
            raise errors.RegionUnavailable(self.region, str(err))
        self.registry.invalidate(self.region)
        endpoint = self.registry.endpoint(self.region, self.service)
        try:
            return self._send_once(method, endpoint, path, data, headers)
        except urllib3_exc.HTTPError as err:
            raise errors.RegionUnavailable(self.region, str(err))

    def _send_once(self, method, endpoint, path, data, headers):
        timeout = self.conf.cascading.http_timeout
        try:
            resp = self.pools.urlopen(method, join_url(endpoint, path),
                                      body=data, headers=headers,
                                      timeout=timeout, retries=False,
                                      redirect=False, preload_content=True)
        except (urllib3_exc.LocationParseError, ValueError) as err:
            raise errors.RegionUnavailable(
                self.region, 'unusable endpoint %s: %s' % (endpoint, err))
        return Answer(resp.status, resp.reason, resp.headers, resp.data)

    def _check_backoff(self):
        if self._down_until and time.monotonic() < self._down_until:
            raise errors.RegionUnavailable(
                self.region, 'not called again for %.0f s after: %s'
                % (self._down_until - time.monotonic(), self._down_reason))

    def _fail(self, reason):
        backoff = self.conf.cascading.region_backoff
        with self._lock:
            if backoff > 0:
                self._down_until = time.monotonic() + backoff
                self._down_reason = reason
        LOG.warning('Region %s failed: %s', self.region, reason)

    def _succeed(self):
        if self._down_until:
            with self._lock:
                self._down_until = 0.0
                self._down_reason = None
