"""/v2/events and /v2/event_types of a local-mode API process.

One fixed set of events is written through the event store driver into
the API server's database; every test reads it back over HTTP, as an
administrator or as a member of one project (noauth identity headers).
The server runs with ``default_api_return_limit = 4`` so that the default
limit shows on a data set of five events.
"""

import datetime

import pytest

from tests import services

ADMIN = {'X-Roles': 'admin', 'X-Project-Id': 'proj-ops',
         'X-User-Id': 'user-root'}
MEMBER_A = {'X-Roles': 'member', 'X-Project-Id': 'proj-a',
            'X-User-Id': 'user-a'}
MEMBER_C = {'X-Roles': 'member', 'X-Project-Id': 'proj-c',
            'X-User-Id': 'user-c'}
DEFAULT_LIMIT = 4

T0 = datetime.datetime(2015, 3, 1, 10, 0, 0)
CREATE = 'compute.instance.create.end'
DELETE = 'compute.instance.delete.start'
USER_CREATED = 'identity.user.created'
VOLUME = 'volume.create.end'
RAW_1 = {'event_type': CREATE, 'priority': 'INFO',
         'payload': {'state': 'active', 'nested': {'cells': [1, 2]}}}

# message id -> (event type, hours after T0, traits, raw); the traits are
# (name, type name, value) in the order they are stored.
EVENTS = {
    'ev-1': (CREATE, 0, [
        ('host', 'string', 'node-a'),
        ('memory_mb', 'integer', 512),
        ('load', 'float', 0.25),
        ('launched_at', 'datetime', datetime.datetime(2015, 3, 1, 9, 59)),
        ('project_id', 'string', 'proj-a'),
        ('user_id', 'string', 'user-a')], RAW_1),
    'ev-2': (CREATE, 1, [
        ('host', 'string', 'node-b'),
        ('memory_mb', 'integer', 2048),
        ('load', 'float', 1.5),
        ('launched_at', 'datetime',
         datetime.datetime(2015, 3, 1, 10, 59, 30)),
        ('project_id', 'string', 'proj-b'),
        ('user_id', 'string', 'user-b')], {}),
    'ev-3': (DELETE, 2, [
        ('host', 'string', 'node-c'),
        ('memory_mb', 'integer', 4096),
        ('load', 'float', 3.75),
        ('launched_at', 'datetime',
         datetime.datetime(2015, 3, 1, 11, 0, 0, 500000)),
        ('project_id', 'string', 'proj-a'),
        ('user_id', 'string', 'user-a')], {'payload': {'deleted': True}}),
    'ev-4': (USER_CREATED, 3, [
        ('resource_id', 'string', 'u-9')], {}),
    'ev-5': (VOLUME, 4, [
        ('size', 'integer', 10),
        ('memory_mb', 'string', '4096'),
        ('project_id', 'string', 'proj-b')], {}),
}
NEWEST_FIRST = ['ev-5', 'ev-4', 'ev-3', 'ev-2', 'ev-1']


def generated(message_id):
    return T0 + datetime.timedelta(hours=EVENTS[message_id][1])


def rendered(type_name, value):
    """A trait value as the API shows it: text, datetimes in ISO 8601."""
    if type_name == 'datetime':
        return value.isoformat()
    return str(value)


def expected_traits(message_id):
    return [{'name': name, 'type': type_name,
             'value': rendered(type_name, value)}
            for name, type_name, value in EVENTS[message_id][2]]


def make_events():
    from ceilometer_proxy.event import models

    return [models.Event(
        message_id=message_id, event_type=event_type,
        generated=generated(message_id),
        traits=[models.Trait(name, models.Trait.get_type_by_name(kind),
                             value) for name, kind, value in traits],
        raw=raw)
        for message_id, (event_type, _h, traits, raw) in EVENTS.items()]


