"""POST /v2/meters/<name>: storing samples through the API."""

import datetime

SAMPLE = {'counter_name': 'apples',
          'counter_type': 'gauge',
          'counter_unit': 'instance',
          'counter_volume': 1,
          'resource_id': 'bd9431c1-8d69-4ad3-803a-8d4a6b89fd36',
          'project_id': '35b17138-b364-4e6a-a131-8f3099c5be68',
          'user_id': 'efd87807-12d2-4b38-9c70-5f5c2ac427ff',
          'resource_metadata': {'name1': 'value1', 'name2': 'value2'}}


def sample(**overrides):
    s = dict(SAMPLE)
    s.update(overrides)
    return s


def test_post_one_sample_and_read_it_back(api):
    posted = api.post_json('/v2/meters/apples', [sample()])
    assert len(posted) == 1
    got = posted[0]
    assert got['source'] == SAMPLE['project_id'] + ':openstack'
    assert got['message_id']
    assert got['counter_volume'] == 1.0
    stored = api.get_json('/v2/meters/apples')
    assert [s['message_id'] for s in stored] == [got['message_id']]
    assert stored[0]['resource_metadata'] == SAMPLE['resource_metadata']
    assert stored[0]['timestamp'] == got['timestamp']
    one = api.get_json('/v2/samples/' + got['message_id'])
    assert one['id'] == got['message_id']
    assert one['volume'] == 1.0


def test_nested_metadata_is_stored_nested_and_shown_flat(api, store):
    meta = {'nest.name1': 'value1', 'name2': 'value2', 'nest.name2': 'value3'}
    posted = api.post_json('/v2/meters/apples',
                           [sample(resource_metadata=meta)])
    assert posted[0]['resource_metadata'] == meta
    raw = store.meter.find_one({'message_id': posted[0]['message_id']})
    assert raw['resource_metadata'] == {'nest': {'name1': 'value1',
                                                 'name2': 'value3'},
                                        'name2': 'value2'}
    shown = api.get_json('/v2/meters/apples')[0]['resource_metadata']
    assert shown == meta
    found = api.get_json('/v2/meters/apples',
                         q=[{'field': 'metadata.nest.name2',
                             'value': 'value3'}])
    assert len(found) == 1


def test_invalid_counter_type_is_refused(api):
    resp = api.post('/v2/meters/apples', [sample(counter_type='INVALID')],
                    status=400)
    assert 'counter_type' in resp.json()['error_message']['faultstring']
    assert api.get_json('/v2/meters/apples') == []


def test_name_mismatch_and_message_id_are_refused(api):
    api.post('/v2/meters/pears', [sample()], status=400)
    api.post('/v2/meters/apples', [sample(message_id='evil')], status=400)
    assert api.get_json('/v2/samples') == []


def test_non_numeric_volume_and_bad_timestamp_are_refused(api):
    for bad in (sample(counter_volume='lots'),
                sample(timestamp='not a time')):
        resp = api.post('/v2/meters/apples', [bad], status=400)
        fault = resp.json()['error_message']
        assert fault['faultcode'] == 'Client'
    assert api.get_json('/v2/samples') == []


def test_missing_mandatory_field_is_refused(api):
    for field in ('counter_type', 'counter_unit', 'counter_volume',
                  'resource_id'):
        s = sample()
        del s[field]
        api.post('/v2/meters/apples', [s], status=400)
    assert api.get_json('/v2/samples') == []


def test_one_bad_sample_rejects_the_whole_batch(api):
    api.post('/v2/meters/apples',
             [sample(), sample(counter_type='bogus')], status=400)
    assert api.get_json('/v2/samples') == []


def test_non_admin_cannot_post_for_another_project(api):
    headers = {'X-Roles': 'Member', 'X-Project-Id': 'other-project',
               'X-User-Id': 'someone'}
    api.post('/v2/meters/apples', [sample()], headers=headers, status=400)
    posted = api.post_json('/v2/meters/apples',
                           [sample(project_id='other-project')],
                           headers=headers)
    assert posted[0]['project_id'] == 'other-project'


def test_identity_headers_fill_missing_owner(api):
    s = sample()
    del s['project_id']
    del s['user_id']
    posted = api.post_json('/v2/meters/apples', [s],
                           headers={'X-Project-Id': 'p-hdr',
                                    'X-User-Id': 'u-hdr'})
    assert posted[0]['project_id'] == 'p-hdr'
    assert posted[0]['user_id'] == 'u-hdr'
    assert posted[0]['source'] == 'p-hdr:openstack'


def test_timestamps_with_offsets_are_stored_as_utc(api):
    posted = api.post_json(
        '/v2/meters/apples',
        [sample(timestamp='2015-03-01T12:00:00+02:00', source='lab')])
    assert posted[0]['timestamp'] == '2015-03-01T10:00:00'
    assert posted[0]['source'] == SAMPLE['project_id'] + ':lab'


def test_batch_of_thousands_is_stored(api):
    start = datetime.datetime(2015, 1, 1)
    batch = [sample(counter_volume=i,
                    timestamp=(start + datetime.timedelta(seconds=i))
                    .isoformat())
             for i in range(3000)]
    posted = api.post_json('/v2/meters/apples', batch)
    assert len({p['message_id'] for p in posted}) == 3000
    stats = api.get_json('/v2/meters/apples/statistics')
    assert stats[0]['count'] == 3000
    assert stats[0]['sum'] == sum(range(3000))


def test_concurrent_batches_over_many_resources_are_all_stored(api):
    import concurrent.futures

    def post(worker):
        batch = [sample(resource_id='vm-%d-%d' % (worker, i % 120),
                        counter_volume=i) for i in range(600)]
        resp = api.session.post(api.base_url + '/v2/meters/apples',
                                json=batch, timeout=120)
        return resp.status_code

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(post, range(4)))
    assert codes == [201] * 4
    stats = api.get_json('/v2/meters/apples/statistics',
                         groupby=['resource_id'])
    assert len(stats) == 4 * 120
    assert sum(s['count'] for s in stats) == 2400
    assert len(api.get_json('/v2/resources', limit=1000)) == 480
