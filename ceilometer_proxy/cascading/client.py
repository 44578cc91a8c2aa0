"""A thin HTTP client of one service of one region.

One pooled ``requests`` session per region and service (a Ceilometer v2
API, Gnocchi, Aodh), reused by every request of the API; the caller's
identity travels per call in the headers the region driver gives, never in
the session. python-ceilometerclient, gnocchiclient and aodhclient are not
used: the first cannot be installed next to modern OpenStack libraries (its
prettytable pin) and, measured by bench/cascading.py, costs more per call
than this client.

Failures are classified for the fan-out policy: no connection, a timeout or
a 5xx is RegionUnavailable (and starts the region's back-off), a 4xx is
RegionHTTPError carrying the region's own faultstring.
"""

import json
import threading
import time

from oslo_log import log
import requests
import requests.adapters
from urllib3 import exceptions as urllib3_exc

from ceilometer_proxy.cascading import errors

LOG = log.getLogger(__name__)

POOL_SIZE = 32
IDEMPOTENT = ('GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS')


def _is_connect_failure(err):
    """Whether the request never reached the region (safe to resend)."""
    if isinstance(err, requests.exceptions.ConnectTimeout):
        return True
    reason = err.args[0] if err.args else None
    reason = getattr(reason, 'reason', reason)
    return isinstance(reason, (urllib3_exc.NewConnectionError,
                               urllib3_exc.ConnectTimeoutError))


def region_faultstring(resp):
    """The message of a region's error body (Ceilometer's and Aodh's
    ``error_message.faultstring``, Gnocchi's ``description``), or its
    text."""
    try:
        data = resp.json()
    except ValueError:
        return resp.text.strip()[:500] or resp.reason
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
    return resp.reason


def join_url(base, path):
    """base + path, without doubling a version (/v1, /v2) the endpoint
    already ends in."""
    base = base.rstrip('/')
    version = base.rsplit('/', 1)[-1]
    if version in ('v1', 'v2') and (path == '/' + version or
                                    path.startswith('/%s/' % version)):
        base = base[:-len(version) - 1]
    return base + path


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
        self.session = requests.Session()
        # Regions are called at their catalog or configured endpoints
        # only: no proxy or netrc settings from the environment (reading
        # them costs milliseconds per call, too).
        self.session.trust_env = False
        adapter = requests.adapters.HTTPAdapter(pool_connections=1,
                                                pool_maxsize=POOL_SIZE)
        self.session.mount('http://', adapter)
        self.session.mount('https://', adapter)
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._down_reason = None

    def close(self):
        self.session.close()

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
        self._check_backoff()
        headers = dict(headers)
        headers['Accept'] = 'application/json'
        data = None
        if body is not None:
            # Bytes, so that http.client sends the body in the same segment
            # as the headers: a second segment waits for the region's
            # delayed ACK (Nagle), one more round trip per POST.
            data = json.dumps(body).encode('utf-8')
            headers['Content-Type'] = 'application/json'
        try:
            resp = self._send(method, path, params, data, headers)
        except errors.RegionUnavailable as err:
            self._fail(err.reason)
            raise
        if empty and resp.status_code < 300 and resp.content:
            raise errors.RegionUnavailable(
                self.region, 'HTTP %d with a body where none belongs'
                % resp.status_code)
        return self._decode(resp)

    def _send(self, method, path, params, data, headers):
        endpoint = self.registry.endpoint(self.region, self.service)
        try:
            return self._send_once(method, endpoint, path, params, data,
                                   headers)
        except requests.exceptions.ConnectionError as err:
            if not (_is_connect_failure(err) or method in IDEMPOTENT):
                raise errors.RegionUnavailable(self.region, str(err))
            LOG.info('Region %s: %s; reading its endpoint again',
                     self.region, err)
        self.registry.invalidate(self.region)
        endpoint = self.registry.endpoint(self.region, self.service)
        try:
            return self._send_once(method, endpoint, path, params, data,
                                   headers)
        except requests.exceptions.RequestException as err:
            raise errors.RegionUnavailable(self.region, str(err))

    def _send_once(self, method, endpoint, path, params, data, headers):
        timeout = self.conf.cascading.http_timeout
        try:
            return self.session.request(method, join_url(endpoint, path),
                                        params=params, data=data,
                                        headers=headers, timeout=timeout)
        except requests.exceptions.ConnectionError:
            raise
        except requests.exceptions.RequestException as err:
            raise errors.RegionUnavailable(self.region, str(err))

    def _decode(self, resp):
        if resp.status_code >= 500:
            reason = 'HTTP %s: %s' % (resp.status_code,
                                      region_faultstring(resp))
            self._fail(reason)
            raise errors.RegionUnavailable(self.region, reason)
        if resp.status_code >= 400:
            raise errors.RegionHTTPError(self.region, resp.status_code,
                                         region_faultstring(resp),
                                         resp.content)
        self._succeed()
        if resp.status_code == 204 or not resp.content:
            return None
        try:
            return resp.json()
        except ValueError:
            raise errors.RegionUnavailable(self.region,
                                           'the answer is not JSON')

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
