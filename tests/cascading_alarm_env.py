"""Regions and a cascading API for the alarm tests and benchmark.

Each region is a local-mode ApiServer on its own database, reached through
a RegionProxy (which counts the calls and can hold or fail them); the
cascading ApiServer lists the proxies as its static regions. The
availability zone ``az-<region>`` maps to each region.
"""

import contextlib
import json
import os

from tests import region_proxy
from tests import services

ADMIN = {'X-User-Id': 'admin-user', 'X-Project-Id': 'admin-proj',
         'X-Roles': 'admin'}


def tenant(project, user=None):
    return {'X-User-Id': user or 'user-of-' + project,
            'X-Project-Id': project, 'X-Roles': 'member'}


class Env(object):
    """What the context manager gives: ``regions`` {name: ApiServer},
    ``proxies`` {name: RegionProxy}, ``cascading`` (ApiServer) and
    ``db_names`` of every database it made."""

    def __init__(self, mongodb_url):
        self.mongodb_url = mongodb_url
        self.regions = {}
        self.proxies = {}
        self.cascading = None
        self.db_names = []

    def new_db(self, prefix):
        name = services.unique_db_name(prefix)
        self.db_names.append(name)
        return services.db_url(self.mongodb_url, name)

    def client(self, headers=None, region=None):
        """An HTTP client of the cascading API (or of a region, direct)."""
        server = self.regions[region] if region else self.cascading
        return services.Client(server.url, headers=dict(headers or ADMIN))

    def cascading_config(self, db_url, extra=None):
        az_path = os.path.join(self.cascading_dir, 'az2region.json')
        with open(az_path, 'w') as f:
            json.dump({'az-' + name: name for name in self.regions}, f)
        sections = {
            'api': {'mode': 'cascading'},
            'database': {'connection': db_url},
            'cascading': {
                'region_discovery': 'static',
                'regions': ','.join('%s:%s' % (name, proxy.url)
                                    for name, proxy in
                                    sorted(self.proxies.items())),
                'az2region_file': az_path, 'region_backoff': 0,
                'http_timeout': 20, 'reconcile_interval': 0},
        }
        for section, values in (extra or {}).items():
            sections.setdefault(section, {}).update(values)
        return sections

    def start_cascading(self, extra=None):
        """A cascading ApiServer in front of the proxies (its own DB)."""
        db_url = self.new_db('casc')
        server = services.ApiServer(db_url)
        self.cascading_dir = server.dir
        server.extra = self.cascading_config(db_url, extra)
        return server.start()

    def register(self, resource_id, region, cascaded_id, project='p1',
                 user='u1'):
        """Put a resource into the map, as a Nova proxy would."""
        resp = self.client().post('/v2/meters/instance', [{
            'counter_name': 'instance', 'counter_type': 'gauge',
            'counter_unit': 'instance', 'counter_volume': 1,
            'resource_id': resource_id, 'project_id': project,
            'user_id': user,
            'resource_metadata': {'region': region,
                                  'cascaded_resource_id': cascaded_id,
                                  'type': 'nova.instance'}}])
        assert resp.status_code < 300, resp.text

    def cleanup(self):
        for server in [self.cascading] + list(self.regions.values()):
            if server is not None:
                server.cleanup()
        for proxy in self.proxies.values():
            proxy.stop()
        client = services.mongo_client(self.mongodb_url)
        try:
            for name in self.db_names:
                client.drop_database(name)
        finally:
            client.close()


@contextlib.contextmanager
def cascading_env(mongodb_url, names=('r1', 'r2'), extra=None,
                  start=True):
    """Regions ``names`` and, when ``start``, a cascading API in front."""
    env = Env(mongodb_url)
    try:
        for name in names:
            region = services.ApiServer(env.new_db('region_' + name))
            env.regions[name] = region.start()
            env.proxies[name] = region_proxy.RegionProxy(region.url).start()
        if start:
            env.cascading = env.start_cascading(extra)
        yield env
    finally:
        env.cleanup()
