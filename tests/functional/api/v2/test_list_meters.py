"""GET /v2/meters, /v2/meters/<name>, /v2/samples and /v2/samples/<id>."""

import base64
import datetime
import urllib.parse

from tests import services

UNICODE_METER = 'm\xe9t\xe9o.\u0437'

# (key, counter_name, counter_type, counter_unit, volume, resource_id,
#  timestamp, user_id, project_id, source, resource_metadata)
ROWS = [
    ('alpha-early', 'cpu.util', 'gauge', '%', 10, 'vm-alpha',
     '2013-03-04T08:00:00', 'user-a', 'proj-a', 'src-one',
     {'flavor': 'small', 'cores': 2, 'load': 0.5, 'public': True,
      'tag': 'web'}),
    ('alpha-late', 'cpu.util', 'gauge', '%', 30, 'vm-alpha',
     '2013-03-04T09:00:00', 'user-a', 'proj-a', 'src-one',
     {'flavor': 'small', 'cores': 4, 'load': 0.25, 'public': False,
      'tag': 'db'}),
    ('alpha-net', 'net.in', 'cumulative', 'B', 100, 'vm-alpha',
     '2013-03-04T08:30:00', 'user-a', 'proj-a', 'src-one',
     {'flavor': 'small', 'tag': 'net'}),
    ('beta', 'cpu.util', 'gauge', '%', 20, 'vm-beta',
     '2013-03-04T08:15:00', 'user-b', 'proj-a', 'src-one',
     {'flavor': 'large', 'cores': 4, 'load': 0.5, 'public': False,
      'tag': 'web'}),
    ('gamma', 'disk.size', 'gauge', 'GB', 5, 'vol-gamma',
     '2013-03-04T08:45:00', 'user-c', 'proj-b', 'src-two',
     {'tag': 'vol',
      'props': {'tier': 'gold', 'opts': {'ssd': 'yes'},
                'odd.key': {'$dollar.part': 'deep'}}}),
    ('gamma-uni', UNICODE_METER, 'delta', 'mm', 7, 'vol-gamma',
     '2014-01-01T00:00:00', 'user-c', 'proj-b', 'src-two',
     {'tag': 'vol', 'props': {'tier': 'silver', 'opts': {'ssd': 'no'}}}),
]


def seed(store):
    """Store the rows; return {key: message_id}."""
    ids = {}
    for row in ROWS:
        (key, name, kind, unit, volume, rid, when, user, project, source,
         meta) = row
        msg = services.make_message(
            name, volume, rid, when, counter_type=kind, counter_unit=unit,
            user_id=user, project_id=project, source=source,
            resource_metadata=meta, message_id='msg-' + key)
        store.record_metering_data_batch([msg])
        ids[key] = msg['message_id']
    return ids


def ids_of(samples, key='message_id'):
    return [s[key] for s in samples]


def fault(resp):
    return resp.json()['error_message']['faultstring']


def meter_keys(meters):
    return sorted((m['resource_id'], m['name']) for m in meters)


# -- /v2/meters ------------------------------------------------------------

def test_no_meters_on_an_empty_store(api):
    assert api.get_json('/v2/meters') == []
    assert api.get_json('/v2/samples') == []
    assert api.get_json('/v2/meters/cpu.util') == []


def test_every_meter_is_listed_once_per_resource(api, store):
    seed(store)
    meters = api.get_json('/v2/meters')
    got = sorted((m['resource_id'], m['name'], m['type'], m['unit'],
                  m['user_id'], m['project_id'], m['source'])
                 for m in meters)
    assert got == [
        ('vm-alpha', 'cpu.util', 'gauge', '%', 'user-a', 'proj-a',
         'src-one'),
        ('vm-alpha', 'net.in', 'cumulative', 'B', 'user-a', 'proj-a',
         'src-one'),
        ('vm-beta', 'cpu.util', 'gauge', '%', 'user-b', 'proj-a',
         'src-one'),
        ('vol-gamma', 'disk.size', 'gauge', 'GB', 'user-c', 'proj-b',
         'src-two'),
        ('vol-gamma', UNICODE_METER, 'delta', 'mm', 'user-c', 'proj-b',
         'src-two'),
    ]