@pytest.fixture(scope='module')
def server(mongodb_url):
    """A local-mode API whose event store holds EVENTS."""
    from ceilometer_proxy.event import storage as event_storage
    from ceilometer_proxy import service

    name = services.unique_db_name('events')
    api = services.ApiServer(
        services.db_url(mongodb_url, name),
        extra={'api': {'default_api_return_limit': DEFAULT_LIMIT}})
    conn = None
    try:
        api.start()
        conf = service.prepare_service([], config_files=[])
        conn = event_storage.get_connection_from_config(conf, api.db_url)
        conn.upgrade()
        assert conn.record_events(make_events()) == len(EVENTS)
        yield api
    finally:
        if conn is not None:
            conn.close()
        api.cleanup()
        client = services.mongo_client(mongodb_url)
        client.drop_database(name)
        client.close()


@pytest.fixture(scope='module')
def admin(server):
    return services.Client(server.url, headers=ADMIN)


@pytest.fixture(scope='module')
def member(server):
    return services.Client(server.url, headers=MEMBER_A)


def ids(events):
    return [e['message_id'] for e in events]


def listed(client, *q, **params):
    return ids(client.get_json('/v2/events', q=list(q), **params))


def trait(field, value, type_name='', op='eq'):
    """A q term with all four parts, as python-ceilometerclient sends
    them (an empty type is a string for traits)."""
    return {'field': field, 'op': op, 'value': value, 'type': type_name}


def client_error(resp, status=400):
    """The faultstring of a Ceilometer error body with ``status``."""
    assert resp.status_code == status, (resp.status_code, resp.text)
    fault = resp.json()['error_message']
    assert fault['faultcode'] == 'Client', fault
    return fault['faultstring']


# -- listing ----------------------------------------------------------------

def test_events_are_listed_newest_first_with_the_default_limit(admin):
    events = admin.get_json('/v2/events', limit=100)
    assert ids(events) == NEWEST_FIRST
    for event in events:
        message_id = event['message_id']
        assert event['event_type'] == EVENTS[message_id][0]
        assert event['generated'] == generated(message_id).isoformat()
        assert event['traits'] == expected_traits(message_id)
        assert event['raw'] == EVENTS[message_id][3]
    assert listed(admin) == NEWEST_FIRST[:DEFAULT_LIMIT]


@pytest.mark.parametrize('limit,expected', [
    (1, NEWEST_FIRST[:1]),
    (2, NEWEST_FIRST[:2]),
    (5, NEWEST_FIRST),
    (1000, NEWEST_FIRST),
])
def test_limit(admin, limit, expected):
    assert listed(admin, limit=limit) == expected


def test_limit_applies_after_the_filters(admin):
    assert listed(admin, trait('project_id', 'proj-a'), limit=1) == ['ev-3']
    assert listed(admin, trait('load', '1', 'float', 'gt'),
                  limit=1) == ['ev-3']


@pytest.mark.parametrize('limit', ['0', '-2'])
def test_a_limit_that_is_not_positive_is_a_400(admin, limit):
    resp = admin.get('/v2/events', limit=limit)
    assert 'Limit must be positive' in client_error(resp)


def test_a_limit_that_is_not_a_number_is_a_400(admin):
    resp = admin.get('/v2/events', limit='many')
    assert 'limit' in client_error(resp).lower()


# -- filters on the event itself --------------------------------------------

def test_filter_on_event_type(admin):
    assert listed(admin, trait('event_type', CREATE)) == ['ev-2', 'ev-1']
    assert listed(admin, trait('event_type', CREATE, op='eq')) == [
        'ev-2', 'ev-1']
    assert listed(admin, trait('event_type', 'no.such.type')) == []


def test_filter_on_message_id(admin):
    assert listed(admin, trait('message_id', 'ev-3')) == ['ev-3']
    assert listed(admin, trait('message_id', 'ev-404')) == []


