"""storage/mongo/utils.py: key quoting, sample filters, complex queries."""

import copy
import datetime

import mongomock
import pymongo
import pytest

from ceilometer_proxy import storage
from ceilometer_proxy.storage.mongo import utils

T1 = datetime.datetime(2013, 4, 5, 6, 7, 8)
T2 = datetime.datetime(2013, 4, 5, 9, 0, 0)


# -- improve_keys / unquote_keys ---------------------------------------------

@pytest.mark.parametrize('data,expected', [
    ({}, {}),
    ({'plain': 1}, {'plain': 1}),
    ({'a.b': 'v'}, {'a': {'b': 'v'}}),
    ({'a.b.c': 'v'}, {'a': {'b': {'c': 'v'}}}),
    ({'$ab': 'v'}, {'%24ab': 'v'}),
    ({'a.$b': 1}, {'a': {'%24b': 1}}),
    ({'$a.b$': 1}, {'%24a': {'b$': 1}}),
    ({'x': {'y.z': 1, '$w': 2}}, {'x': {'y': {'z': 1}, '%24w': 2}}),
    ({'a.b': 1, 'a.c': 2}, {'a': {'b': 1, 'c': 2}}),
    ({'a': {'x': 1}, 'a.y': 2}, {'a': {'x': 1, 'y': 2}}),
    ({'dict_properties': {'key.$1': {'$key': 'val'}}},
     {'dict_properties': {'key': {'%241': {'%24key': 'val'}}}}),
    ({'list': [1, 'two'], 'none': None}, {'list': [1, 'two'],
                                          'none': None}),
])
def test_improve_keys(data, expected):
    before = copy.deepcopy(data)
    assert utils.improve_keys(data) == expected
    assert data == before


@pytest.mark.parametrize('value', [None, 'text', 3, ['a.b']])
def test_improve_keys_passes_non_dicts_through(value):
    assert utils.improve_keys(value) == value


@pytest.mark.parametrize('data,expected', [
    ({}, {}),
    ({'%24ab': 1}, {'$ab': 1}),
    ({'n': {'%24c': {'%24d': 2}}, 'k': 'v'}, {'n': {'$c': {'$d': 2}},
                                              'k': 'v'}),
    ({'a%24': 1, 'b%20c': 2}, {'a%24': 1, 'b%20c': 2}),
    ({'l': [{'%24x': 1}]}, {'l': [{'%24x': 1}]}),
])
def test_unquote_keys(data, expected):
    before = copy.deepcopy(data)
    assert utils.unquote_keys(data) == expected
    assert data == before


@pytest.mark.parametrize('value', [None, 'text', 3, [1]])
def test_unquote_keys_passes_non_dicts_through(value):
    assert utils.unquote_keys(value) == value


def test_dollar_keys_round_trip():
    original = {'$a': {'$b': 1, 'c': {'$d': 'e'}}, 'f': 2}
    assert utils.unquote_keys(utils.improve_keys(original)) == original


# -- quoting of query fields -------------------------------------------------

def test_quote_key_and_metaquery_fields():
    assert utils.quote_key('$where') == '%24where'
    assert utils.quote_key('plain$') == 'plain$'
    assert utils.quote_metaquery_field('metadata.a.$b.c') == (
        'metadata.a.%24b.c')
    assert utils.quote_metaquery_field('metadata.tag') == 'metadata.tag'


def test_make_metaquery():
    assert utils.make_metaquery(None) == {}
    assert utils.make_metaquery({}) == {}
    assert utils.make_metaquery({'metadata.a': 1,
                                 'metadata.$b.c': 'x'}) == {
        'metadata.a': 1, 'metadata.%24b.c': 'x'}
    assert utils.make_metaquery({'metadata.a': 1}, prefix='resource_') == {
        'resource_metadata.a': 1}


# -- make_timestamp_range / make_query_from_filter ---------------------------

@pytest.mark.parametrize('start,end,start_op,end_op,expected', [
    (None, None, None, None, {}),
    (T1, None, None, None, {'$gte': T1}),
    (T1, None, 'ge', None, {'$gte': T1}),
    (T1, None, 'gt', None, {'$gt': T1}),
    (None, T2, None, None, {'$lt': T2}),
    (None, T2, None, 'lt', {'$lt': T2}),
    (None, T2, None, 'le', {'$lte': T2}),
    (T1, T2, 'gt', 'le', {'$gt': T1, '$lte': T2}),
])
def test_make_timestamp_range(start, end, start_op, end_op, expected):
    assert utils.make_timestamp_range(start, end, start_op,
                                      end_op) == expected