def test_meter_id_is_base64_of_resource_plus_name(api, store):
    seed(store)
    meters = api.get_json('/v2/meters')
    assert len(meters) == 5
    for m in meters:
        raw = '%s+%s' % (m['resource_id'], m['name'])
        expected = base64.b64encode(raw.encode('utf-8')).decode('ascii')
        assert m['meter_id'] == expected
        assert '\n' not in m['meter_id']
    by_key = {(m['resource_id'], m['name']): m['meter_id'] for m in meters}
    assert by_key[('vm-beta', 'cpu.util')] == 'dm0tYmV0YStjcHUudXRpbA=='
    decoded = base64.b64decode(by_key[('vol-gamma', UNICODE_METER)])
    assert decoded.decode('utf-8') == 'vol-gamma+' + UNICODE_METER


def test_meters_of_one_user(api, store):
    seed(store)
    meters = api.get_json('/v2/meters',
                          q=[{'field': 'user_id', 'value': 'user-a'}])
    assert meter_keys(meters) == [('vm-alpha', 'cpu.util'),
                                  ('vm-alpha', 'net.in')]
    assert {m['user_id'] for m in meters} == {'user-a'}


def test_meters_of_one_project(api, store):
    seed(store)
    meters = api.get_json('/v2/meters',
                          q=[{'field': 'project_id', 'value': 'proj-b'}])
    assert meter_keys(meters) == [('vol-gamma', 'disk.size'),
                                  ('vol-gamma', UNICODE_METER)]


def test_meters_of_one_resource(api, store):
    seed(store)
    meters = api.get_json('/v2/meters',
                          q=[{'field': 'resource_id', 'value': 'vm-beta'}])
    assert meter_keys(meters) == [('vm-beta', 'cpu.util')]
    assert meters[0]['source'] == 'src-one'


def test_meters_of_one_source(api, store):
    seed(store)
    meters = api.get_json('/v2/meters',
                          q=[{'field': 'source', 'value': 'src-one'}])
    assert meter_keys(meters) == [('vm-alpha', 'cpu.util'),
                                  ('vm-alpha', 'net.in'),
                                  ('vm-beta', 'cpu.util')]


def test_meters_combining_resource_and_source(api, store):
    seed(store)
    both = api.get_json('/v2/meters',
                        q=[{'field': 'resource_id', 'value': 'vol-gamma'},
                           {'field': 'source', 'value': 'src-two'}])
    assert meter_keys(both) == [('vol-gamma', 'disk.size'),
                                ('vol-gamma', UNICODE_METER)]
    none = api.get_json('/v2/meters',
                        q=[{'field': 'resource_id', 'value': 'vol-gamma'},
                           {'field': 'source', 'value': 'src-one'}])
    assert none == []


def test_meters_for_unknown_owner_or_source_are_empty(api, store):
    seed(store)
    for field in ('user_id', 'project_id', 'resource_id', 'source'):
        assert api.get_json('/v2/meters',
                            q=[{'field': field, 'value': 'nobody'}]) == []


def test_meters_by_resource_metadata_follow_newest_sample(api, store):
    seed(store)
    # vm-alpha's newest sample is tagged "db": its older "web" tag is gone.
    web = api.get_json('/v2/meters',
                       q=[{'field': 'metadata.tag', 'value': 'web'}])
    assert meter_keys(web) == [('vm-beta', 'cpu.util')]
    db = api.get_json('/v2/meters',
                      q=[{'field': 'metadata.tag', 'value': 'db'}])
    assert meter_keys(db) == [('vm-alpha', 'cpu.util'),
                              ('vm-alpha', 'net.in')]
    alias = api.get_json('/v2/meters',
                         q=[{'field': 'resource_metadata.tag',
                             'value': 'db'}])
    assert meter_keys(alias) == meter_keys(db)


def test_meters_by_nested_metadata(api, store):
    seed(store)
    # Only the newest sample's metadata counts for the resource.
    meters = api.get_json('/v2/meters',
                          q=[{'field': 'metadata.props.opts.ssd',
                              'value': 'no'}])
    assert meter_keys(meters) == [('vol-gamma', 'disk.size'),
                                  ('vol-gamma', UNICODE_METER)]
    assert api.get_json('/v2/meters',
                        q=[{'field': 'metadata.props.opts.ssd',
                            'value': 'yes'}]) == []