def test_timestamps_bound_the_range_inclusively(admin):
    start = generated('ev-2').isoformat()
    end = generated('ev-4').isoformat()
    assert listed(admin, trait('start_timestamp', start, op='ge'),
                  limit=10) == ['ev-5', 'ev-4', 'ev-3', 'ev-2']
    assert listed(admin, trait('end_timestamp', start, op='le')) == [
        'ev-2', 'ev-1']
    assert listed(admin, trait('start_timestamp', start, op='ge'),
                  trait('end_timestamp', end, op='le')) == [
        'ev-4', 'ev-3', 'ev-2']
    # What `ceilometer event-list -q start_timestamp=...` sends (eq).
    assert listed(admin, trait('start_timestamp', end),
                  trait('end_timestamp', end)) == ['ev-4']


def test_timestamps_with_an_offset_are_read_as_utc(admin):
    # 12:00+01:00 is 11:00 UTC, when ev-2 was generated.
    assert listed(admin, trait('start_timestamp', '2015-03-01T12:00:00+01:00',
                               op='ge'),
                  trait('end_timestamp', '2015-03-01T11:00:00Z',
                        op='le')) == ['ev-2']


def test_event_fields_and_traits_filter_together(admin):
    assert listed(admin, trait('event_type', CREATE),
                  trait('host', 'node-a')) == ['ev-1']
    assert listed(admin, trait('event_type', DELETE),
                  trait('host', 'node-a')) == []


# -- filters on traits -------------------------------------------------------

# (trait, type, pivot value, {op: events matching, newest first}); the
# events without the trait (or with it under another type) never match.
TRAIT_OPS = [
    ('host', 'string', 'node-b', {
        'eq': ['ev-2'], 'ne': ['ev-3', 'ev-1'], 'lt': ['ev-1'],
        'le': ['ev-2', 'ev-1'], 'gt': ['ev-3'], 'ge': ['ev-3', 'ev-2']}),
    ('memory_mb', 'integer', '2048', {
        'eq': ['ev-2'], 'ne': ['ev-3', 'ev-1'], 'lt': ['ev-1'],
        'le': ['ev-2', 'ev-1'], 'gt': ['ev-3'], 'ge': ['ev-3', 'ev-2']}),
    ('load', 'float', '1.5', {
        'eq': ['ev-2'], 'ne': ['ev-3', 'ev-1'], 'lt': ['ev-1'],
        'le': ['ev-2', 'ev-1'], 'gt': ['ev-3'], 'ge': ['ev-3', 'ev-2']}),
    ('launched_at', 'datetime', '2015-03-01T10:59:30', {
        'eq': ['ev-2'], 'ne': ['ev-3', 'ev-1'], 'lt': ['ev-1'],
        'le': ['ev-2', 'ev-1'], 'gt': ['ev-3'], 'ge': ['ev-3', 'ev-2']}),
]


@pytest.mark.parametrize('name,type_name,value,matches', TRAIT_OPS,
                         ids=[t[1] for t in TRAIT_OPS])
def test_trait_filter_operators(admin, name, type_name, value, matches):
    got = {op: listed(admin, trait(name, value, type_name, op))
           for op in matches}
    assert got == matches


def test_a_trait_filter_without_type_is_a_string_filter(admin):
    assert listed(admin, {'field': 'host', 'value': 'node-c'}) == ['ev-3']
    assert listed(admin, trait('host', 'node-c', '')) == ['ev-3']
    assert listed(admin, trait('host', 'node-c', 'string')) == ['ev-3']
    # '4096' is ev-5's memory_mb as text; ev-3's is the integer 4096.
    assert listed(admin, trait('memory_mb', '4096')) == ['ev-5']
    assert listed(admin, trait('memory_mb', '4096', 'integer')) == ['ev-3']


def test_integer_and_float_filters_compare_numbers_not_text(admin):
    # As text '512' > '4096'; as numbers it is the smallest.
    assert listed(admin, trait('memory_mb', '1000', 'integer', 'lt')) == [
        'ev-1']
    assert listed(admin, trait('load', '10', 'float', 'lt')) == [
        'ev-3', 'ev-2', 'ev-1']