def test_query_from_an_empty_filter():
    f = storage.SampleFilter()
    assert utils.make_query_from_filter(f, require_meter=False) == {}


def test_query_from_filter_requires_a_meter_when_asked():
    with pytest.raises(storage.InvalidQuery):
        utils.make_query_from_filter(storage.SampleFilter(user='u'))
    got = utils.make_query_from_filter(storage.SampleFilter(meter='cpu'))
    assert got == {'counter_name': 'cpu'}


def test_query_from_a_full_filter():
    f = storage.SampleFilter(
        user='u-1', project='p-1', resource='r-1', meter='cpu',
        source='openstack', message_id='m-1',
        start_timestamp=T1, start_timestamp_op='gt',
        end_timestamp=T2, end_timestamp_op='le',
        metaquery={'metadata.tag': 'web', 'metadata.size': 3})
    assert utils.make_query_from_filter(f) == {
        'user_id': 'u-1',
        'project_id': 'p-1',
        'resource_id': 'r-1',
        'counter_name': 'cpu',
        'source': 'openstack',
        'message_id': 'm-1',
        'timestamp': {'$gt': T1, '$lte': T2},
        'resource_metadata.tag': 'web',
        'resource_metadata.size': 3,
    }


def test_query_from_filter_default_timestamp_operators():
    f = storage.SampleFilter(start_timestamp=T1, end_timestamp=T2)
    assert utils.make_query_from_filter(f, require_meter=False) == {
        'timestamp': {'$gte': T1, '$lt': T2}}


def test_query_from_filter_quotes_dollar_metadata_parts():
    f = storage.SampleFilter(
        metaquery={'metadata.properties.prop.3.$sub_prop.2': 'v'})
    assert utils.make_query_from_filter(f, require_meter=False) == {
        'resource_metadata.properties.prop.3.%24sub_prop.2': 'v'}


# -- QueryTransformer ---------------------------------------------------------

@pytest.fixture
def tf():
    return utils.QueryTransformer()


@pytest.mark.parametrize('op,mongo_op', [
    ('<', '$lt'), ('>', '$gt'), ('<=', '$lte'), ('=<', '$lte'),
    ('>=', '$gte'), ('=>', '$gte'), ('!=', '$ne'), ('=~', '$regex'),
])
def test_simple_operators(tf, op, mongo_op):
    assert tf.transform_filter({op: {'counter_volume': 5}}) == {
        'counter_volume': {mongo_op: 5}}


def test_equality_and_in(tf):
    assert tf.transform_filter({'=': {'project_id': 'p'}}) == {
        'project_id': 'p'}
    assert tf.transform_filter({'in': {'resource_id': ['a', 'b']}}) == {
        'resource_id': {'$in': ['a', 'b']}}


def test_and_or(tf):
    expr = {'and': [{'=': {'a': 1}},
                    {'or': [{'<': {'b': 2}}, {'>': {'c': 3}}]}]}
    assert tf.transform_filter(expr) == {
        '$and': [{'a': 1}, {'$or': [{'b': {'$lt': 2}},
                                    {'c': {'$gt': 3}}]}]}


@pytest.mark.parametrize('leaf,expected', [
    ({'=': {'a': 1}}, {'a': {'$ne': 1}}),
    ({'!=': {'a': 1}}, {'a': 1}),
    ({'<': {'a': 1}}, {'a': {'$not': {'$lt': 1}}}),
    ({'>=': {'a': 1}}, {'a': {'$not': {'$gte': 1}}}),
    ({'=<': {'a': 1}}, {'a': {'$not': {'$lte': 1}}}),
    ({'in': {'a': [1, 2]}}, {'a': {'$not': {'$in': [1, 2]}}}),
    ({'=~': {'a': '^x'}}, {'a': {'$not': {'$regex': '^x'}}}),
])
def test_negated_leaves(tf, leaf, expected):
    assert tf.transform_filter({'not': leaf}) == expected


def test_negated_and_becomes_or_of_negations(tf):
    expr = {'not': {'and': [{'=': {'a': 1}}, {'<': {'b': 2}}]}}
    assert tf.transform_filter(expr) == {
        '$or': [{'a': {'$ne': 1}}, {'b': {'$not': {'$lt': 2}}}]}


def test_negated_or_becomes_and_of_negations(tf):
    expr = {'not': {'or': [{'!=': {'a': 1}}, {'>': {'b': 2}}]}}
    assert tf.transform_filter(expr) == {
        '$and': [{'a': 1}, {'b': {'$not': {'$gt': 2}}}]}