def test_meters_by_typed_metadata(api, store):
    seed(store)
    four = api.get_json('/v2/meters',
                        q=[{'field': 'metadata.cores', 'value': '4',
                            'type': 'integer'}])
    assert meter_keys(four) == [('vm-alpha', 'cpu.util'),
                                ('vm-alpha', 'net.in'),
                                ('vm-beta', 'cpu.util')]
    as_text = api.get_json('/v2/meters',
                           q=[{'field': 'metadata.cores', 'value': '4',
                               'type': 'string'}])
    assert as_text == []
    private = api.get_json('/v2/meters',
                           q=[{'field': 'metadata.public', 'value': 'false',
                               'type': 'boolean'}])
    assert meter_keys(private) == meter_keys(four)


def test_meter_listing_limit(api, store):
    seed(store)
    one = api.get_json('/v2/meters', limit=1)
    assert len(one) == 1
    two = api.get_json('/v2/meters', limit=2)
    assert len(two) == 2
    assert meter_keys(api.get_json('/v2/meters', limit=50)) == meter_keys(
        api.get_json('/v2/meters'))
    for bad in (0, -1, -7):
        resp = api.get('/v2/meters', limit=bad, status=400)
        assert fault(resp) == 'Limit must be positive'


def test_meter_listing_refuses_timestamps(api, store):
    seed(store)
    resp = api.get('/v2/meters',
                   q=[{'field': 'timestamp', 'op': 'gt',
                       'value': '2013-03-04T08:00:00'}], status=400)
    assert fault(resp) == ('Unknown argument: "timestamp": '
                           'not valid for this resource')
    resp = api.get('/v2/meters',
                   q=[{'field': 'search_offset', 'value': '5'}], status=400)
    assert fault(resp) == ('Unknown argument: "search_offset": '
                           'not valid for this resource')


def test_meter_listing_refuses_unknown_field(api, store):
    seed(store)
    resp = api.get('/v2/meters',
                   q=[{'field': 'counter_volume', 'value': '3'}], status=400)
    assert fault(resp).startswith('Unknown argument: "counter_volume": '
                                  'unrecognized field in query')


# -- /v2/meters/<name> -----------------------------------------------------

def test_samples_of_a_meter_newest_first(api, store):
    ids = seed(store)
    got = api.get_json('/v2/meters/cpu.util')
    assert ids_of(got) == [ids['alpha-late'], ids['beta'],
                           ids['alpha-early']]
    assert [s['timestamp'] for s in got] == ['2013-03-04T09:00:00',
                                             '2013-03-04T08:15:00',
                                             '2013-03-04T08:00:00']


def test_old_sample_shape(api, store):
    ids = seed(store)
    got = api.get_json('/v2/meters/cpu.util',
                       q=[{'field': 'resource_id', 'value': 'vm-beta'}])
    assert len(got) == 1
    one = dict(got[0])
    recorded = one.pop('recorded_at')
    datetime.datetime.fromisoformat(recorded)
    assert one == {
        'counter_name': 'cpu.util',
        'counter_type': 'gauge',
        'counter_unit': '%',
        'counter_volume': 20.0,
        'message_id': ids['beta'],
        'project_id': 'proj-a',
        'resource_id': 'vm-beta',
        'resource_metadata': {'cores': '4', 'flavor': 'large',
                              'load': '0.5', 'public': 'False',
                              'tag': 'web'},
        'source': 'src-one',
        'timestamp': '2013-03-04T08:15:00',
        'user_id': 'user-b',
    }


