"""Version document, capabilities, error bodies, limits and odd input."""

from xml.etree import ElementTree

import pytest

from tests import services

XML_FIRST = ('application/xml,*/*',
             'application/json;q=0.8,application/xml')
JSON_FIRST = (None, 'application/json', 'application/json,application/xml',
              'application/xml;q=0.8, application/json', 'text/html,*/*')


def seed(store):
    msgs = []
    for i, rid in enumerate(('res-a', 'res-b', 'res-c')):
        for j in range(2):
            msgs.append(services.make_message(
                'volume.size', 10 * i + j, rid,
                '2012-09-25T10:%02d:00' % (i * 10 + j),
                counter_unit='GiB', project_id='proj-%d' % i,
                user_id='user-%d' % i, resource_metadata={'idx': i},
                message_id='m-%d-%d' % (i, j)))
    store.record_metering_data_batch(msgs)


def xml_fault(resp):
    root = ElementTree.fromstring(resp.content)
    assert root.tag == 'error_message'
    assert [child.tag for child in root] == ['error']
    return {child.tag: child.text for child in root.find('error')}


# -- GET / and /v2/capabilities ---------------------------------------------

def test_versions_document(api):
    doc = api.get_json('/')
    assert list(doc) == ['versions']
    values = doc['versions']['values']
    assert len(values) == 1
    v2 = values[0]
    assert v2['id'] == 'v2'
    assert v2['status'] == 'stable'
    assert v2['updated'] == '2013-02-13T00:00:00Z'
    assert v2['media-types'] == [
        {'base': 'application/json',
         'type': 'application/vnd.openstack.telemetry-v2+json'},
        {'base': 'application/xml',
         'type': 'application/vnd.openstack.telemetry-v2+xml'}]
    assert v2['links'][0] == {'href': api.base_url + '/v2', 'rel': 'self'}
    described = v2['links'][1]
    assert described['rel'] == 'describedby'
    assert described['type'] == 'text/html'
    assert '//docs.openstack.org/' in described['href']
    assert len(v2['links']) == 2


def test_capabilities_of_the_metering_store(api):
    caps = api.get_json('/v2/capabilities')
    assert set(caps) == {'api', 'storage', 'alarm_storage',
                         'event_storage'}
    metering = {k: v for k, v in caps['api'].items()
                if k.split(':')[0] in ('meters', 'resources', 'samples',
                                       'statistics')}
    selectable = {'statistics:aggregation:selectable:%s' % name: True
                  for name in ('avg', 'cardinality', 'count', 'max', 'min',
                               'stddev', 'sum')}
    assert metering == dict(selectable, **{
        'meters:query:simple': True,
        'meters:query:metadata': True,
        'meters:query:complex': False,
        'resources:query:simple': True,
        'resources:query:metadata': True,
        'resources:query:complex': False,
        'samples:query:simple': True,
        'samples:query:metadata': True,
        'samples:query:complex': True,
        'statistics:groupby': True,
        'statistics:query:simple': True,
        'statistics:query:metadata': True,
        'statistics:query:complex': False,
        'statistics:aggregation:standard': True,
    })
    assert caps['storage'] == {'storage:production_ready': True}


def test_capabilities_name_alarm_and_event_features(api):
    caps = api.get_json('/v2/capabilities')
    for key in ('alarms:query:simple', 'alarms:query:complex',
                'alarms:history:query:simple',
                'alarms:history:query:complex', 'events:query:simple'):
        assert isinstance(caps['api'][key], bool), key
    for key in ('alarm_storage', 'event_storage'):
        assert set(caps[key]) == {'storage:production_ready'}


def test_listings_render_as_xml_when_asked(api, store):
    seed(store)
    resp = api.get('/v2/resources/res-b', status=200,
                   headers={'Accept': 'application/xml'})
    assert resp.headers['Content-Type'].startswith('application/xml')
    root = ElementTree.fromstring(resp.content)
    assert root.findtext('resource_id') == 'res-b'
    assert root.findtext('project_id') == 'proj-1'
    resp = api.get('/v2/samples', status=200, limit=2,
                   headers={'Accept': 'application/xml'})
    root = ElementTree.fromstring(resp.content)
    assert [item.findtext('id') for item in root] == ['m-2-1', 'm-2-0']


# -- error bodies ------------------------------------------------------------