def test_integers_beyond_64_bits_still_compare(admin):
    huge = '99999999999999999999'
    assert listed(admin, trait('memory_mb', huge, 'integer')) == []
    assert listed(admin, trait('memory_mb', huge, 'integer', 'lt')) == [
        'ev-3', 'ev-2', 'ev-1']
    assert listed(admin, trait('memory_mb', '-' + huge, 'integer',
                               'le')) == []


def test_datetime_trait_filters_keep_sub_seconds_and_offsets(admin):
    value = '2015-03-01T11:00:00.500000'
    assert listed(admin, trait('launched_at', value, 'datetime')) == ['ev-3']
    assert listed(admin, trait('launched_at', '2015-03-01T11:00:00',
                               'datetime', 'gt')) == ['ev-3']
    assert listed(admin, trait('launched_at', '2015-03-01T11:59:00+02:00',
                               'datetime')) == ['ev-1']


@pytest.mark.parametrize('term', [
    trait('memory_mb', '512', 'float'),
    trait('memory_mb', '512', 'string'),
    trait('load', '0.25', 'string'),
    trait('launched_at', '2015-03-01T09:59:00', 'string'),
    trait('host', '2015-03-01T09:59:00', 'datetime'),
    trait('size', '10', 'float'),
], ids=lambda t: '%s-as-%s' % (t['field'], t['type']))
def test_a_trait_asked_with_another_type_matches_nothing(admin, term):
    assert listed(admin, term) == []
    # The same value under the stored type does match.
    stored = {'memory_mb': 'integer', 'load': 'float',
              'launched_at': 'datetime', 'size': 'integer'}
    if term['field'] in stored:
        assert listed(admin, dict(term, type=stored[term['field']])) != []


def test_an_unknown_trait_matches_nothing(admin):
    assert listed(admin, trait('flavor', 'm1.tiny')) == []
    assert listed(admin, trait('flavor', 'm1.tiny', op='ne')) == []


def test_several_trait_filters_must_all_hold(admin):
    assert listed(admin, trait('memory_mb', '512', 'integer', 'gt'),
                  trait('load', '2', 'float', 'lt')) == ['ev-2']
    assert listed(admin, trait('memory_mb', '512', 'integer'),
                  trait('host', 'node-a', 'string')) == ['ev-1']
    assert listed(admin, trait('memory_mb', '2048', 'integer'),
                  trait('host', 'node-a', 'string')) == []
    assert listed(admin, trait('project_id', 'proj-a'),
                  trait('launched_at', '2015-03-01T10:00:00', 'datetime',
                        'ge'),
                  trait('host', 'node-b', op='ne')) == ['ev-3']


def test_fewer_types_than_fields_pair_with_the_first_terms(admin):
    # q.type given for the first term only: the second is a string.
    params = [('q.field', 'memory_mb'), ('q.field', 'host'),
              ('q.value', '512'), ('q.value', 'node-a'),
              ('q.type', 'integer')]
    resp = admin.session.get(admin.base_url + '/v2/events', params=params,
                             headers=ADMIN)
    assert resp.status_code == 200, resp.text
    assert ids(resp.json()) == ['ev-1']


def test_more_types_than_fields_is_a_400(admin):
    params = [('q.field', 'memory_mb'), ('q.value', '512'),
              ('q.type', 'integer'), ('q.type', 'string')]
    resp = admin.session.get(admin.base_url + '/v2/events', params=params,
                             headers=ADMIN)
    client_error(resp)


# -- bad input ---------------------------------------------------------------

def test_an_unknown_operator_is_a_400(admin):
    resp = admin.get('/v2/events', q=[trait('host', 'node-a', 'string',
                                            'whats-up')])
    fault = client_error(resp)
    assert 'whats-up' in fault and 'not supported' in fault
    resp = admin.get('/v2/events', q=[trait('event_type', CREATE,
                                            op='whats-up')])
    assert 'whats-up' in client_error(resp)


@pytest.mark.parametrize('field', ['host', 'event_type', 'start_timestamp'])
def test_a_term_without_a_value_is_a_400(admin, field):
    # Neither a filter on the text 'None' nor no filter at all.
    resp = admin.get('/v2/events', q=[{'field': field}])
    client_error(resp)


