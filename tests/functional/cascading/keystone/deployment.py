"""Region servers and cascading servers for the Keystone tests.

Every server is a real ceilometer-proxy-api process on its own database of
the session's MongoDB-wire server. The cascading servers find the regions
in the Keystone catalog (``region_discovery = keystone``) and read it with
the ``[service_credentials]`` account of the test Keystone.
"""

import concurrent.futures

from tests import services


class Deployment(object):
    """Named region servers plus the cascading servers of a test module.

    :param mongodb_url: base URL of the session's MongoDB-wire server.
    :param keystone: the started tests.keystone.Keystone.
    :param names: names of the region servers.
    :param auth_mode: ``noauth`` or ``keystone`` for every server.
    :param region_extra: {section: {option: value}} of the region servers.
    """

    def __init__(self, mongodb_url, keystone, names, auth_mode='noauth',
                 region_extra=None):
        self.mongodb_url = mongodb_url
        self.keystone = keystone
        self.auth_mode = auth_mode
        self.db_names = []
        self.servers = {}
        self.cascading = []
        self._stores = {}
        for name in names:
            self.servers[name] = self._server(dict(region_extra or {}))

    def _server(self, extra):
        name = services.unique_db_name('keystone_test')
        self.db_names.append(name)
        if self.auth_mode == 'keystone':
            extra.setdefault('keystone_authtoken',
                             self.keystone.authtoken_section())
        return services.ApiServer(services.db_url(self.mongodb_url, name),
                                  extra=extra, auth_mode=self.auth_mode)

    def start(self):
        self._start_all(self.servers.values())
        return self

    @staticmethod
    def _start_all(servers):
        servers = list(servers)
        with concurrent.futures.ThreadPoolExecutor(len(servers)) as pool:
            for future in [pool.submit(s.start) for s in servers]:
                future.result()

    def cascading_server(self, credentials=None, **cascading_opts):
        """A new (not started) cascading server; cleaned up with the rest.

        :param credentials: [service_credentials] options over the test
            Keystone's service account.
        :param cascading_opts: [cascading] options over the defaults.
        """
        opts = {'region_discovery': 'keystone', 'http_timeout': 10,
                'region_backoff': 0}
        opts.update(cascading_opts)
        server = self._server({
            'api': {'mode': 'cascading'},
            'cascading': opts,
            'service_credentials': dict(
                self.keystone.service_credentials_section(),
                **(credentials or {}))})
        self.cascading.append(server)
        return server

    def stop_cascading(self):
        """Stop and remove the cascading servers made so far."""
        for server in self.cascading:
            server.cleanup()
        self.cascading = []

    def url(self, name):
        return self.servers[name].url

    def ensure_running(self):
        """Start again the region servers a test stopped."""
        stopped = [s for s in self.servers.values() if s.proc is None]
        if stopped:
            self._start_all(stopped)

    def store(self, name):
        """The storage driver of a region server's database."""
        if name not in self._stores:
            from ceilometer_proxy import service
            from ceilometer_proxy import storage

            conf = service.prepare_service([], config_files=[])
            store = storage.get_connection_from_config(
                conf, self.servers[name].db_url)
            store.upgrade()
            self._stores[name] = store
        return self._stores[name]

    def seed(self, name, messages):
        """Write samples (services.make_message) into a region's store."""
        store = self.store(name)
        store.meter.delete_many({})
        store.resource.delete_many({})
        store.summaries.summaries.delete_many({})
        store.record_metering_data_batch(messages)

    def cleanup(self):
        for store in self._stores.values():
            store.close()
        for server in list(self.servers.values()) + self.cascading:
            server.cleanup()
        client = services.mongo_client(self.mongodb_url)
        try:
            for name in self.db_names:
                client.drop_database(name)
        finally:
            client.close()
