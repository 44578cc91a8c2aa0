"""GET /v2/resources and /v2/resources/<id>."""

from tests import services


def put(store, name, rid, when, user='owner-1', project='tenant-1',
        source='feed-a', meta=None, volume=1, key=None):
    """Store one sample (its own batch); return its message id."""
    msg = services.make_message(
        name, volume, rid, when, user_id=user, project_id=project,
        source=source, resource_metadata=meta,
        message_id=key or None)
    store.record_metering_data_batch([msg])
    return msg['message_id']


def seed_fleet(store):
    """Three resources of two projects and users, with a few meters."""
    put(store, 'memory', 'srv-1', '2014-05-06T07:00:00', user='owner-1',
        project='tenant-1', source='feed-a',
        meta={'role': 'frontend', 'size': 8, 'zone': {'rack': 'r1'}})
    put(store, 'memory', 'srv-1', '2014-05-06T07:30:00', user='owner-1',
        project='tenant-1', source='feed-a',
        meta={'role': 'backend', 'size': 16, 'zone': {'rack': 'r2'}})
    put(store, 'vcpus', 'srv-1', '2014-05-06T07:10:00', user='owner-1',
        project='tenant-1', source='feed-a',
        meta={'role': 'frontend', 'size': 8, 'zone': {'rack': 'r1'}})
    put(store, 'memory', 'srv-2', '2014-05-06T07:20:00', user='owner-2',
        project='tenant-1', source='feed-b',
        meta={'role': 'frontend', 'size': 16, 'zone': {'rack': 'r1'}})
    put(store, 'disk', 'bucket-9', '2014-05-06T06:00:00', user='owner-1',
        project='tenant-2', source='feed-b',
        meta={'role': 'storage', 'size': 8})


def rids(resources):
    return [r['resource_id'] for r in resources]


def fault(resp):
    return resp.json()['error_message']['faultstring']


def test_no_resources_on_an_empty_store(api):
    assert api.get_json('/v2/resources') == []


def test_resource_without_metadata(api, store):
    put(store, 'memory', 'bare', '2014-05-06T07:00:00')
    got = api.get_json('/v2/resources')
    assert len(got) == 1
    res = got[0]
    assert res['resource_id'] == 'bare'
    assert res['metadata'] == {}
    assert res['first_sample_timestamp'] == '2014-05-06T07:00:00'
    assert res['last_sample_timestamp'] == '2014-05-06T07:00:00'
    assert res['user_id'] == 'owner-1'
    assert res['project_id'] == 'tenant-1'
    assert res['source'] == 'feed-a'


def test_resources_listing_fields_and_order(api, store):
    seed_fleet(store)
    got = api.get_json('/v2/resources')
    # user_id descending, then project_id descending, then newest first
    assert rids(got) == ['srv-2', 'bucket-9', 'srv-1']
    by_id = {r['resource_id']: r for r in got}
    srv1 = by_id['srv-1']
    assert srv1['first_sample_timestamp'] == '2014-05-06T07:00:00'
    assert srv1['last_sample_timestamp'] == '2014-05-06T07:30:00'
    assert srv1['metadata'] == {'role': 'backend', 'size': '16',
                                'zone.rack': 'r2'}
    assert (srv1['user_id'], srv1['project_id'], srv1['source']) == (
        'owner-1', 'tenant-1', 'feed-a')
    bucket = by_id['bucket-9']
    assert bucket['first_sample_timestamp'] == '2014-05-06T06:00:00'
    assert bucket['last_sample_timestamp'] == '2014-05-06T06:00:00'
    assert bucket['project_id'] == 'tenant-2'


def test_same_owner_resources_are_newest_first(api, store):
    put(store, 'memory', 'old', '2014-05-06T01:00:00')
    put(store, 'memory', 'new', '2014-05-06T03:00:00')
    put(store, 'memory', 'mid', '2014-05-06T02:00:00')
    assert rids(api.get_json('/v2/resources')) == ['new', 'mid', 'old']


def test_timestamps_survive_out_of_order_arrival(api, store):
    put(store, 'memory', 'srv-x', '2014-05-06T10:41:00', meta={'n': 'b'})
    put(store, 'memory', 'srv-x', '2014-05-06T10:42:00', meta={'n': 'c'})
    put(store, 'memory', 'srv-x', '2014-05-06T10:40:00', meta={'n': 'a'})
    got = api.get_json('/v2/resources')
    assert len(got) == 1
    assert got[0]['first_sample_timestamp'] == '2014-05-06T10:40:00'
    assert got[0]['last_sample_timestamp'] == '2014-05-06T10:42:00'
    # the late arrival is older: metadata stays the newest sample's
    assert got[0]['metadata'] == {'n': 'c'}