def test_samples_of_a_meter_filtered_by_owner(api, store):
    ids = seed(store)
    by_resource = api.get_json('/v2/meters/cpu.util',
                               q=[{'field': 'resource_id',
                                   'value': 'vm-alpha'}])
    assert ids_of(by_resource) == [ids['alpha-late'], ids['alpha-early']]
    by_user = api.get_json('/v2/meters/cpu.util',
                           q=[{'field': 'user_id', 'value': 'user-b'}])
    assert ids_of(by_user) == [ids['beta']]
    by_project = api.get_json('/v2/meters/disk.size',
                              q=[{'field': 'project_id',
                                  'value': 'proj-b'}])
    assert ids_of(by_project) == [ids['gamma']]
    other_project = api.get_json('/v2/meters/disk.size',
                                 q=[{'field': 'project_id',
                                     'value': 'proj-a'}])
    assert other_project == []
    by_source = api.get_json('/v2/meters/net.in',
                             q=[{'field': 'source', 'value': 'src-one'}])
    assert ids_of(by_source) == [ids['alpha-net']]


def _window(api, *conds):
    q = [{'field': 'timestamp', 'op': op, 'value': value}
         for op, value in conds]
    return ids_of(api.get_json('/v2/meters/cpu.util', q=q))


def test_samples_of_a_meter_in_time_ranges(api, store):
    ids = seed(store)
    late, beta, early = ids['alpha-late'], ids['beta'], ids['alpha-early']
    assert _window(api, ('gt', '2013-03-04T08:00:00')) == [late, beta]
    assert _window(api, ('ge', '2013-03-04T08:00:00')) == [late, beta,
                                                           early]
    assert _window(api, ('lt', '2013-03-04T09:00:00')) == [beta, early]
    assert _window(api, ('le', '2013-03-04T09:00:00')) == [late, beta,
                                                           early]
    assert _window(api, ('gt', '2013-03-04T08:00:00'),
                   ('lt', '2013-03-04T09:00:00')) == [beta]
    assert _window(api, ('ge', '2013-03-04T08:15:00'),
                   ('le', '2013-03-04T08:15:00')) == [beta]
    assert _window(api, ('gt', '2013-03-04T09:00:00')) == []


def test_timestamps_with_an_offset_are_compared_in_utc(api, store):
    ids = seed(store)
    # 10:10+02:00 is 08:10 UTC
    assert _window(api, ('gt', '2013-03-04T10:10:00+02:00')) == [
        ids['alpha-late'], ids['beta']]
    assert _window(api, ('lt', '2013-03-04T08:10:00Z')) == [
        ids['alpha-early']]


def test_search_offset_widens_the_range_in_minutes(api, store):
    ids = seed(store)
    q = [{'field': 'timestamp', 'op': 'ge', 'value': '2013-03-04T08:20:00'},
         {'field': 'timestamp', 'op': 'le', 'value': '2013-03-04T08:50:00'}]
    assert api.get_json('/v2/meters/cpu.util', q=q) == []
    wide = api.get_json('/v2/meters/cpu.util',
                        q=q + [{'field': 'search_offset', 'value': '10'}])
    assert ids_of(wide) == [ids['alpha-late'], ids['beta']]
    wider = api.get_json('/v2/meters/cpu.util',
                         q=q + [{'field': 'search_offset', 'value': '20'}])
    assert ids_of(wider) == [ids['alpha-late'], ids['beta'],
                             ids['alpha-early']]


def test_search_offset_needs_a_timestamp(api, store):
    seed(store)
    for path in ('/v2/samples', '/v2/meters/cpu.util'):
        resp = api.get(path, q=[{'field': 'search_offset', 'value': '42'}],
                       status=400)
        assert fault(resp) == ("Invalid input for field/attribute field. "
                               "Value: 'search_offset'. search_offset "
                               "cannot be used without timestamp")


def test_timestamp_and_search_offset_operators_are_checked(api, store):
    seed(store)
    resp = api.get('/v2/meters/cpu.util',
                   q=[{'field': 'timestamp', 'op': 'eq',
                       'value': '2013-03-04T08:00:00'}], status=400)
    assert fault(resp) == ("Invalid input for field/attribute op. "
                           "Value: 'eq'. unimplemented operator for "
                           "timestamp")
    resp = api.get('/v2/meters/cpu.util',
                   q=[{'field': 'timestamp', 'op': 'gt',
                       'value': '2013-03-04T08:00:00'},
                      {'field': 'search_offset', 'op': 'gt',
                       'value': '3'}], status=400)
    assert 'unimplemented operator for search_offset' in fault(resp)