def test_an_unsupported_trait_type_is_a_400(admin):
    resp = admin.get('/v2/events', q=[trait('host', 'node-a', 'whats-up')])
    assert client_error(resp) == (
        "The data type whats-up is not supported. The supported data type "
        "list is: ['integer', 'float', 'string', 'datetime']")
    # Boolean is a v2 query type, but not one of a trait.
    resp = admin.get('/v2/events', q=[trait('host', 'True', 'boolean')])
    assert 'boolean is not supported' in client_error(resp)


@pytest.mark.parametrize('name,type_name,value', [
    ('memory_mb', 'integer', 'lots'),
    ('memory_mb', 'integer', '1.5'),
    ('load', 'float', 'heavy'),
    ('launched_at', 'datetime', 'yesterday'),
])
def test_a_value_that_is_not_of_its_type_is_a_400(admin, name, type_name,
                                                  value):
    resp = admin.get('/v2/events', q=[trait(name, value, type_name)])
    assert client_error(resp) == (
        'Unable to convert the value %s to the expected data type %s.'
        % (value, type_name))


@pytest.mark.parametrize('value', ['nan', 'inf', '-inf'])
def test_a_float_filter_that_is_no_number_is_a_400(admin, value):
    client_error(admin.get('/v2/events',
                           q=[trait('load', value, 'float')]))


@pytest.mark.parametrize('field', ['start_timestamp', 'end_timestamp'])
def test_a_bad_timestamp_is_a_400(admin, field):
    resp = admin.get('/v2/events', q=[trait(field, 'not-a-time')])
    fault = client_error(resp)
    assert 'not-a-time' in fault and field in fault


@pytest.mark.parametrize('field,op', [
    ('event_type', 'ne'), ('event_type', 'lt'), ('message_id', 'gt'),
    ('start_timestamp', 'le'), ('start_timestamp', 'lt'),
    ('end_timestamp', 'ge'), ('end_timestamp', 'gt'),
])
def test_operators_an_event_field_does_not_take_are_a_400(admin, field, op):
    value = T0.isoformat() if field.endswith('timestamp') else CREATE
    resp = admin.get('/v2/events', q=[trait(field, value, op=op)])
    fault = client_error(resp)
    assert op in fault and field in fault


# -- one event ---------------------------------------------------------------

def test_get_one_event(admin):
    event = admin.get_json('/v2/events/ev-1')
    assert event == {'message_id': 'ev-1', 'event_type': CREATE,
                     'generated': '2015-03-01T10:00:00',
                     'traits': expected_traits('ev-1'), 'raw': RAW_1}


def test_datetime_traits_are_rendered_in_iso_8601(admin):
    traits = {t['name']: t for t in
              admin.get_json('/v2/events/ev-3')['traits']}
    assert traits['launched_at'] == {'name': 'launched_at',
                                     'type': 'datetime',
                                     'value': '2015-03-01T11:00:00.500000'}
    assert traits['memory_mb'] == {'name': 'memory_mb', 'type': 'integer',
                                   'value': '4096'}
    assert traits['load'] == {'name': 'load', 'type': 'float',
                              'value': '3.75'}
    parsed = datetime.datetime.fromisoformat(traits['launched_at']['value'])
    assert parsed == EVENTS['ev-3'][2][3][2]


def test_raw_is_returned_as_stored(admin):
    assert admin.get_json('/v2/events/ev-3')['raw'] == {
        'payload': {'deleted': True}}
    assert admin.get_json('/v2/events/ev-4')['raw'] == {}


def test_an_unknown_event_is_a_404(admin):
    resp = admin.get('/v2/events/ev-404')
    assert client_error(resp, 404) == 'Event ev-404 Not Found'


# -- project scoping ---------------------------------------------------------

