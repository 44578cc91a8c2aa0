"""Project scoping of admins, members and anonymous callers."""

import json

import pytest

from tests import services

MEMBER = {'X-Roles': 'Member', 'X-Project-Id': 'proj-good',
          'X-User-Id': 'user-good'}
OUTSIDER = {'X-Roles': 'Member', 'X-Project-Id': 'proj-empty',
            'X-User-Id': 'user-nobody'}
ADMIN = {'X-Roles': 'admin', 'X-Project-Id': 'proj-ops',
         'X-User-Id': 'user-root'}
MULTI_ROLE_ADMIN = {'X-Roles': 'reader, admin', 'X-Project-Id': 'proj-ops',
                    'X-User-Id': 'user-root'}


def seed(store):
    rows = [
        ('good-1', 'meter.test', 'res-good', 'user-good', 'proj-good',
         '2012-07-02T10:40:00', 1),
        ('good-2', 'meter.mine', 'res-56', 'user-fred', 'proj-good',
         '2012-07-02T10:43:00', 2),
        ('good-3', 'meter.test', 'res-good', 'user-good', 'proj-good',
         '2012-07-02T10:45:00', 3),
        ('evil-1', 'meter.test', 'res-evil', 'user-evil', 'proj-evil',
         '2012-07-02T10:41:00', 40),
        ('evil-2', 'meter.mine', 'res-evil', 'user-evil', 'proj-evil',
         '2012-07-02T10:44:00', 50),
    ]
    store.record_metering_data_batch([
        services.make_message(name, volume, rid, when, user_id=user,
                              project_id=project, message_id=key,
                              resource_metadata={'owner': project})
        for key, name, rid, user, project, when, volume in rows])


def fault(resp):
    return resp.json()['error_message']['faultstring']


def meter_keys(meters):
    return sorted((m['resource_id'], m['name']) for m in meters)


ALL_METERS = [('res-56', 'meter.mine'), ('res-evil', 'meter.mine'),
              ('res-evil', 'meter.test'), ('res-good', 'meter.test')]
GOOD_METERS = [('res-56', 'meter.mine'), ('res-good', 'meter.test')]


# -- /v2/meters ------------------------------------------------------------

def test_member_lists_only_meters_of_its_project(api, store):
    seed(store)
    got = api.get_json('/v2/meters', headers=MEMBER)
    assert meter_keys(got) == GOOD_METERS
    assert {m['project_id'] for m in got} == {'proj-good'}


@pytest.mark.parametrize('headers', [ADMIN, MULTI_ROLE_ADMIN, {}],
                         ids=['admin', 'admin-among-roles', 'anonymous'])
def test_admin_and_anonymous_list_every_meter(api, store, headers):
    seed(store)
    assert meter_keys(api.get_json('/v2/meters', headers=headers)) == (
        ALL_METERS)


def test_member_may_name_its_own_project(api, store):
    seed(store)
    got = api.get_json('/v2/meters', headers=MEMBER,
                       q=[{'field': 'project_id', 'value': 'proj-good'}])
    assert meter_keys(got) == GOOD_METERS


def test_member_naming_another_project_is_unauthorized(api, store):
    seed(store)
    resp = api.get('/v2/meters', headers=MEMBER, status=401,
                   q=[{'field': 'project_id', 'value': 'proj-evil'}])
    assert resp.json()['error_message'] == {
        'faultcode': 'Client',
        'faultstring': 'Not Authorized to access project proj-evil',
        'debuginfo': None}


def test_member_naming_two_projects_is_unauthorized(api, store):
    seed(store)
    resp = api.get('/v2/meters', headers=MEMBER, status=401,
                   q=[{'field': 'project_id', 'value': 'proj-good'},
                      {'field': 'project_id', 'value': 'proj-naughty'}])
    assert fault(resp) == 'Not Authorized to access project proj-naughty'


def test_admin_may_name_any_project(api, store):
    seed(store)
    got = api.get_json('/v2/meters', headers=ADMIN,
                       q=[{'field': 'project_id', 'value': 'proj-evil'}])
    assert meter_keys(got) == [('res-evil', 'meter.mine'),
                               ('res-evil', 'meter.test')]


def test_member_without_data_sees_nothing(api, store):
    seed(store)
    assert api.get_json('/v2/meters', headers=OUTSIDER) == []
    assert api.get_json('/v2/samples', headers=OUTSIDER) == []
    assert api.get_json('/v2/resources', headers=OUTSIDER) == []
    assert api.get_json('/v2/meters/meter.test', headers=OUTSIDER) == []
    assert api.post_json('/v2/query/samples', {}, status=200,
                         headers=OUTSIDER) == []


# -- /v2/meters/<name> and statistics -------------------------------------

def test_member_sees_only_own_samples_of_a_meter(api, store):
    seed(store)
    got = api.get_json('/v2/meters/meter.test', headers=MEMBER)
    assert [s['message_id'] for s in got] == ['good-3', 'good-1']
    every = api.get_json('/v2/meters/meter.test', headers=ADMIN)
    assert [s['message_id'] for s in every] == ['good-3', 'evil-1',
                                                'good-1']


def test_member_filters_within_its_project(api, store):
    seed(store)
    got = api.get_json('/v2/meters/meter.test', headers=MEMBER,
                       q=[{'field': 'resource_id', 'value': 'res-evil'}])
    assert got == []
    got = api.get_json('/v2/meters/meter.test', headers=MEMBER,
                       q=[{'field': 'metadata.owner',
                           'value': 'proj-evil'}])
    assert got == []
    got = api.get_json('/v2/meters/meter.test', headers=MEMBER,
                       q=[{'field': 'timestamp', 'op': 'gt',
                           'value': '2012-07-02T10:40:30'}])
    assert [s['message_id'] for s in got] == ['good-3']