def test_unparsable_timestamp_is_a_client_error(api, store):
    seed(store)
    resp = api.get('/v2/meters/cpu.util',
                   q=[{'field': 'timestamp', 'op': 'gt',
                       'value': 'yesterday'}], status=400)
    body = resp.json()['error_message']
    assert body['faultcode'] == 'Client'
    assert body['faultstring'] == ("Invalid input for field/attribute "
                                   "timestamp. Value: 'yesterday'. invalid "
                                   "timestamp format")


def test_samples_of_a_meter_by_metadata(api, store):
    ids = seed(store)
    tag = api.get_json('/v2/meters/cpu.util',
                       q=[{'field': 'metadata.tag', 'value': 'web'}])
    assert ids_of(tag) == [ids['beta'], ids['alpha-early']]
    alias = api.get_json('/v2/meters/cpu.util',
                         q=[{'field': 'resource_metadata.tag',
                             'value': 'web'}])
    assert ids_of(alias) == ids_of(tag)
    both = api.get_json('/v2/meters/cpu.util',
                        q=[{'field': 'metadata.tag', 'value': 'web'},
                           {'field': 'metadata.flavor', 'value': 'small'}])
    assert ids_of(both) == [ids['alpha-early']]
    with_owner = api.get_json('/v2/meters/cpu.util',
                              q=[{'field': 'user_id', 'value': 'user-b'},
                                 {'field': 'metadata.tag', 'value': 'db'}])
    assert with_owner == []


def test_typed_metadata_queries(api, store):
    ids = seed(store)

    def find(value, kind=None, field='metadata.cores'):
        item = {'field': field, 'value': value}
        if kind:
            item['type'] = kind
        return ids_of(api.get_json('/v2/meters/cpu.util', q=[item]))

    assert find('4', 'integer') == [ids['alpha-late'], ids['beta']]
    assert find('4') == [ids['alpha-late'], ids['beta']]
    assert find('4', 'string') == []
    assert find('0.5', 'float', 'metadata.load') == [ids['beta'],
                                                     ids['alpha-early']]
    assert find('0.25', None, 'metadata.load') == [ids['alpha-late']]
    assert find('False', 'boolean', 'metadata.public') == [
        ids['alpha-late'], ids['beta']]
    assert find('True', None, 'metadata.public') == [ids['alpha-early']]
    assert find('small', 'string', 'metadata.flavor') == [
        ids['alpha-late'], ids['alpha-early']]


def test_untyped_value_that_is_no_literal_matches_as_text(api, store):
    ids = seed(store)
    got = api.get_json('/v2/meters/disk.size',
                       q=[{'field': 'metadata.props.tier',
                           'value': 'gold'}])
    assert ids_of(got) == [ids['gamma']]


def test_badly_typed_metadata_values_are_refused(api, store):
    seed(store)
    cases = [('0.7.5', 'float'), ('abacaba', 'boolean'),
             ('45.765', 'integer'), ('tomorrow', 'datetime')]
    for value, kind in cases:
        resp = api.get('/v2/meters/cpu.util',
                       q=[{'field': 'metadata.load', 'value': value,
                           'type': kind}], status=400)
        assert fault(resp) == ('Unable to convert the value %s to the '
                               'expected data type %s.' % (value, kind))


def test_unknown_metadata_type_is_refused(api, store):
    seed(store)
    resp = api.get('/v2/meters/cpu.util',
                   q=[{'field': 'metadata.cores', 'value': '0',
                       'type': 'blob'}], status=400)
    assert fault(resp).startswith('The data type blob is not supported.')


def test_nested_metadata_query_and_flattened_output(api, store):
    ids = seed(store)
    got = api.get_json('/v2/meters/disk.size',
                       q=[{'field': 'metadata.props.opts.ssd',
                           'value': 'yes'}])
    assert ids_of(got) == [ids['gamma']]
    assert got[0]['resource_metadata'] == {
        'tag': 'vol',
        'props.tier': 'gold',
        'props.opts:ssd': 'yes',
        'props.odd:key:$dollar:part': 'deep',
    }