def test_negation_through_nested_trees(tf):
    expr = {'not': {'or': [{'=': {'a': 1}},
                           {'and': [{'=': {'b': 2}},
                                    {'not': {'=': {'c': 3}}}]}]}}
    assert tf.transform_filter(expr) == {
        '$and': [{'a': {'$ne': 1}},
                 {'$or': [{'b': {'$ne': 2}}, {'c': 3}]}]}


def test_double_negation_cancels(tf):
    assert tf.transform_filter({'not': {'not': {'=': {'a': 1}}}}) == {
        'a': 1}
    expr = {'not': {'not': {'and': [{'=': {'a': 1}}, {'>': {'b': 2}}]}}}
    assert tf.transform_filter(expr) == {
        '$and': [{'a': 1}, {'b': {'$gt': 2}}]}
    triple = {'not': {'not': {'not': {'<': {'a': 1}}}}}
    assert tf.transform_filter(triple) == {'a': {'$not': {'$lt': 1}}}


def test_transform_orderby(tf):
    got = tf.transform_orderby([{'timestamp': 'desc'},
                                {'counter_volume': 'asc'}])
    assert got == [('timestamp', pymongo.DESCENDING),
                   ('counter_volume', pymongo.ASCENDING)]
    assert tf.transform_orderby([]) == []


# -- the transformed filters select what the expressions mean ----------------

DOCS = [
    {'_id': 1, 'v': 1, 'r': 'dev-1', 'm': {'x': 0.1}},
    {'_id': 2, 'v': 2, 'r': 'dev-2', 'm': {'x': 0.7}},
    {'_id': 3, 'v': 3, 'r': 'dev-3', 'm': {}},
    {'_id': 4, 'v': 4, 'r': 'dev-1', 'm': {'x': 0.9}},
]


@pytest.fixture
def coll():
    collection = mongomock.MongoClient().db.samples
    collection.insert_many(copy.deepcopy(DOCS))
    return collection


@pytest.mark.parametrize('expr,expected', [
    ({'>': {'v': 2}}, [3, 4]),
    ({'not': {'>': {'v': 2}}}, [1, 2]),
    ({'not': {'and': [{'=': {'r': 'dev-1'}}, {'>': {'v': 1}}]}},
     [1, 2, 3]),
    ({'not': {'or': [{'=': {'r': 'dev-1'}}, {'<': {'v': 3}}]}}, [3]),
    ({'not': {'not': {'in': {'r': ['dev-2', 'dev-3']}}}}, [2, 3]),
    ({'not': {'>=': {'m.x': 0.5}}}, [1, 3]),
    ({'and': [{'=~': {'r': '^dev-[12]$'}},
              {'not': {'=': {'v': 4}}}]}, [1, 2]),
    ({'or': [{'not': {'!=': {'v': 3}}},
             {'and': [{'<=': {'v': 2}}, {'>': {'m.x': 0.5}}]}]}, [2, 3]),
])
def test_transformed_filters_select_the_right_documents(tf, coll, expr,
                                                        expected):
    found = coll.find(tf.transform_filter(copy.deepcopy(expr)))
    assert sorted(d['_id'] for d in found) == expected


# -- translate_errors ---------------------------------------------------------

def test_unreachable_store_becomes_storage_unavailable():
    @utils.translate_errors
    def call():
        raise pymongo.errors.ServerSelectionTimeoutError('no servers')

    with pytest.raises(storage.StorageUnavailable) as info:
        call()
    assert 'no servers' in str(info.value)
    assert info.value.code == 503


def test_generator_errors_are_translated_too():
    @utils.translate_errors
    def gen():
        yield 1
        raise pymongo.errors.AutoReconnect('lost')

    it = gen()
    assert next(it) == 1
    with pytest.raises(storage.StorageUnavailable):
        next(it)


def test_refused_commands_become_storage_errors():
    @utils.translate_errors
    def call():
        raise pymongo.errors.OperationFailure('bad query')

    with pytest.raises(storage.StorageError) as caught:
        call()
    assert not isinstance(caught.value, storage.StorageUnavailable)
    assert 'bad query' in str(caught.value)


def test_refused_reads_are_client_errors():
    @utils.reads
    def call():
        raise pymongo.errors.OperationFailure(
            'x', code=2, details={'errmsg': 'bad $regex'})

    with pytest.raises(storage.InvalidQuery) as caught:
        call()
    assert caught.value.code == 400
    assert 'bad $regex' in str(caught.value)


def test_other_errors_pass_through():
    @utils.translate_errors
    def call():
        raise KeyError('not a store error')

    with pytest.raises(KeyError):
        call()