@pytest.mark.parametrize('accept', JSON_FIRST)
def test_unknown_path_is_a_json_404(api, accept):
    headers = {'Accept': accept} if accept else {}
    for path in ('/invalid_path', '/v2/invalid_path', '/v2/v2'):
        resp = api.get(path, headers=headers, status=404)
        assert resp.headers['Content-Type'].split(';')[0] == (
            'application/json')
        body = resp.json()
        assert list(body) == ['error_message']
        assert body['error_message']['faultcode'] == 'Client'
        assert body['error_message']['faultstring']


@pytest.mark.parametrize('accept', XML_FIRST)
def test_unknown_path_is_an_xml_404_when_xml_is_preferred(api, accept):
    resp = api.get('/invalid_path', headers={'Accept': accept}, status=404)
    assert resp.headers['Content-Type'].split(';')[0] == 'application/xml'
    fault = xml_fault(resp)
    assert fault['faultcode'] == 'Client'
    assert fault['faultstring']


@pytest.mark.parametrize('path,text', [
    ('/v2/resources/no-such-res', 'Resource no-such-res Not Found'),
    ('/v2/samples/no-such-sample', 'Sample no-such-sample Not Found'),
])
def test_unknown_ids_in_json_and_xml(api, store, path, text):
    seed(store)
    resp = api.get(path, status=404)
    assert resp.headers['Content-Type'].split(';')[0] == 'application/json'
    assert resp.json() == {'error_message': {
        'faultcode': 'Client', 'faultstring': text, 'debuginfo': None}}
    resp = api.get(path, headers={'Accept': 'application/xml,*/*'},
                   status=404)
    assert resp.headers['Content-Type'].split(';')[0] == 'application/xml'
    fault = xml_fault(resp)
    assert fault['faultcode'] == 'Client'
    assert fault['faultstring'] == text


def test_client_error_bodies_in_json_and_xml(api, store):
    seed(store)
    resp = api.get('/v2/samples', limit=-1, status=400)
    assert resp.json() == {'error_message': {
        'faultcode': 'Client', 'faultstring': 'Limit must be positive',
        'debuginfo': None}}
    assert int(resp.headers['Content-Length']) == len(resp.content)
    resp = api.get('/v2/samples', limit=-1, status=400,
                   headers={'Accept': 'application/xml,*/*'})
    assert xml_fault(resp) == {'faultcode': 'Client',
                               'faultstring': 'Limit must be positive',
                               'debuginfo': None}
    assert int(resp.headers['Content-Length']) == len(resp.content)


def test_wsme_validation_error_in_xml(api, store):
    seed(store)
    resp = api.get('/v2/meters', headers={'Accept': 'application/xml,*/*'},
                   q=[{'field': 'timestamp', 'op': 'gt',
                       'value': '2012-09-25T10:00:00'}], status=400)
    assert xml_fault(resp)['faultstring'] == (
        'Unknown argument: "timestamp": not valid for this resource')


def test_unauthorized_body_in_xml(api, store):
    seed(store)
    resp = api.get('/v2/samples', status=401,
                   headers={'Accept': 'application/xml,*/*',
                            'X-Roles': 'Member', 'X-Project-Id': 'proj-0'},
                   q=[{'field': 'project_id', 'value': 'proj-1'}])
    assert xml_fault(resp)['faultstring'] == (
        'Not Authorized to access project proj-1')


def test_complex_query_error_in_xml(api, store):
    seed(store)
    resp = api.post('/v2/query/samples', {'limit': 0}, status=400,
                    headers={'Accept': 'application/xml,*/*'})
    assert xml_fault(resp)['faultstring'] == 'Limit must be positive'


@pytest.mark.parametrize('method,path', [
    ('DELETE', '/v2/meters'),
    ('PUT', '/v2/samples'),
    ('POST', '/v2/resources'),
])
def test_unsupported_method_has_an_error_body(api, method, path):
    resp = api.request(method, path, body={}, status=405)
    assert resp.json()['error_message']['faultcode'] == 'Client'


# -- limits -------------------------------------------------------------------

LIST_PATHS = ('/v2/meters', '/v2/samples', '/v2/resources',
              '/v2/meters/volume.size')


@pytest.mark.parametrize('path', LIST_PATHS)
@pytest.mark.parametrize('limit', ['0', '-1', '-100'])
def test_non_positive_limit_is_refused(api, store, path, limit):
    seed(store)
    resp = api.get(path, limit=limit, status=400)
    assert resp.json()['error_message']['faultstring'] == (
        'Limit must be positive')


