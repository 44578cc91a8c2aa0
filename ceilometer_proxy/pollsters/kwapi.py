"""The ``energy`` and ``power`` pollsters of Kwapi probes.

Each polling cycle makes one ``GET {endpoint}/probes/`` per Kwapi API,
shared by both pollsters through the cycle's cache, and yields one sample
per probe: ``energy`` (cumulative kWh; a probe that restarts counts again
from zero and Ceilometer's cumulative handling copes) and ``power`` (gauge
W), each timed by the probe's own UTC epoch. Imported by the
ceilometer-polling agent only.
"""

import threading

from ceilometer import keystone_client
from ceilometer.polling import plugin_base
from ceilometer import sample
from oslo_log import log

from ceilometer_proxy.pollsters import measured_sample
from ceilometer_proxy.pollsters import options
from ceilometer_proxy.pollsters import probes

LOG = log.getLogger(__name__)

CACHE_KEY = 'kwapi.probes'
TOKEN_KEY = 'kwapi.token'
FETCH_LOCK = threading.Lock()


class _KwapiPollster(plugin_base.PollsterBase):
    """Shared polling of Kwapi endpoints; subclasses pick the meter."""

    name = None
    sample_type = None
    unit = None
    field = None

    def setup_environment(self):
        options.register_opts(self.conf)

    @property
    def default_discovery(self):
        return 'kwapi'

    def get_samples(self, manager, cache, resources):
        for endpoint in resources:
            probe_list = self._probe_list(manager, cache, endpoint)
            metadata = {'region': endpoint.region} if getattr(
                endpoint, 'region', None) else {}
            for probe in probe_list.probes:
                yield measured_sample.MeasuredSample(
                    name=self.name,
                    type=self.sample_type,
                    unit=self.unit,
                    volume=getattr(probe, self.field),
                    user_id=None,
                    project_id=None,
                    resource_id=probe.id,
                    timestamp=probe.timestamp,
                    resource_metadata=dict(metadata))

    def _probe_list(self, manager, cache, endpoint):
        url = getattr(endpoint, 'url', endpoint)
        # [polling] threads_to_process_pollsters may run energy and power
        # at once: still one request per endpoint and cycle.
        with FETCH_LOCK:
            return self._cached_probe_list(manager, cache, url)

    def _cached_probe_list(self, manager, cache, url):
        fetched = cache.setdefault(CACHE_KEY, {})
        if url not in fetched:
            probe_list = probes.fetch(url, token=self._token(manager, cache),
                                      timeout=self.conf.kwapi.http_timeout)
            if probe_list.error:
                LOG.warning('Kwapi %s skipped this cycle: %s', url,
                            probe_list.error)
            elif probe_list.skipped:
                LOG.warning('Kwapi %s: skipped %d malformed probe entries',
                            url, probe_list.skipped)
            fetched[url] = probe_list
        return fetched[url]

    def _token(self, manager, cache):
        """The agent's Keystone token, once per cycle, when it has one."""
        if TOKEN_KEY not in cache:
            cache[TOKEN_KEY] = None
            if getattr(self.conf.service_credentials, 'auth_type', None):
                try:
                    cache[TOKEN_KEY] = keystone_client.get_auth_token(
                        manager.keystone)
                except Exception as exc:
                    LOG.warning('Kwapi: no Keystone token, polling without '
                                'one: %s', exc)
        return cache[TOKEN_KEY]


class EnergyPollster(_KwapiPollster):
    """Energy used by each probe since it started (kWh)."""

    name = 'energy'
    sample_type = sample.TYPE_CUMULATIVE
    unit = 'kWh'
    field = 'kwh'


class PowerPollster(_KwapiPollster):
    """Power drawn at each probe's last reading (W)."""

    name = 'power'
    sample_type = sample.TYPE_GAUGE
    unit = 'W'
    field = 'w'
