"""Helpers the MongoDB drivers share: key quoting, query building, error
translation and the unordered insert that skips known ids.

All but ``connect`` and ``insert_new`` are pure, so they are unit-tested
directly.
"""

import contextlib
import functools
import inspect
from urllib import parse

import pymongo
import pymongo.errors

from ceilometer_proxy import storage

DUPLICATE_KEY = 11000


def quote_key(key):
    """A metadata key part MongoDB can store ('$x' is escaped as '%24x')."""
    return parse.quote(key) if key.startswith('$') else key


def improve_keys(data):
    """Make resource metadata storable, as Ceilometer's driver did.

    Dotted keys become nested documents ({'a.b': 1} -> {'a': {'b': 1}}), so
    they read back flattened as ``a.b`` and match metadata queries, and keys
    starting with '$' are percent-quoted. Returns a new dict.
    """
    if not isinstance(data, dict):
        return data
    result = {}
    for key, value in data.items():
        value = improve_keys(value)
        parts = [quote_key(p) for p in str(key).split('.')]
        node = result
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        last = parts[-1]
        if isinstance(value, dict) and isinstance(node.get(last), dict):
            node[last].update(value)
        else:
            node[last] = value
    return result


def unquote_keys(data):
    """Undo the '$' quoting of improve_keys on a stored document."""
    if not isinstance(data, dict):
        return data
    return {(parse.unquote(k) if k.startswith('%24') else k):
            unquote_keys(v) for k, v in data.items()}


def quote_metaquery_field(field):
    """'metadata.a.$b' -> 'metadata.a.%24b' (dots stay path separators)."""
    return '.'.join(quote_key(p) for p in field.split('.'))


def make_timestamp_range(start, end, start_op=None, end_op=None):
    """A timestamp condition: >= start (or > with 'gt'), < end (<= 'le')."""
    ts_range = {}
    if start:
        ts_range['$gt' if start_op == 'gt' else '$gte'] = start
    if end:
        ts_range['$lte' if end_op == 'le' else '$lt'] = end
    return ts_range


def make_query_from_filter(sample_filter, require_meter=True):
    """The MongoDB filter document for a storage.SampleFilter."""
    q = {}
    if sample_filter.user:
        q['user_id'] = sample_filter.user
    if sample_filter.project:
        q['project_id'] = sample_filter.project
    if sample_filter.meter:
        q['counter_name'] = sample_filter.meter
    elif require_meter:
        raise storage.InvalidQuery('Missing required meter specifier')
    ts_range = make_timestamp_range(sample_filter.start_timestamp,
                                    sample_filter.end_timestamp,
                                    sample_filter.start_timestamp_op,
                                    sample_filter.end_timestamp_op)
    if ts_range:
        q['timestamp'] = ts_range
    if sample_filter.resource:
        q['resource_id'] = sample_filter.resource
    if sample_filter.source:
        q['source'] = sample_filter.source
    if sample_filter.message_id:
        q['message_id'] = sample_filter.message_id
    for field, value in (sample_filter.metaquery or {}).items():
        q['resource_' + quote_metaquery_field(field)] = value
    return q


def connect(conf, url, appname):
    """(client, database) for a mongodb:// URL with the [database] timeouts.

    Every driver uses it, so that an unreachable store fails within
    ``server_timeout`` and a silent one within ``socket_timeout``.
    """
    timeout_ms = int(conf.database.server_timeout * 1000)
    client = pymongo.MongoClient(
        url, tz_aware=False, serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        socketTimeoutMS=int(conf.database.socket_timeout * 1000),
        appname=appname)
    return client, client.get_default_database('ceilometer')


_RANGE_CHECKS = {'$gt': lambda a, b: a > b, '$gte': lambda a, b: a >= b,
                 '$lt': lambda a, b: a < b, '$lte': lambda a, b: a <= b}


def matches(doc, query):
    """Whether a document satisfies a query of make_query_from_filter's
    forms (equalities on dotted paths, timestamp ranges), checked in
    Python."""
    for path, wanted in query.items():
        value = doc
        for part in path.split('.'):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(wanted, dict):
            for op, bound in wanted.items():
                try:
                    if value is None or not _RANGE_CHECKS[op](value, bound):
                        return False
                except TypeError:
                    return False
        elif value != wanted:
            return False
    return True


def make_metaquery(metaquery, prefix=''):
    """Resource-collection form of {'metadata.x': v} constraints."""
    return {prefix + quote_metaquery_field(k): v
            for k, v in (metaquery or {}).items()}