def test_member_cannot_ask_for_samples_of_another_project(api, store):
    seed(store)
    resp = api.get('/v2/meters/meter.test', headers=MEMBER, status=401,
                   q=[{'field': 'project_id', 'value': 'proj-evil'}])
    assert fault(resp) == 'Not Authorized to access project proj-evil'


def test_statistics_are_scoped(api, store):
    seed(store)
    mine = api.get_json('/v2/meters/meter.test/statistics', headers=MEMBER)
    assert [(s['count'], s['sum'], s['max']) for s in mine] == [
        (2, 4.0, 3.0)]
    every = api.get_json('/v2/meters/meter.test/statistics', headers=ADMIN)
    assert [(s['count'], s['sum'], s['max']) for s in every] == [
        (3, 44.0, 40.0)]
    resp = api.get('/v2/meters/meter.test/statistics', headers=MEMBER,
                   status=401,
                   q=[{'field': 'project_id', 'value': 'proj-evil'}])
    assert fault(resp) == 'Not Authorized to access project proj-evil'
    assert api.get_json('/v2/meters/meter.test/statistics',
                        headers=OUTSIDER) == []


# -- /v2/samples -----------------------------------------------------------

def test_member_lists_only_own_samples(api, store):
    seed(store)
    got = api.get_json('/v2/samples', headers=MEMBER)
    assert [s['id'] for s in got] == ['good-3', 'good-2', 'good-1']
    every = api.get_json('/v2/samples', headers=ADMIN)
    assert [s['id'] for s in every] == ['good-3', 'evil-2', 'good-2',
                                        'evil-1', 'good-1']
    anonymous = api.get_json('/v2/samples')
    assert [s['id'] for s in anonymous] == [s['id'] for s in every]


@pytest.mark.parametrize('field', ['project_id', 'project'])
def test_member_cannot_list_samples_of_another_project(api, store, field):
    seed(store)
    resp = api.get('/v2/samples', headers=MEMBER, status=401,
                   q=[{'field': field, 'value': 'proj-evil'}])
    assert fault(resp) == 'Not Authorized to access project proj-evil'


def test_member_gets_own_sample_by_id(api, store):
    seed(store)
    got = api.get_json('/v2/samples/good-2', headers=MEMBER)
    assert (got['id'], got['project_id']) == ('good-2', 'proj-good')


def test_sample_of_another_project_is_not_found(api, store):
    seed(store)
    resp = api.get('/v2/samples/evil-1', headers=MEMBER, status=404)
    assert resp.json()['error_message'] == {
        'faultcode': 'Client',
        'faultstring': 'Sample evil-1 Not Found',
        'debuginfo': None}
    got = api.get_json('/v2/samples/evil-1', headers=ADMIN)
    assert got['project_id'] == 'proj-evil'


# -- /v2/resources ---------------------------------------------------------

def test_member_lists_only_own_resources(api, store):
    seed(store)
    got = api.get_json('/v2/resources', headers=MEMBER)
    assert sorted(r['resource_id'] for r in got) == ['res-56', 'res-good']
    every = api.get_json('/v2/resources', headers=ADMIN)
    assert sorted(r['resource_id'] for r in every) == [
        'res-56', 'res-evil', 'res-good']


def test_member_resource_listing_in_a_time_window_is_scoped(api, store):
    seed(store)
    got = api.get_json('/v2/resources', headers=MEMBER,
                       q=[{'field': 'timestamp', 'op': 'ge',
                           'value': '2012-07-02T10:41:00'}])
    assert sorted(r['resource_id'] for r in got) == ['res-56', 'res-good']
    assert {r['project_id'] for r in got} == {'proj-good'}


def test_member_cannot_list_resources_of_another_project(api, store):
    seed(store)
    resp = api.get('/v2/resources', headers=MEMBER, status=401,
                   q=[{'field': 'project_id', 'value': 'proj-evil'}])
    assert fault(resp) == 'Not Authorized to access project proj-evil'


def test_member_gets_own_resource(api, store):
    seed(store)
    got = api.get_json('/v2/resources/res-good', headers=MEMBER)
    assert got['project_id'] == 'proj-good'
    assert [link['rel'] for link in got['links']] == ['self', 'meter.test']


def test_resource_of_another_project_is_not_found(api, store):
    seed(store)
    resp = api.get('/v2/resources/res-evil', headers=MEMBER, status=404)
    assert fault(resp) == 'Resource res-evil Not Found'
    got = api.get_json('/v2/resources/res-evil', headers=ADMIN)
    assert got['project_id'] == 'proj-evil'


# -- /v2/query/samples -----------------------------------------------------

def test_complex_query_is_scoped(api, store):
    seed(store)
    got = api.post_json('/v2/query/samples',
                        {'filter': json.dumps({'=': {'meter': 'meter.test'}})},
                        status=200, headers=MEMBER)
    assert [s['id'] for s in got] == ['good-3', 'good-1']
    resp = api.post('/v2/query/samples',
                    {'filter': json.dumps({'=': {'project': 'proj-evil'}})},
                    status=401, headers=MEMBER)
    assert fault(resp) == 'Not Authorized to access project proj-evil'
