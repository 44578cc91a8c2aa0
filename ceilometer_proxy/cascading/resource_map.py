"""The resource map: cascading resource id -> region and cascaded id.

Other services (Nova, Cinder, Glance proxies) register every resource they
create in a region; the cascading API then knows where to send a question
about it. The map lives in a collection of its own
(``cascading_resource``), never in the samples' ``resource`` collection,
so it cannot collide with a collector writing into the same database.
Each row also records the driver of its region when it was registered
(``v2``, ``gnocchi``), which administrators see; routing asks the region
registry, so a region moved to another kind is followed at once.

TypeCatalog reads ``type2meters.json``: the resource types a registration
may name, their default source and the meters a resource of that type has
(what ``GET /v2/meters`` shows at the cascading level).
"""

import json
import threading
import time

from oslo_config import cfg
import pymongo

from ceilometer_proxy import cascading
from ceilometer_proxy.storage.mongo import utils as mongo_utils

COLLECTION = 'cascading_resource'
ROUTING_FIELDS = ('region', 'cascaded_resource_id')
ROW_FIELDS = ('resource_id', 'region', 'cascaded_resource_id', 'driver',
              'type',
              'project_id', 'user_id', 'source', 'metadata',
              'first_sample_timestamp', 'last_sample_timestamp')

INDEXES = [
    ('cascading_region_cascaded_idx',
     [('region', pymongo.ASCENDING),
      ('cascaded_resource_id', pymongo.ASCENDING)]),
    ('cascading_project_idx', [('project_id', pymongo.ASCENDING)]),
]


def _row(doc):
    row = {field: doc.get(field) for field in ROW_FIELDS}
    row['resource_id'] = doc['_id']
    row['metadata'] = mongo_utils.unquote_keys(doc.get('metadata') or {})
    return row


def _is_routable(doc):
    return all(doc.get(field) for field in ROUTING_FIELDS)


class ResourceMap(object):
    """The map on a MongoDB-wire server.

    :param conf: the service's ConfigOpts (``[cascading] map_connection``,
        default ``[database] connection``, and the [database] timeouts).
    :param url: overrides the configured URL (tests).
    """

    def __init__(self, conf, url=None):
        url = url or conf.cascading.map_connection or conf.database.connection
        self.client, self.db = mongo_utils.connect(
            conf, url, 'ceilometer-proxy-cascading')
        self.collection = self.db[COLLECTION]
        # Every routed question reads its row: a short-lived copy saves a
        # store round trip per request (see [cascading] resource_cache_ttl).
        self.cache_ttl = conf.cascading.resource_cache_ttl
        self._cache = {}
        self._cache_lock = threading.Lock()

    def _cached(self, resource_id):
        if not self.cache_ttl:
            return None
        with self._cache_lock:
            entry = self._cache.get(resource_id)
        if entry is None or entry[0] < time.monotonic():
            return None
        return dict(entry[1])

    def _remember(self, row):
        if not self.cache_ttl:
            return
        with self._cache_lock:
            if len(self._cache) > 10000:
                self._cache.clear()
            self._cache[row['resource_id']] = (
                time.monotonic() + self.cache_ttl, dict(row))

    def _forget(self, resource_id):
        with self._cache_lock:
            self._cache.pop(resource_id, None)

    def close(self):
        self.client.close()

    @mongo_utils.translate_errors
    def upgrade(self):
        """Create the indexes (the unique one on the id is ``_id``)."""
        for name, keys in INDEXES:
            self.collection.create_index(keys, name=name)

    @mongo_utils.translate_errors
    def upsert(self, row):
        """Insert or replace a row (last write wins); the first and last
        timestamps widen to cover every registration."""
        values = {field: row.get(field) for field in ROW_FIELDS
                  if field not in ('resource_id', 'first_sample_timestamp',
                                   'last_sample_timestamp')}
        values['metadata'] = mongo_utils.improve_keys(
            values.get('metadata') or {})
        update = {'$set': values}
        self._forget(row['resource_id'])
        first = row.get('first_sample_timestamp')
        last = row.get('last_sample_timestamp') or first
        if first:
            update['$min'] = {'first_sample_timestamp': first}
        if last:
            update['$max'] = {'last_sample_timestamp': last}
        self.collection.update_one({'_id': row['resource_id']}, update,
                                   upsert=True)

    @mongo_utils.translate_errors
    def delete(self, resource_id):
        """Remove a row; True if there was one."""
        self._forget(resource_id)
        return self.collection.delete_one(
            {'_id': resource_id}).deleted_count > 0

    @mongo_utils.translate_errors
    def get(self, resource_id):
        """The row of a cascading id, or None.

        A row that lost its routing (region or cascaded id emptied) is
        deleted here and reported as absent.
        """
        row = self._cached(resource_id)
        if row is not None:
            return row
        doc = self.collection.find_one({'_id': resource_id})
        if doc is None:
            return None
        if not _is_routable(doc):
            self.collection.delete_one({'_id': resource_id})
            return None
        row = _row(doc)
        self._remember(row)
        return row

    @mongo_utils.translate_errors
    def find_by_cascaded(self, region, cascaded_id):
        """The row of the resource a region knows as ``cascaded_id``."""
        doc = self.collection.find_one({'region': region,
                                        'cascaded_resource_id': cascaded_id})
        return _row(doc) if doc is not None and _is_routable(doc) else None

    @mongo_utils.translate_errors
    def list(self, project=None, region=None, user=None, source=None,
             resource=None, resource_type=None, metaquery=None, limit=None):
        """Routable rows matching every given filter, by resource id.

        :param metaquery: {'metadata.<key>': value} on the shown metadata.
        """
        query = mongo_utils.make_metaquery(metaquery or {})
        for field, value in (('project_id', project), ('region', region),
                             ('user_id', user), ('source', source),
                             ('_id', resource), ('type', resource_type)):
            if value is not None:
                query[field] = value
        cursor = self.collection.find(query).sort('_id', pymongo.ASCENDING)
        rows = []
        for doc in cursor:
            if not _is_routable(doc):
                continue
            rows.append(_row(doc))
            if limit and len(rows) >= limit:
                break
        return rows

    @mongo_utils.translate_errors
    def clear(self):
        """Delete every row (tests)."""
        self.collection.delete_many({})


class TypeCatalog(object):
    """Resource types and their meters (``[cascading] type2meters_file``).

    The file maps a type to ``{"source": ..., "meters": [{"name", "unit",
    "type"}, ...]}``.
    """

    def __init__(self, conf=None, types=None):
        if types is None:
            path = cascading.find_data_file(conf,
                                            conf.cascading.type2meters_file)
            with open(path) as f:
                types = json.load(f)
            if not isinstance(types, dict):
                raise cfg.Error('%s must hold a JSON object' % path)
        self._types = types

    def names(self):
        return sorted(self._types)

    def __contains__(self, resource_type):
        return resource_type in self._types

    def source(self, resource_type):
        return self._types.get(resource_type, {}).get('source')

    def meters(self, resource_type):
        """[{'name', 'unit', 'type'}] of a resource type ([] if unknown)."""
        return list(self._types.get(resource_type, {}).get('meters', []))
