"""A cascading deployment of real processes, for functional tests.

``CascadingEnv`` starts N local-mode API servers as regions (each on its
own database of the test MongoDB-wire server) and one cascading API server
in front of them (static region discovery, noauth), and offers the helpers
the cascading tests share: HTTP clients of every level, registration of
resources in the map, seeding and posting samples into a region, and
emptying every database between tests so servers can be reused across the
tests of a module.
"""

import concurrent.futures
import datetime
import uuid

from tests import services

ADMIN = {'X-User-Id': 'admin-user', 'X-Project-Id': 'admin-project',
         'X-Roles': 'admin'}


def identity(project, user='user-1', roles='member'):
    """Noauth identity headers of a (non-admin by default) caller."""
    return {'X-User-Id': user, 'X-Project-Id': project, 'X-Roles': roles}


class CascadingEnv(object):
    """Region servers plus one cascading server.

    :param mongodb_url: base URL of the test MongoDB-wire server.
    :param regions: region names (two or three in most tests).
    :param region_extra: {section: {option: value}} for every region.
    :param cascading_extra: {section: {option: value}} for the cascading
        server (merged over the defaults below).
    """

    def __init__(self, mongodb_url, regions=('regionOne', 'regionTwo'),
                 region_extra=None, cascading_extra=None):
        self.mongodb_url = mongodb_url
        self.region_names = list(regions)
        self.region_extra = region_extra or {}
        self.cascading_extra = cascading_extra or {}
        self.region_servers = {}
        self.cascading_server = None
        self.db_names = []
        self._stores = {}

    # -- life cycle ----------------------------------------------------------

    def start(self):
        for name in self.region_names:
            db = services.unique_db_name('region')
            self.db_names.append(db)
            self.region_servers[name] = services.ApiServer(
                services.db_url(self.mongodb_url, db),
                extra=self.region_extra)
        self.cascading_db = services.unique_db_name('cascading')
        self.db_names.append(self.cascading_db)
        self.cascading_server = services.ApiServer(
            services.db_url(self.mongodb_url, self.cascading_db),
            extra=self.cascading_config())
        servers = list(self.region_servers.values()) + [
            self.cascading_server]
        with concurrent.futures.ThreadPoolExecutor(len(servers)) as pool:
            for future in [pool.submit(s.start) for s in servers]:
                future.result()
        return self

    def cascading_config(self):
        regions = ','.join('%s:%s' % (name, self.region_servers[name].url)
                           for name in self.region_names)
        config = {'api': {'mode': 'cascading'},
                  'cascading': {'region_discovery': 'static',
                                'regions': regions,
                                'http_timeout': 10,
                                'region_backoff': 0}}
        for section, values in self.cascading_extra.items():
            config.setdefault(section, {}).update(values)
        return config

    def restart_cascading(self, **extra):
        """Restart the cascading server with extra {section: {opt: v}}."""
        self.cascading_server.stop()
        for section, values in extra.items():
            self.cascading_extra.setdefault(section, {}).update(values)
        self.cascading_server.extra = self.cascading_config()
        self.cascading_server.start()

    def stop_region(self, name):
        self.region_servers[name].stop()

    def start_region(self, name):
        self.region_servers[name].start()

    def cleanup(self):
        servers = list(self.region_servers.values())
        if self.cascading_server is not None:
            servers.append(self.cascading_server)
        for server in servers:
            server.cleanup()
        client = services.mongo_client(self.mongodb_url)
        try:
            for db in self.db_names:
                client.drop_database(db)
        finally:
            client.close()
        for store in self._stores.values():
            store.close()

    def reset(self):
        """Empty every collection of every database (regions, map, alarm
        table) so the next test starts from nothing."""
        client = services.mongo_client(self.mongodb_url)
        try:
            for db in self.db_names:
                for name in client[db].list_collection_names():
                    if not name.startswith('system.'):
                        client[db][name].delete_many({})
        finally:
            client.close()

    # -- clients -------------------------------------------------------------

    @property
    def url(self):
        return self.cascading_server.url

    def client(self, headers=None):
        """A client of the cascading API (admin unless headers say)."""
        return services.Client(self.url, headers=dict(headers or ADMIN))

    def region_client(self, name, headers=None):
        return services.Client(self.region_servers[name].url,
                               headers=dict(headers or ADMIN))

    def region_clients(self, headers=None):
        return {name: self.region_client(name, headers)
                for name in self.region_names}

    def region_db_url(self, name):
        return self.region_servers[name].db_url

    # -- data ----------------------------------------------------------------

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

    def store(self, region):
        """The local-mode storage driver of a region's database."""
        return self.store_for_url(self.region_db_url(region))

    def store_for_url(self, url):
        """The local-mode storage driver of a database (kept open until
        cleanup)."""
        if url not in self._stores:
            from oslo_config import cfg

            from ceilometer_proxy import storage

            conf = cfg.ConfigOpts()
            conf.register_opts(storage.OPTS, group='database')
            conf([], default_config_files=[])
            store = storage.get_connection_from_config(conf, url)
            store.upgrade()
            self._stores[url] = store
        return self._stores[url]

    def seed(self, region, messages):
        """Write metering messages (services.make_message) into a region's
        store directly: fast, with any timestamps."""
        self.store(region).record_metering_data_batch(messages)

    def post_samples(self, region, meter, samples, headers=None):
        """POST /v2/meters/<meter> to a region (its own API)."""
        return self.region_client(region, headers).post_json(
            '/v2/meters/' + meter, samples)


def at(minutes, base=datetime.datetime(2026, 1, 1)):
    """A timestamp ``minutes`` after a fixed base."""
    return base + datetime.timedelta(minutes=minutes)