@pytest.mark.parametrize('path', LIST_PATHS)
@pytest.mark.parametrize('limit', ['abc', '', '1.5', '2x'])
def test_garbage_limit_is_refused(api, store, path, limit):
    seed(store)
    resp = api.get(path, limit=limit, status=400)
    fault = resp.json()['error_message']
    assert fault['faultcode'] == 'Client'
    assert 'limit' in fault['faultstring']


def test_explicit_limits(api, store):
    seed(store)
    assert [s['id'] for s in api.get_json('/v2/samples', limit=2)] == [
        'm-2-1', 'm-2-0']
    assert len(api.get_json('/v2/samples', limit=6)) == 6
    assert len(api.get_json('/v2/samples', limit=60)) == 6
    assert len(api.get_json('/v2/meters', limit=1)) == 1
    assert len(api.get_json('/v2/resources', limit=1)) == 1


@pytest.fixture(scope='module')
def small_limit(mongodb_url):
    """An API whose default_api_return_limit is 2, and a seeded store."""
    from ceilometer_proxy import service
    from ceilometer_proxy import storage

    name = services.unique_db_name()
    url = services.db_url(mongodb_url, name)
    server = services.ApiServer(
        url, extra={'api': {'default_api_return_limit': 2}})
    server.start()
    conf = service.prepare_service([], config_files=[])
    conn = storage.get_connection_from_config(conf, url)
    try:
        conn.upgrade()
        seed(conn)
        yield services.Client(server.url)
    finally:
        conn.close()
        server.cleanup()
        client = services.mongo_client(mongodb_url)
        client.drop_database(name)
        client.close()


def test_default_limit_applies_to_every_listing(small_limit):
    api = small_limit
    assert len(api.get_json('/v2/meters')) == 2
    assert [s['id'] for s in api.get_json('/v2/samples')] == [
        'm-2-1', 'm-2-0']
    assert [s['message_id'] for s in api.get_json(
        '/v2/meters/volume.size')] == ['m-2-1', 'm-2-0']
    assert [r['resource_id'] for r in api.get_json('/v2/resources')] == [
        'res-c', 'res-b']
    got = api.post_json('/v2/query/samples', {}, status=200)
    assert [s['id'] for s in got] == ['m-2-1', 'm-2-0']


def test_explicit_limit_overrides_the_default(small_limit):
    api = small_limit
    assert len(api.get_json('/v2/meters', limit=42)) == 3
    assert len(api.get_json('/v2/samples', limit=42)) == 6
    assert len(api.get_json('/v2/meters/volume.size', limit=5)) == 5
    assert len(api.get_json('/v2/resources', limit=42)) == 3
    got = api.post_json('/v2/query/samples', {'limit': 4}, status=200)
    assert [s['id'] for s in got] == ['m-2-1', 'm-2-0', 'm-1-1', 'm-1-0']
    assert len(api.get_json('/v2/samples', limit=1)) == 1


# -- odd input never makes a server error ------------------------------------

def _not_server_error(resp, allowed=(400,)):
    assert resp.status_code in allowed, (resp.status_code, resp.text)
    if resp.status_code == 400:
        assert resp.json()['error_message']['faultcode'] == 'Client'


@pytest.mark.parametrize('path', LIST_PATHS)
def test_huge_limit(api, store, path):
    seed(store)
    resp = api.get(path, limit=str(10 ** 22))
    _not_server_error(resp, allowed=(200, 400))
    if resp.status_code == 200:
        everything = api.get_json(path, limit=1000)
        assert resp.json() == everything
        assert len(everything) in (3, 6)


@pytest.mark.parametrize('path', LIST_PATHS)
def test_huge_integer_metadata_value(api, store, path):
    seed(store)
    for value in (str(10 ** 22), str(-10 ** 22)):
        for kind in (None, 'integer'):
            item = {'field': 'metadata.idx', 'value': value}
            if kind:
                item['type'] = kind
            resp = api.get(path, q=[item])
            _not_server_error(resp, allowed=(200, 400))
            if resp.status_code == 200:
                assert resp.json() == []


@pytest.mark.parametrize('path', LIST_PATHS)
def test_empty_metadata_key(api, store, path):
    seed(store)
    for field in ('metadata.', 'metadata.a..b', 'resource_metadata.'):
        resp = api.get(path, q=[{'field': field, 'value': 'x'}])
        _not_server_error(resp, allowed=(200, 400))
        if resp.status_code == 200:
            assert resp.json() == []


@pytest.mark.parametrize('value', ['{1, 2}', '1j', '...', "b'raw'",
                                   "{'$where': 'true'}"])