class QueryTransformer(object):
    """Turn a validated complex-query expression into a MongoDB filter."""

    OPERATORS = {'<': '$lt', '>': '$gt', '<=': '$lte', '=<': '$lte',
                 '>=': '$gte', '=>': '$gte', '!=': '$ne', 'in': '$in',
                 '=~': '$regex'}
    COMPLEX = {'or': '$or', 'and': '$and'}
    ORDERING = {'asc': pymongo.ASCENDING, 'desc': pymongo.DESCENDING}

    def transform_orderby(self, orderby):
        return [(list(item)[0], self.ORDERING[list(item.values())[0]])
                for item in orderby]

    def transform_filter(self, condition):
        return self._process(self._push_negations(condition, negate=False))

    def _push_negations(self, tree, negate):
        """Move every 'not' to the leaves (De Morgan), as MongoDB's $not
        only applies to a single field's condition."""
        op = list(tree)[0]
        if op == 'not':
            return self._push_negations(tree[op], not negate)
        if op in self.COMPLEX:
            new_op = op
            if negate:
                new_op = 'or' if op == 'and' else 'and'
            return {new_op: [self._push_negations(child, negate)
                             for child in tree[op]]}
        return {'not': tree} if negate else tree

    def _process(self, tree):
        op = list(tree)[0]
        if op in self.COMPLEX:
            return {self.COMPLEX[op]: [self._process(c) for c in tree[op]]}
        if op == 'not':
            leaf_op = list(tree[op])[0]
            field, value = list(tree[op][leaf_op].items())[0]
            if leaf_op == '=':
                return {field: {'$ne': value}}
            if leaf_op == '!=':
                return {field: value}
            return {field: {'$not': {self.OPERATORS[leaf_op]: value}}}
        field, value = list(tree[op].items())[0]
        if op == '=':
            return {field: value}
        return {field: {self.OPERATORS[op]: value}}


@contextlib.contextmanager
def unique(index_name, refusal):
    """Raise ``refusal()`` for a write the unique index ``index_name``
    refuses. MongoDB answers DuplicateKeyError (11000); FerretDB's SQLite
    backend answers an update that breaks a unique index with its own
    message."""
    try:
        yield
    except pymongo.errors.OperationFailure as err:
        if isinstance(err, pymongo.errors.DuplicateKeyError) or (
                'UNIQUE constraint failed' in str(err)
                and index_name in str(err)):
            raise refusal() from err
        raise


UNAVAILABLE_ERRORS = (pymongo.errors.AutoReconnect,
                      pymongo.errors.ConnectionFailure,
                      pymongo.errors.ServerSelectionTimeoutError,
                      pymongo.errors.NetworkTimeout)


def _translated(err, refusal):
    if isinstance(err, UNAVAILABLE_ERRORS):
        return storage.StorageUnavailable(
            'The metering store is unavailable: %s' % err)
    details = getattr(err, 'details', None) or {}
    return refusal('The metering store refused the request: %s'
                   % details.get('errmsg', err))


def translate_errors(func=None, refusal=storage.StorageError):
    """Translate pymongo errors into storage errors.

    An unreachable server becomes StorageUnavailable (503); a command the
    server refuses becomes ``refusal`` (InvalidQuery, 400, for reads whose
    query came from the client). Generators are wrapped too, since results
    are streamed after the first call returns.
    """
    if func is None:
        return functools.partial(translate_errors, refusal=refusal)
    caught = UNAVAILABLE_ERRORS + (pymongo.errors.OperationFailure,)

    if inspect.isgeneratorfunction(func):
        @functools.wraps(func)
        def gen_wrapper(*args, **kwargs):
            try:
                yield from func(*args, **kwargs)
            except caught as err:
                raise _translated(err, refusal) from err
        return gen_wrapper

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except caught as err:
            raise _translated(err, refusal) from err
    return wrapper


reads = translate_errors(refusal=storage.InvalidQuery)
writes = translate_errors(refusal=storage.InvalidData)


def insert_new(collection, docs, refused=None):
    """Insert unordered; return the documents whose _id was new.

    Documents the server refuses for another reason go to ``refused`` (a
    list) when given; otherwise the first refusal raises InvalidData.
    """
    if not docs:
        return []
    try:
        collection.insert_many(docs, ordered=False)
        return docs
    except pymongo.errors.BulkWriteError as err:
        errors = err.details.get('writeErrors', [])
        others = [e for e in errors if e.get('code') != DUPLICATE_KEY]
        if others and refused is None:
            raise storage.InvalidData(others[0].get('errmsg'))
        if others:
            refused.extend((docs[e['index']], e.get('errmsg'))
                           for e in others)
        failed = {e.get('index') for e in errors}
        return [d for i, d in enumerate(docs) if i not in failed]


def ensure_collections(db, names):
    """Create those of the collections that are missing; another process
    creating one meanwhile is fine."""
    existing = set(db.list_collection_names())
    for name in names:
        if name not in existing:
            try:
                db.create_collection(name)
            except pymongo.errors.CollectionInvalid:
                pass


class ServerConnection(object):
    """What every driver on one MongoDB-wire database (``self.client``,
    ``self.db``) says of its server."""

    _ferretdb = None

    def close(self):
        self.client.close()

    @translate_errors
    def ping(self):
        self.db.command('ping')

    @translate_errors
    def is_ferretdb(self):
        """Whether the server is FerretDB, which serves no filter but one
        on ``_id`` from an index (asked once)."""
        if self._ferretdb is None:
            self._ferretdb = 'ferretdbVersion' in self.client.admin.command(
                'buildInfo')
        return self._ferretdb
