"""Cascades of real processes, for functional tests and benchmarks.

A Cascade is any mix of regions behind one or more cascading API servers:

- ``v2`` regions: ceilometer-proxy-api in local mode, each on its own
  database of the test MongoDB-wire server;
- ``gnocchi`` regions: Gnocchi + Aodh (tests/modern.py) on a private
  PostgreSQL cluster.

Any region can be put behind RegionProxy instances (one per endpoint) that
count, hold or fail the calls the cascading level makes. Cascading
servers find the regions in their static configuration (``[cascading]
regions`` entries and ``[region:<name>]`` sections) or, given a test
Keystone, in its catalog. The helpers cover what the tests do around a
cascade: clients of every level, registration in the resource map, seeding
a region's store, emptying everything between tests.
"""

import concurrent.futures
import contextlib
import datetime
import json
import os
import uuid

from tests import modern
from tests import region_proxy
from tests import services

ADMIN = {'X-User-Id': 'admin-user', 'X-Project-Id': 'admin-project',
         'X-Roles': 'admin'}

# The az2region file the package ships ("nova" is regionOne): what a
# cascading server that names no file of its own reads.
PACKAGED_AZ2REGION = os.path.join(services.REPO, 'etc', 'ceilometer-proxy',
                                  'az2region.json')

# What the metering suites' cascading servers run with (``extra`` of
# cascade()): the packaged az2region file, as their tests register
# resources by the availability zone "nova".
METERING_SETTINGS = {'cascading': {'az2region_file': PACKAGED_AZ2REGION}}

# What the alarm suites and bench run with: region calls get 20 s, not 10
# (each goes through a RegionProxy and alarm writes to FerretDB are slow on
# a loaded machine), and no periodic reconciler runs unless a test asks.
ALARM_SETTINGS = {'cascading': {'http_timeout': 20,
                                'reconcile_interval': 0}}


def identity(project, user=None, roles='member'):
    """Noauth identity headers of a (non-admin by default) caller."""
    return {'X-User-Id': user or 'user-of-' + project,
            'X-Project-Id': project, 'X-Roles': roles}


def at(minutes, base=datetime.datetime(2026, 1, 1)):
    """A timestamp ``minutes`` after a fixed base."""
    return base + datetime.timedelta(minutes=minutes)


def _start_all(things):
    things = list(things)
    if not things:
        return
    with concurrent.futures.ThreadPoolExecutor(len(things)) as pool:
        for future in [pool.submit(t.start) for t in things]:
            future.result()


class Region(object):
    """One region of a cascade.

    :ivar kind: ``v2`` or ``gnocchi``.
    :ivar server: the local-mode ApiServer (v2).
    :ivar modern: the ModernRegion (gnocchi).
    :ivar proxies: {service: RegionProxy} when proxied.
    :ivar shared: the region's processes belong to someone else (a
        session fixture): the cascade neither starts nor stops them.
    """

    def __init__(self, name, kind, server=None, modern_region=None,
                 proxied=False, shared=False):
        self.name = name
        self.kind = kind
        self.server = server
        self.modern = modern_region
        self.proxied = proxied
        self.shared = shared
        self.proxies = {}

    @property
    def running(self):
        if self.server is not None:
            return self.server.proc is not None
        return bool(self.modern.processes)

    def start(self):
        """Start the region unless it runs (a shared modern region), and
        its proxies."""
        if not self.running:
            (self.server or self.modern).start()
        if self.proxied and not self.proxies:
            for service, url in self.native_endpoints().items():
                self.proxies[service] = region_proxy.RegionProxy(
                    url).start()
        return self

    def native_endpoints(self):
        """{service: URL} of the region's own APIs."""
        if self.kind == 'v2':
            return {'metering': self.server.url}
        return {'metric': self.modern.gnocchi_url,
                'alarming': self.modern.aodh_url}

    def endpoints(self):
        """{service: URL} the cascading level is told (the proxies')."""
        native = self.native_endpoints()
        return {s: self.proxies[s].url if s in self.proxies else url
                for s, url in native.items()}

    @property
    def proxy(self):
        """The proxy of a v2 region's API, or of a modern one's Aodh."""
        return self.proxies.get('metering') or self.proxies.get('alarming')

    @property
    def url(self):
        return self.native_endpoints().get('metering')

    def config(self):
        """(entry of [cascading] regions, {section: options} or {})."""
        endpoints = self.endpoints()
        if self.kind == 'v2':
            return '%s:%s' % (self.name, endpoints['metering']), {}
        return self.name, {'region:' + self.name: {
            'driver': 'gnocchi', 'metric_endpoint': endpoints['metric'],
            'alarming_endpoint': endpoints['alarming']}}

    def stop(self):
        for proxy in self.proxies.values():
            proxy.stop()
        self.proxies = {}
        if self.server is not None:
            self.server.stop()

    def cleanup(self):
        self.stop()
        if self.server is not None:
            self.server.cleanup()
        if self.modern is not None and not self.shared:
            self.modern.cleanup()