def test_metadata_value_that_is_an_odd_literal(api, store, value):
    seed(store)
    resp = api.get('/v2/samples',
                   q=[{'field': 'metadata.idx', 'value': value}])
    _not_server_error(resp, allowed=(200, 400))
    if resp.status_code == 200:
        assert resp.json() == []


@pytest.mark.parametrize('value', ['nan', 'inf', '-inf'])
def test_non_finite_float_metadata_value(api, store, value):
    seed(store)
    resp = api.get('/v2/samples', q=[{'field': 'metadata.idx',
                                      'value': value, 'type': 'float'}])
    _not_server_error(resp, allowed=(200, 400))
    if resp.status_code == 200:
        assert resp.json() == []


@pytest.mark.parametrize('path', LIST_PATHS)
def test_garbage_query_type_on_metadata(api, store, path):
    seed(store)
    resp = api.get(path, q=[{'field': 'metadata.idx', 'value': '1',
                             'type': 'wibble'}], status=400)
    assert resp.json()['error_message']['faultstring'] == (
        "The data type wibble is not supported. The supported data type "
        "list is: ['integer', 'float', 'string', 'boolean', 'datetime']")


def test_query_type_on_plain_field_is_ignored(api, store):
    seed(store)
    got = api.get_json('/v2/samples',
                       q=[{'field': 'user_id', 'value': 'user-1',
                           'type': 'wibble'}])
    assert [s['id'] for s in got] == ['m-1-1', 'm-1-0']


@pytest.mark.parametrize('offset', [str(10 ** 12), str(10 ** 30),
                                    '-' + str(10 ** 12), '1.5', 'soon'])
def test_bad_search_offset(api, store, offset):
    seed(store)
    resp = api.get('/v2/samples', status=400,
                   q=[{'field': 'timestamp', 'op': 'ge',
                       'value': '2012-09-25T10:00:00'},
                      {'field': 'search_offset', 'value': offset}])
    assert 'search_offset' in resp.json()['error_message']['faultstring']


def test_search_offset_past_the_calendar(api, store):
    seed(store)
    resp = api.get('/v2/samples', status=400,
                   q=[{'field': 'timestamp', 'op': 'le',
                       'value': '9999-12-31T23:00:00'},
                      {'field': 'search_offset', 'value': '120'}])
    assert 'search_offset' in resp.json()['error_message']['faultstring']


@pytest.mark.parametrize('value', ['99999-01-01T00:00:00', 'now',
                                   '2012-09-25T10:00:00+99:00'])
def test_bad_timestamps(api, store, value):
    seed(store)
    for path in ('/v2/samples', '/v2/resources'):
        resp = api.get(path, status=400,
                       q=[{'field': 'timestamp', 'op': 'gt',
                           'value': value}])
        assert resp.json()['error_message']['faultcode'] == 'Client'


@pytest.mark.parametrize('params', [
    {'q.field': 'metadata.idx'},
    {'q.field': 'user_id'},
    {'q.value': 'user-1'},
    {'q.op': 'eq'},
    {'q.field': ['user_id', 'project_id'], 'q.value': 'user-1'},
    {'q.field': 'user_id', 'q.op': ['eq', 'eq'], 'q.value': 'user-1'},
], ids=['field-only-metadata', 'field-only', 'value-only', 'op-only',
        'more-fields-than-values', 'more-ops-than-fields'])
def test_incomplete_query_triples(api, store, params):
    seed(store)
    resp = api.get('/v2/samples', **params)
    _not_server_error(resp, allowed=(200, 400))


def test_unknown_parameter_is_refused(api, store):
    seed(store)
    resp = api.get('/v2/samples', bogus='1', status=400)
    assert resp.json()['error_message']['faultstring'] == (
        'Unknown argument: "bogus"')


def test_garbage_meter_links(api, store):
    seed(store)
    resp = api.get('/v2/resources', meter_links='sometimes', status=400)
    assert 'meter_links' in resp.json()['error_message']['faultstring']


def test_very_long_and_odd_ids_are_plain_404s(api, store):
    seed(store)
    long_id = 'x' * 3000
    resp = api.get('/v2/samples/' + long_id, status=404)
    assert resp.json()['error_message']['faultstring'] == (
        'Sample %s Not Found' % long_id)
    resp = api.get('/v2/resources/%00', status=404)
    assert resp.json()['error_message']['faultstring'] == (
        'Resource \x00 Not Found')
    resp = api.get('/v2/resources/caf%C3%A9', status=404)
    assert resp.json()['error_message']['faultstring'] == (
        'Resource caf\xe9 Not Found')