def test_timestamps_of_one_unordered_batch(api, store):
    msgs = [services.make_message('memory', 1, 'srv-y', when,
                                  resource_metadata={'n': tag})
            for when, tag in (('2014-05-06T10:41:00', 'b'),
                              ('2014-05-06T10:43:00', 'd'),
                              ('2014-05-06T10:39:00', 'a'))]
    store.record_metering_data_batch(msgs)
    got = api.get_json('/v2/resources/srv-y')
    assert got['first_sample_timestamp'] == '2014-05-06T10:39:00'
    assert got['last_sample_timestamp'] == '2014-05-06T10:43:00'
    assert got['metadata'] == {'n': 'd'}


def test_newer_sample_replaces_metadata(api, store):
    put(store, 'memory', 'srv-z', '2014-05-06T10:00:00',
        meta={'state': 'building', 'extra': 'gone-later'})
    put(store, 'memory', 'srv-z', '2014-05-06T11:00:00',
        meta={'state': 'active'})
    got = api.get_json('/v2/resources/srv-z')
    assert got['metadata'] == {'state': 'active'}


def test_same_timestamp_later_arrival_sets_metadata(api, store):
    put(store, 'memory', 'srv-t', '2014-05-06T10:00:00', meta={'v': 'one'})
    put(store, 'vcpus', 'srv-t', '2014-05-06T10:00:00', meta={'v': 'two'})
    got = api.get_json('/v2/resources/srv-t')
    assert got['metadata'] == {'v': 'two'}
    assert got['first_sample_timestamp'] == '2014-05-06T10:00:00'
    assert got['last_sample_timestamp'] == '2014-05-06T10:00:00'


def test_metadata_is_flattened_to_text(api, store):
    put(store, 'memory', 'srv-m', '2014-05-06T10:00:00', meta={
        'name': 'web-1',
        'dict_props': {'key.$1': {'$key': 'val'}},
        'names': ['only'],
        'flag': True,
        'ratio': 0.5,
    })
    got = api.get_json('/v2/resources')
    assert sorted(got[0]['metadata'].items()) == [
        ('dict_props.key:$1:$key', 'val'),
        ('flag', 'True'),
        ('name', 'web-1'),
        ('names', "['only']"),
        ('ratio', '0.5'),
    ]


def test_list_metadata_values_keep_their_json_types(api, store):
    put(store, 'memory', 'srv-l', '2014-05-06T10:00:00',
        meta={'ports': [80, 443], 'mixed': ['a', 2.5, True]})
    got = api.get_json('/v2/resources/srv-l')
    assert got['metadata'] == {'ports': '[80, 443]',
                               'mixed': "['a', 2.5, True]"}


def test_resource_links(api, store):
    seed_fleet(store)
    base = api.base_url
    got = api.get_json('/v2/resources',
                       q=[{'field': 'resource_id', 'value': 'srv-1'}])
    assert len(got) == 1
    links = got[0]['links']
    assert links[0] == {'rel': 'self',
                        'href': base + '/v2/resources/srv-1'}
    assert sorted((link['rel'], link['href']) for link in links[1:]) == [
        ('memory', base + '/v2/meters/memory?q.field=resource_id'
                          '&q.value=srv-1'),
        ('vcpus', base + '/v2/meters/vcpus?q.field=resource_id'
                         '&q.value=srv-1'),
    ]


def test_meter_links_can_be_skipped(api, store):
    seed_fleet(store)
    got = api.get_json('/v2/resources', meter_links=0)
    assert rids(got) == ['srv-2', 'bucket-9', 'srv-1']
    for res in got:
        assert res['links'] == [{
            'rel': 'self',
            'href': '%s/v2/resources/%s' % (api.base_url,
                                            res['resource_id'])}]
    with_links = api.get_json('/v2/resources', meter_links=1)
    assert [len(r['links']) for r in with_links] == [2, 2, 3]


def test_one_resource(api, store):
    seed_fleet(store)
    got = api.get_json('/v2/resources/srv-1')
    assert got['resource_id'] == 'srv-1'
    assert got['metadata'] == {'role': 'backend', 'size': '16',
                               'zone.rack': 'r2'}
    assert got['first_sample_timestamp'] == '2014-05-06T07:00:00'
    assert got['last_sample_timestamp'] == '2014-05-06T07:30:00'
    assert got['links'][0] == {'rel': 'self',
                               'href': api.base_url + '/v2/resources/srv-1'}
    assert sorted(link['rel'] for link in got['links'][1:]) == [
        'memory', 'vcpus']
    other = api.get_json('/v2/resources/bucket-9')
    assert other['resource_id'] == 'bucket-9'
    assert [link['rel'] for link in other['links']] == ['self', 'disk']