class Cascade(object):
    """Regions plus cascading servers, started and cleaned up together.

    :param mongodb_url: base URL of the test MongoDB-wire server.
    :param auth_mode: ``noauth`` or ``keystone`` for every API server.
    :param keystone: the started tests.keystone.Keystone (keystone mode,
        Keystone discovery).
    :param cascading_extra: {section: options} every cascading server of
        the cascade gets, under each call's own ``extra``: a suite's
        settings, kept by the servers a test starts later too.
    """

    def __init__(self, mongodb_url, auth_mode='noauth', keystone=None,
                 cascading_extra=None):
        self.mongodb_url = mongodb_url
        self.auth_mode = auth_mode
        self.keystone = keystone
        self.cascading_extra = {section: dict(values) for section, values
                                in (cascading_extra or {}).items()}
        self.regions = {}
        self.cascading = None
        self.servers = []
        self.db_names = []
        self._stores = {}

    # -- building -------------------------------------------------------------

    def new_db(self, prefix):
        name = services.unique_db_name(prefix)
        self.db_names.append(name)
        return services.db_url(self.mongodb_url, name)

    def _api_server(self, db_prefix, extra=None):
        extra = dict(extra or {})
        if self.auth_mode == 'keystone':
            extra.setdefault('keystone_authtoken',
                             self.keystone.authtoken_section())
        return services.ApiServer(self.new_db(db_prefix), extra=extra,
                                  auth_mode=self.auth_mode)

    def add_v2_region(self, name, extra=None, proxied=False):
        """A local-mode region (not started)."""
        self.regions[name] = Region(
            name, 'v2', server=self._api_server('region_' + name, extra),
            proxied=proxied)
        return self.regions[name]

    def add_gnocchi_region(self, name, postgres, transport_url=None,
                           proxied=False, modern_region=None):
        """A Gnocchi + Aodh region (not started); ``modern_region`` reuses
        a started one (shared by the tests of a session)."""
        region = modern_region or modern.ModernRegion(
            postgres, transport_url=transport_url)
        self.regions[name] = Region(name, 'gnocchi', modern_region=region,
                                    proxied=proxied,
                                    shared=modern_region is not None)
        return self.regions[name]

    def start(self, cascading=True, extra=None):
        """Start the regions not running yet, and a cascading server."""
        _start_all(self.regions.values())
        if cascading:
            self.cascading = self.start_cascading(extra)
        return self

    def cascading_config(self, extra=None, discovery='static'):
        """{section: options} of a cascading server in front of the
        regions."""
        entries, sections = [], {}
        for name in sorted(self.regions):
            entry, more = self.regions[name].config()
            entries.append(entry)
            sections.update(more)
        config = {'api': {'mode': 'cascading'},
                  'cascading': {'region_discovery': discovery,
                                'http_timeout': 10, 'region_backoff': 0,
                                'reconcile_interval': 0}}
        if discovery == 'static':
            config['cascading']['regions'] = ','.join(entries)
            config.update(sections)
        else:
            config['service_credentials'] = (
                self.keystone.service_credentials_section())
        for more in (self.cascading_extra, extra or {}):
            for section, values in more.items():
                config.setdefault(section, {}).update(values)
        return config

    def cascading_server(self, extra=None, discovery='static'):
        """A new cascading server (not started; cleaned up with the rest),
        with an az2region file mapping ``az-<region>`` to each region."""
        server = self._api_server('cascading')
        az_path = os.path.join(server.dir, 'az2region.json')
        with open(az_path, 'w') as f:
            json.dump({'az-' + name: name for name in self.regions}, f)
        config = self.cascading_config(extra, discovery)
        config['cascading'].setdefault('az2region_file', az_path)
        # Over what _api_server put there ([keystone_authtoken]).
        server.extra.update(config)
        self.servers.append(server)
        return server

    def start_cascading(self, extra=None, discovery='static'):
        return self.cascading_server(extra, discovery).start()

    def restart_cascading(self, **extra):
        """Restart the main cascading server with {section: {opt: v}}
        more."""
        server = self.cascading
        server.stop()
        for section, values in extra.items():
            server.extra.setdefault(section, {}).update(values)
        server.start()

    def stop_cascading(self):
        """Stop and remove the cascading servers made so far."""
        for server in self.servers:
            server.cleanup()
        self.servers = []
        self.cascading = None

    def stop_region(self, name):
        self.regions[name].server.stop()

    def start_region(self, name):
        self.regions[name].server.start()

    def ensure_running(self):
        """Start again the v2 region servers a test stopped."""
        _start_all(r.server for r in self.regions.values()
                   if r.server is not None and r.server.proc is None)

    def cleanup(self):
        for store in self._stores.values():
            store.close()
        for server in self.servers:
            server.cleanup()
        for region in self.regions.values():
            region.cleanup()
        client = services.mongo_client(self.mongodb_url)
        try:
            for name in self.db_names:
                client.drop_database(name)
        finally:
            client.close()

    def reset(self):
        """Empty every database (regions, map, alarm table) and modern
        region, and forget the proxies' calls, so the next test starts from
        nothing."""
        client = services.mongo_client(self.mongodb_url)
        try:
            for db in self.db_names:
                for name in client[db].list_collection_names():
                    if not name.startswith('system.'):
                        client[db][name].delete_many({})
        finally:
            client.close()
        for region in self.regions.values():
            if region.modern is not None:
                region.modern.reset()
            for proxy in region.proxies.values():
                proxy.reset()

    # -- clients --------------------------------------------------------------

    @property
    def url(self):
        return self.cascading.url

    @property
    def region_names(self):
        return sorted(self.regions)

    def client(self, headers=None, region=None):
        """An HTTP client of the cascading API (admin unless headers say),
        or of a v2 region's own API."""
        url = self.regions[region].server.url if region else self.url
        return services.Client(url, headers=dict(headers or ADMIN))

    def region_client(self, name, headers=None):
        return self.client(headers, region=name)

    def region_clients(self, headers=None, kind='v2'):
        return {name: self.region_client(name, headers)
                for name, r in sorted(self.regions.items())
                if r.kind == kind}

    def modern(self, name):
        return self.regions[name].modern

    # -- data -----------------------------------------------------------------

    def register(self, resource_id=None, region=None, cascaded_id=None,
                 resource_type='nova.instance', project_id='project-1',
                 user_id='user-1', metadata=None, status=201):
        """Register a resource through POST /v2/resources; returns its
        cascading id."""
        resource_id = resource_id or str(uuid.uuid4())
        body = {'resource_id': resource_id, 'project_id': project_id,
                'user_id': user_id,
                'metadata': dict(metadata or {},
                                 region=region or self.region_names[0],
                                 cascaded_resource_id=(cascaded_id or
                                                       'c-' + resource_id),
                                 type=resource_type)}
        self.client().post('/v2/resources', body, status=status)
        return resource_id

    def register_by_sample(self, resource_id, region, cascaded_id,
                           project='p1', user='u1'):
        """Put a resource into the map as a Nova proxy would (a sample
        whose metadata holds the routing)."""
        resp = self.client().post('/v2/meters/instance', [{
            'counter_name': 'instance', 'counter_type': 'gauge',
            'counter_unit': 'instance', 'counter_volume': 1,
            'resource_id': resource_id, 'project_id': project,
            'user_id': user,
            'resource_metadata': {'region': region,
                                  'cascaded_resource_id': cascaded_id,
                                  'type': 'nova.instance'}}])
        assert resp.status_code < 300, resp.text

    def store(self, region):
        """The local-mode storage driver of a v2 region's database (kept
        open until cleanup)."""
        return self.store_for_url(self.regions[region].server.db_url)

    def store_for_url(self, url):
        """The local-mode storage driver of any database, e.g. of a
        reference server next to the cascade (kept open until cleanup)."""
        if url not in self._stores:
            from ceilometer_proxy import service
            from ceilometer_proxy import storage

            conf = service.prepare_service([], config_files=[])
            store = storage.get_connection_from_config(conf, url)
            store.upgrade()
            self._stores[url] = store
        return self._stores[url]

    def seed(self, region, messages):
        """Write metering messages (services.make_message) into a v2
        region's store directly: fast, with any timestamps."""
        self.store(region).record_metering_data_batch(messages)

    def reseed(self, region, messages):
        """seed() into an emptied store (samples, resources, summaries),
        for tests that share running regions but want their own data."""
        store = self.store(region)
        for collection in (store.meter, store.resource):
            collection.delete_many({})
        store.summaries.clear()
        self.seed(region, messages)

    def post_samples(self, region, meter, samples, headers=None):
        """POST /v2/meters/<meter> to a v2 region (its own API)."""
        return self.region_client(region, headers).post_json(
            '/v2/meters/' + meter, samples)


@contextlib.contextmanager
def cascade(mongodb_url, v2=('r1', 'r2'), proxied=False, extra=None,
            start_cascading=True):
    """A started cascade of v2 regions ``v2`` (cleaned up after);
    ``extra`` is the cascading_extra of every cascading server of it."""
    built = Cascade(mongodb_url, cascading_extra=extra)
    try:
        for name in v2:
            built.add_v2_region(name, proxied=proxied)
        built.start(cascading=start_cascading)
        yield built
    finally:
        built.cleanup()
