"""Discoveries of the ``ceilometer.discover.central`` namespace.

``kwapi`` lists the Kwapi APIs to poll: the static ``[kwapi] endpoints``
when set, else the catalog entries of service type ``[service_types]
kwapi`` in the agent's region (every region with ``[kwapi] all_regions``).
``watcher`` returns the receiver's endpoint as the one resource of the
``watcher`` pollster, since Ceilometer skips a pollster with nothing to
poll. Imported by the ceilometer-polling agent only.
"""

from ceilometer import keystone_client
from ceilometer.polling import plugin_base

from ceilometer_proxy.pollsters import catalog
from ceilometer_proxy.pollsters import options


class KwapiDiscovery(plugin_base.DiscoveryBase):
    """Kwapi API endpoints, static or from the Keystone catalog."""

    def __init__(self, conf):
        super(KwapiDiscovery, self).__init__(options.register_opts(conf))

    def discover(self, manager, param=None):
        if self.conf.kwapi.endpoints:
            return catalog.parse_static(self.conf.kwapi.endpoints)
        credentials = self.conf.service_credentials
        region = None if self.conf.kwapi.all_regions else \
            credentials.region_name
        return catalog.from_catalog(
            keystone_client.get_service_catalog(manager.keystone),
            service_type=self.conf.service_types.kwapi,
            interface=credentials.interface,
            region_name=region)


class WatcherDiscovery(plugin_base.DiscoveryBase):
    """The watcher receiver's endpoint: one resource, so it is drained."""

    def __init__(self, conf):
        super(WatcherDiscovery, self).__init__(options.register_opts(conf))

    @property
    def group_id(self):
        # Every agent drains its own receiver: no partitioning.
        return None

    def discover(self, manager, param=None):
        return [self.conf.watcher.listen_endpoint]