def test_unknown_resource_is_a_json_404(api, store):
    seed_fleet(store)
    resp = api.get('/v2/resources/srv-404', status=404)
    assert resp.headers['Content-Type'].startswith('application/json')
    assert resp.json() == {'error_message': {
        'faultcode': 'Client',
        'faultstring': 'Resource srv-404 Not Found',
        'debuginfo': None}}


def test_resources_filtered_by_owner_and_source(api, store):
    seed_fleet(store)

    def find(field, value):
        return rids(api.get_json('/v2/resources',
                                 q=[{'field': field, 'value': value}]))

    assert find('user_id', 'owner-1') == ['bucket-9', 'srv-1']
    assert find('user_id', 'owner-2') == ['srv-2']
    assert find('project_id', 'tenant-1') == ['srv-2', 'srv-1']
    assert find('project_id', 'tenant-2') == ['bucket-9']
    assert find('source', 'feed-b') == ['srv-2', 'bucket-9']
    assert find('resource_id', 'bucket-9') == ['bucket-9']
    assert find('source', 'feed-z') == []
    combined = api.get_json('/v2/resources',
                            q=[{'field': 'user_id', 'value': 'owner-1'},
                               {'field': 'source', 'value': 'feed-b'}])
    assert rids(combined) == ['bucket-9']


def test_resources_filtered_by_metadata(api, store):
    seed_fleet(store)

    def find(field, value, kind=None):
        item = {'field': field, 'value': value}
        if kind:
            item['type'] = kind
        return rids(api.get_json('/v2/resources', q=[item]))

    # srv-1 used to be a frontend, its newest sample says backend
    assert find('metadata.role', 'frontend') == ['srv-2']
    assert find('metadata.role', 'backend') == ['srv-1']
    assert find('resource_metadata.role', 'backend') == ['srv-1']
    assert find('metadata.zone.rack', 'r1') == ['srv-2']
    assert find('metadata.size', '16', 'integer') == ['srv-2', 'srv-1']
    assert find('metadata.size', '8') == ['bucket-9']
    assert find('metadata.size', '8', 'string') == []


def test_resource_query_validation(api, store):
    seed_fleet(store)
    resp = api.get('/v2/resources',
                   q=[{'field': 'meter', 'value': 'memory'}], status=400)
    assert fault(resp).startswith('Unknown argument: "meter": '
                                  'unrecognized field in query')
    resp = api.get('/v2/resources',
                   q=[{'field': 'user_id', 'op': 'ge', 'value': 'a'}],
                   status=400)
    assert fault(resp) == ("Invalid input for field/attribute op. "
                           "Value: 'ge'. unimplemented operator for user_id")
    resp = api.get('/v2/resources',
                   q=[{'field': 'search_offset', 'value': '3'}], status=400)
    assert 'search_offset cannot be used without timestamp' in fault(resp)


def test_resources_limit(api, store):
    seed_fleet(store)
    assert rids(api.get_json('/v2/resources', limit=1)) == ['srv-2']
    assert rids(api.get_json('/v2/resources', limit=2)) == ['srv-2',
                                                            'bucket-9']
    assert len(api.get_json('/v2/resources', limit=40)) == 3
    for bad in (0, -2):
        resp = api.get('/v2/resources', limit=bad, status=400)
        assert fault(resp) == 'Limit must be positive'


# -- resources seen through a time window -----------------------------------

def seed_history(store):
    """'shared' changed owner and metadata between its two samples."""
    put(store, 'memory', 'shared', '2014-05-06T08:00:00', user='first-user',
        project='tenant-1', meta={'phase': 'one'})
    put(store, 'memory', 'shared', '2014-05-06T09:00:00',
        user='second-user', project='tenant-1', meta={'phase': 'two'})
    put(store, 'vcpus', 'shared', '2014-05-06T10:00:00',
        user='second-user', project='tenant-1', meta={'phase': 'three'})
    put(store, 'memory', 'lonely', '2014-05-06T08:30:00', user='lone-user',
        project='tenant-1', meta={'phase': 'solo'})


def window(api, *conds, **params):
    q = [{'field': 'timestamp', 'op': op, 'value': value}
         for op, value in conds]
    q.extend(params.pop('extra', []))
    return api.get_json('/v2/resources', q=q, **params)


def test_time_window_limits_the_resources(api, store):
    seed_history(store)
    got = window(api, ('ge', '2014-05-06T08:45:00'))
    assert rids(got) == ['shared']
    got = window(api, ('lt', '2014-05-06T08:30:00'))
    assert rids(got) == ['shared']
    got = window(api, ('le', '2014-05-06T08:30:00'))
    assert sorted(rids(got)) == ['lonely', 'shared']
    got = window(api, ('gt', '2014-05-06T10:00:00'))
    assert got == []