def test_metadata_query_through_dotted_and_dollar_keys(api, store):
    ids = seed(store)
    got = api.get_json('/v2/meters/disk.size',
                       q=[{'field': 'metadata.props.odd.key.$dollar.part',
                           'value': 'deep'}])
    assert ids_of(got) == [ids['gamma']]
    miss = api.get_json('/v2/meters/disk.size',
                        q=[{'field': 'metadata.props.odd.key.$dollar.part',
                            'value': 'shallow'}])
    assert miss == []


def test_unknown_query_field_is_refused(api, store):
    seed(store)
    for op in ('eq', 'gt'):
        resp = api.get('/v2/samples',
                       q=[{'field': 'not_a_field', 'op': op,
                           'value': '3'}], status=400)
        assert fault(resp).startswith(
            'Unknown argument: "not_a_field": unrecognized field in '
            "query: [<Query 'not_a_field' %s '3' " % op)


def test_metaquery_is_no_query_field(api, store):
    seed(store)
    for path in ('/v2/samples', '/v2/meters/cpu.util'):
        resp = api.get(path, q=[{'field': 'metaquery', 'value': 'cow'}],
                       status=400)
        assert ('Unknown argument: "metaquery": unrecognized field in '
                'query') in fault(resp)


def test_non_eq_operator_on_plain_field_is_refused(api, store):
    seed(store)
    resp = api.get('/v2/samples',
                   q=[{'field': 'project_id', 'op': 'lt', 'value': '3'}],
                   status=400)
    assert fault(resp) == ("Invalid input for field/attribute op. "
                           "Value: 'lt'. unimplemented operator for "
                           "project_id")
    resp = api.get('/v2/meters/cpu.util',
                   q=[{'field': 'metadata.tag', 'op': 'ne',
                       'value': 'web'}], status=400)
    assert fault(resp) == ("Invalid input for field/attribute op. "
                           "Value: 'ne'. unimplemented operator for "
                           "metadata.tag")


def test_unknown_operator_is_refused(api, store):
    seed(store)
    resp = api.get('/v2/samples',
                   q=[{'field': 'user_id', 'op': 'like',
                       'value': 'user-a'}], status=400)
    assert resp.json()['error_message']['faultcode'] == 'Client'


def test_samples_of_a_meter_limit(api, store):
    ids = seed(store)
    got = api.get_json('/v2/meters/cpu.util', limit=2)
    assert ids_of(got) == [ids['alpha-late'], ids['beta']]
    assert len(api.get_json('/v2/meters/cpu.util', limit=30)) == 3
    for bad in (0, -2):
        resp = api.get('/v2/meters/cpu.util', limit=bad, status=400)
        assert fault(resp) == 'Limit must be positive'


def test_samples_of_a_unicode_meter(api, store):
    ids = seed(store)
    path = '/v2/meters/' + urllib.parse.quote(UNICODE_METER)
    got = api.get_json(path)
    assert ids_of(got) == [ids['gamma-uni']]
    assert got[0]['counter_name'] == UNICODE_METER
    assert got[0]['resource_metadata'] == {'tag': 'vol',
                                           'props.tier': 'silver',
                                           'props.opts:ssd': 'no'}


def test_meter_name_with_file_extension_is_not_guessed(api, store):
    store.record_metering_data_batch([services.make_message(
        'snap.jpg', 1, 'pic', '2013-03-04T08:00:00', message_id='jpg-1')])
    resp = api.get('/v2/meters/snap.jpg', status=200)
    assert resp.headers['Content-Type'].startswith('application/json')
    assert ids_of(resp.json()) == ['jpg-1']


# -- /v2/samples -----------------------------------------------------------

def test_all_samples_newest_first(api, store):
    ids = seed(store)
    got = api.get_json('/v2/samples')
    assert ids_of(got, 'id') == [ids['gamma-uni'], ids['alpha-late'],
                                 ids['gamma'], ids['alpha-net'],
                                 ids['beta'], ids['alpha-early']]