def test_a_member_lists_only_the_events_of_its_project(member):
    assert listed(member) == ['ev-3', 'ev-1']
    assert listed(member, trait('event_type', CREATE)) == ['ev-1']
    # Asking for another project's events does not widen the scope.
    assert listed(member, trait('project_id', 'proj-b')) == []
    assert listed(member, trait('host', 'node-b')) == []
    assert listed(services.Client(member.base_url, headers=MEMBER_C)) == []


def test_an_admin_lists_the_events_of_every_project(admin):
    assert listed(admin, trait('project_id', 'proj-b')) == ['ev-5', 'ev-2']


def test_a_member_gets_its_project_events_only(member):
    assert member.get_json('/v2/events/ev-3')['event_type'] == DELETE
    for other in ('ev-2', 'ev-4', 'ev-5'):
        resp = member.get('/v2/events/' + other)
        assert client_error(resp, 404) == 'Event %s Not Found' % other


def test_a_caller_with_no_project_is_refused_the_events(server):
    # Ceilometer 5.0.0 answers 403 to a non-admin caller whose identity
    # names no project, rather than leaving it unscoped.
    headless = services.Client(server.url, headers={
        'X-Roles': 'member', 'X-User-Id': 'user-a'})
    assert headless.get('/v2/events').status_code == 403
    assert headless.get('/v2/events/ev-2').status_code == 403


# -- event types and traits --------------------------------------------------

def test_event_types(admin):
    assert admin.get_json('/v2/event_types') == sorted(
        [CREATE, DELETE, USER_CREATED, VOLUME])


def test_trait_descriptions_of_an_event_type(admin):
    got = admin.get_json('/v2/event_types/%s/traits' % CREATE)
    assert sorted((t['name'], t['type']) for t in got) == [
        ('host', 'string'), ('launched_at', 'datetime'), ('load', 'float'),
        ('memory_mb', 'integer'), ('project_id', 'string'),
        ('user_id', 'string')]
    got = admin.get_json('/v2/event_types/%s/traits' % VOLUME)
    assert sorted((t['name'], t['type']) for t in got) == [
        ('memory_mb', 'string'), ('project_id', 'string'),
        ('size', 'integer')]
    assert admin.get_json('/v2/event_types/no.such.type/traits') == []


def test_trait_values_of_an_event_type(admin):
    got = admin.get_json('/v2/event_types/%s/traits/memory_mb' % CREATE)
    assert sorted(got, key=lambda t: int(t['value'])) == [
        {'name': 'memory_mb', 'type': 'integer', 'value': '512'},
        {'name': 'memory_mb', 'type': 'integer', 'value': '2048'}]
    got = admin.get_json('/v2/event_types/%s/traits/launched_at' % CREATE)
    assert sorted(t['value'] for t in got) == [
        '2015-03-01T09:59:00', '2015-03-01T10:59:30']
    assert {t['type'] for t in got} == {'datetime'}
    got = admin.get_json('/v2/event_types/%s/traits/load' % DELETE)
    assert got == [{'name': 'load', 'type': 'float', 'value': '3.75'}]
    assert admin.get_json(
        '/v2/event_types/%s/traits/no_such_trait' % CREATE) == []
    assert admin.get_json(
        '/v2/event_types/no.such.type/traits/host') == []


def test_an_event_type_is_no_resource_of_its_own(admin):
    assert admin.get('/v2/event_types/%s' % CREATE).status_code == 404


@pytest.mark.parametrize('path', [
    '/v2/event_types',
    '/v2/event_types/%s' % CREATE,
    '/v2/event_types/%s/traits' % CREATE,
    '/v2/event_types/%s/traits/host' % CREATE,
])
def test_event_types_and_traits_are_for_admins(member, path):
    resp = member.get(path)
    assert resp.status_code == 401, resp.text
    fault = resp.json()['error_message']
    assert 'proj-a' in fault['faultstring']


# -- capabilities ------------------------------------------------------------

def test_capabilities_report_the_event_store(admin):
    caps = admin.get_json('/v2/capabilities')
    assert caps['api']['events:query:simple'] is True
    assert caps['event_storage'] == {'storage:production_ready': True}