def test_time_window_bounds_the_sample_timestamps(api, store):
    seed_history(store)
    got = window(api, ('gt', '2014-05-06T08:00:00'),
                 ('lt', '2014-05-06T10:00:00'),
                 extra=[{'field': 'resource_id', 'value': 'shared'}])
    assert len(got) == 1
    res = got[0]
    assert res['first_sample_timestamp'] == '2014-05-06T09:00:00'
    assert res['last_sample_timestamp'] == '2014-05-06T09:00:00'
    assert res['metadata'] == {'phase': 'two'}
    assert res['user_id'] == 'second-user'


def test_time_window_takes_owner_of_earliest_and_metadata_of_latest(
        api, store):
    seed_history(store)
    got = window(api, ('ge', '2014-05-06T07:00:00'),
                 ('le', '2014-05-06T12:00:00'),
                 extra=[{'field': 'resource_id', 'value': 'shared'}])
    assert len(got) == 1
    res = got[0]
    assert res['first_sample_timestamp'] == '2014-05-06T08:00:00'
    assert res['last_sample_timestamp'] == '2014-05-06T10:00:00'
    assert res['metadata'] == {'phase': 'three'}
    assert res['user_id'] == 'first-user'
    assert sorted(link['rel'] for link in res['links']) == [
        'memory', 'self', 'vcpus']


def test_time_window_only_before_the_owner_change(api, store):
    seed_history(store)
    got = window(api, ('lt', '2014-05-06T08:15:00'))
    assert rids(got) == ['shared']
    assert got[0]['user_id'] == 'first-user'
    assert got[0]['metadata'] == {'phase': 'one'}
    assert got[0]['last_sample_timestamp'] == '2014-05-06T08:00:00'


def test_time_window_with_metadata_matches_samples(api, store):
    seed_history(store)
    # 'phase: one' is only in an old sample of 'shared': the window
    # finds it through the samples, the plain listing does not.
    assert api.get_json('/v2/resources',
                        q=[{'field': 'metadata.phase',
                            'value': 'one'}]) == []
    got = window(api, ('ge', '2014-05-06T00:00:00'),
                 extra=[{'field': 'metadata.phase', 'value': 'one'}])
    assert rids(got) == ['shared']
    assert got[0]['first_sample_timestamp'] == '2014-05-06T08:00:00'
    assert got[0]['last_sample_timestamp'] == '2014-05-06T08:00:00'


def test_time_window_with_search_offset(api, store):
    seed_history(store)
    bounds = (('ge', '2014-05-06T08:45:00'), ('le', '2014-05-06T08:50:00'))
    assert window(api, *bounds) == []
    widened = window(api, *bounds,
                     extra=[{'field': 'search_offset', 'value': '10'}])
    assert rids(widened) == ['shared']
    assert widened[0]['first_sample_timestamp'] == '2014-05-06T09:00:00'
    assert widened[0]['last_sample_timestamp'] == '2014-05-06T09:00:00'
    wider = window(api, *bounds,
                   extra=[{'field': 'search_offset', 'value': '15'}])
    # inside this window 'shared' is second-user's, sorting before lone-user
    assert rids(wider) == ['shared', 'lonely']


def test_time_window_order_and_limit(api, store):
    seed_history(store)
    got = window(api, ('ge', '2014-05-06T00:00:00'))
    # user_id descending; in a window 'shared' belongs to the user of its
    # earliest sample (first-user), which sorts after lone-user
    assert rids(got) == ['lonely', 'shared']
    assert rids(window(api, ('ge', '2014-05-06T00:00:00'), limit=1)) == [
        'lonely']


def test_time_window_filters_by_owner(api, store):
    seed_history(store)
    got = window(api, ('ge', '2014-05-06T00:00:00'),
                 extra=[{'field': 'user_id', 'value': 'second-user'}])
    assert rids(got) == ['shared']
    assert got[0]['first_sample_timestamp'] == '2014-05-06T09:00:00'
    assert got[0]['user_id'] == 'second-user'
    none = window(api, ('ge', '2014-05-06T00:00:00'),
                  extra=[{'field': 'project_id', 'value': 'tenant-9'}])
    assert none == []


def test_time_window_with_bad_timestamp(api, store):
    seed_history(store)
    resp = api.get('/v2/resources',
                   q=[{'field': 'timestamp', 'op': 'gt',
                       'value': '2014-13-45T99:00:00'}], status=400)
    assert fault(resp) == ("Invalid input for field/attribute timestamp. "
                           "Value: '2014-13-45T99:00:00'. invalid "
                           "timestamp format")