def test_samples_filtered_by_meter_and_owner(api, store):
    ids = seed(store)
    meter = api.get_json('/v2/samples',
                         q=[{'field': 'meter', 'value': 'cpu.util'}])
    assert ids_of(meter, 'id') == [ids['alpha-late'], ids['beta'],
                                   ids['alpha-early']]
    res = api.get_json('/v2/samples',
                       q=[{'field': 'resource_id', 'value': 'vm-alpha'}])
    assert ids_of(res, 'id') == [ids['alpha-late'], ids['alpha-net'],
                                 ids['alpha-early']]
    project = api.get_json('/v2/samples',
                           q=[{'field': 'project_id', 'value': 'proj-b'}])
    assert ids_of(project, 'id') == [ids['gamma-uni'], ids['gamma']]
    user_and_meter = api.get_json(
        '/v2/samples', q=[{'field': 'user_id', 'value': 'user-a'},
                          {'field': 'meter', 'value': 'net.in'}])
    assert ids_of(user_and_meter, 'id') == [ids['alpha-net']]
    source = api.get_json('/v2/samples',
                          q=[{'field': 'source', 'value': 'src-two'}])
    assert ids_of(source, 'id') == [ids['gamma-uni'], ids['gamma']]


def test_samples_in_a_time_range(api, store):
    ids = seed(store)
    got = api.get_json(
        '/v2/samples',
        q=[{'field': 'timestamp', 'op': 'gt', 'value': '2013-03-04T08:15:00'},
           {'field': 'timestamp', 'op': 'lt',
            'value': '2013-03-04T09:00:00'}])
    assert ids_of(got, 'id') == [ids['gamma'], ids['alpha-net']]


def test_samples_by_nested_metadata_show_flat_keys(api, store):
    ids = seed(store)
    got = api.get_json('/v2/samples',
                       q=[{'field': 'metadata.props.tier',
                           'value': 'gold'}])
    assert len(got) == 1
    one = dict(got[0])
    assert one.pop('id') == ids['gamma']
    datetime.datetime.fromisoformat(one.pop('recorded_at'))
    assert one == {
        'meter': 'disk.size',
        'type': 'gauge',
        'unit': 'GB',
        'volume': 5.0,
        'user_id': 'user-c',
        'project_id': 'proj-b',
        'resource_id': 'vol-gamma',
        'source': 'src-two',
        'timestamp': '2013-03-04T08:45:00',
        'metadata': {'tag': 'vol', 'props.tier': 'gold',
                     'props.opts:ssd': 'yes',
                     'props.odd:key:$dollar:part': 'deep'},
    }


def test_samples_limit(api, store):
    ids = seed(store)
    got = api.get_json('/v2/samples', limit=1)
    assert ids_of(got, 'id') == [ids['gamma-uni']]
    assert len(api.get_json('/v2/samples', limit=100)) == 6
    for bad in (0, -1):
        resp = api.get('/v2/samples', limit=bad, status=400)
        assert fault(resp) == 'Limit must be positive'


def test_samples_by_message_id_field(api, store):
    ids = seed(store)
    got = api.get_json('/v2/samples',
                       q=[{'field': 'message_id', 'value': ids['beta']}])
    assert ids_of(got, 'id') == [ids['beta']]


# -- /v2/samples/<id> ------------------------------------------------------

def test_one_sample_by_id(api, store):
    ids = seed(store)
    got = api.get_json('/v2/samples/' + ids['alpha-late'])
    datetime.datetime.fromisoformat(got.pop('recorded_at'))
    assert got == {
        'id': ids['alpha-late'],
        'meter': 'cpu.util',
        'type': 'gauge',
        'unit': '%',
        'volume': 30.0,
        'user_id': 'user-a',
        'project_id': 'proj-a',
        'resource_id': 'vm-alpha',
        'source': 'src-one',
        'timestamp': '2013-03-04T09:00:00',
        'metadata': {'flavor': 'small', 'cores': '4', 'load': '0.25',
                     'public': 'False', 'tag': 'db'},
    }


def test_unknown_sample_id_is_a_json_404(api, store):
    seed(store)
    resp = api.get('/v2/samples/no-such-sample', status=404)
    assert resp.headers['Content-Type'].startswith('application/json')
    body = resp.json()['error_message']
    assert body['faultcode'] == 'Client'
    assert body['faultstring'] == 'Sample no-such-sample Not Found'
