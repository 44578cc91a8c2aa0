"""Notifications into events: matching definitions, finding and typing
traits, the envelope (old format, timestamps, raw data), refusing bad
definitions and bad notifications, and the shipped definitions file."""

import copy
import datetime
import os

from jsonpath_ng import ext as jsonpath_ext
from oslo_config import cfg
import pytest

from ceilometer_proxy.event import converter
from ceilometer_proxy.event import models
from ceilometer_proxy.event import trait_plugins

TEXT = models.Trait.TEXT_TYPE
INT = models.Trait.INT_TYPE
FLOAT = models.Trait.FLOAT_TYPE
DATETIME = models.Trait.DATETIME_TYPE

PLUGINS = {'split': trait_plugins.SplitTraitPlugin,
           'bitfield': trait_plugins.BitfieldTraitPlugin,
           'timedelta': trait_plugins.TimedeltaTraitPlugin}

DEFAULT_TRAIT_NAMES = {'service', 'request_id', 'project_id', 'user_id',
                       'tenant_id'}


def notification(event_type='test.thing', message_id='msg-0001', **payload):
    """An old-format notification body."""
    return {'event_type': event_type, 'message_id': message_id,
            'priority': 'info', 'publisher_id': 'compute.host-1-2-3',
            'timestamp': '2013-08-08 21:06:37.803826', 'payload': payload}


def make_converter(definitions, **kwargs):
    kwargs.setdefault('plugins', PLUGINS)
    return converter.EventConverter(definitions, **kwargs)


def traits_of(event):
    return {trait.name: (trait.dtype, trait.value) for trait in event.traits}


def trait_value(trait_cfg, body):
    """The (type, value) of the trait ``trait_cfg`` gives for ``body``, or
    None without one."""
    definitions = [{'event_type': '*', 'traits': {'probe': trait_cfg}}]
    event = make_converter(definitions).to_event('info', body)
    return traits_of(event).get('probe')


# -- the event ---------------------------------------------------------------

def test_event_carries_the_envelope():
    event = make_converter([]).to_event('info', notification())
    assert isinstance(event, models.Event)
    assert event.event_type == 'test.thing'
    assert event.message_id == 'msg-0001'
    assert event.generated == datetime.datetime(2013, 8, 8, 21, 6, 37,
                                                803826)
    assert event.raw == {}


def test_traits_are_models_traits():
    event = make_converter([]).to_event('info', notification())
    [service] = event.traits
    assert service == models.Trait('service', TEXT, 'compute.host-1-2-3')
    assert type(service) is models.Trait


@pytest.mark.parametrize('timestamp, expected', [
    ('2013-08-08 21:06:37.803826', (2013, 8, 8, 21, 6, 37, 803826)),
    ('2013-08-08T21:06:37.803826', (2013, 8, 8, 21, 6, 37, 803826)),
    ('2013-08-08T21:06:37Z', (2013, 8, 8, 21, 6, 37)),
    ('2013-08-08T23:06:37+02:00', (2013, 8, 8, 21, 6, 37)),
    ('2013-08-08 16:06:37.5-05:00', (2013, 8, 8, 21, 6, 37, 500000)),
])
def test_generated_is_the_timestamp_in_naive_utc(timestamp, expected):
    body = dict(notification(), timestamp=timestamp)
    generated = make_converter([]).to_event('info', body).generated
    assert generated == datetime.datetime(*expected)
    assert generated.tzinfo is None


def test_generated_falls_back_on_the_context_timestamp():
    body = notification()
    del body['timestamp']
    body['_context_timestamp'] = '2013-08-08T21:00:00.000001'
    event = make_converter([]).to_event('info', body)
    assert event.generated == datetime.datetime(2013, 8, 8, 21, 0, 0, 1)


def test_generated_without_any_timestamp_is_now():
    body = notification()
    del body['timestamp']
    before = datetime.datetime.utcnow()
    event = make_converter([]).to_event('info', body)
    assert before <= event.generated <= datetime.datetime.utcnow()


# -- which definition --------------------------------------------------------

def matching(event_type, event_types):
    """Whether a definition for ``event_types`` converts ``event_type``."""
    definitions = [{'event_type': event_types, 'traits': {}}]
    conv = make_converter(definitions, drop_unmatched=True)
    return conv.to_event('info', notification(event_type)) is not None


@pytest.mark.parametrize('event_types, event_type, expected', [
    ('test.thing', 'test.thing', True),
    ('test.thing', 'random.thing', False),
    ('test.thing', 'test.thing.more', False),
    (['test.thing', 'other.thing'], 'other.thing', True),
    (['test.thing', 'other.thing'], 'random.thing', False),
    ('compute.instance.*', 'compute.instance.create.start', True),
    ('compute.instance.*', 'image.upload', False),
    ('compute.instance.*', 'Compute.instance.create.start', False),
    ('*.start', 'compute.instance.create.start', True),
    ('compute.instance.?', 'compute.instance.x', True),
    ('volume.[ad]*', 'volume.attach.end', True),
    ('volume.[ad]*', 'volume.create.end', False),
    (['*.start', '*.end', '!scheduler.*'], 'image.delete.end', True),
    (['*.start', '*.end', '!scheduler.*'], 'scheduler.run.start', False),
    (['*.start', '*.end', '!scheduler.*'], 'compute.instance.exists',
     False),
    ('!test.thing', 'test.thing', False),
    ('!test.thing', 'random.thing', True),
    (['!test.thing', '!other.thing'], 'other.thing', False),
    (['!test.thing', '!other.thing'], 'random.thing', True),
    (['*.thing', '!test.thing', '!other.thing'], 'random.thing', True),
    (['*.thing', '!test.thing', '!other.thing'], 'test.thing', False),
    (['*.thing', '!test.thing', '!other.thing'], 'random.whatzit', False),
    (['*', '!image.*'], 'image.upload', False),
    (['*', '!image.*'], 'compute.instance.exists', True),
    ('*', 'anything.at.all', True),
])
def test_event_type_patterns(event_types, event_type, expected):
    assert matching(event_type, event_types) is expected


def test_the_last_matching_definition_wins():
    definitions = [
        {'event_type': 'compute.instance.*',
         'traits': {'which': {'fields': 'payload.first'}}},
        {'event_type': 'compute.instance.create.*',
         'traits': {'which': {'fields': 'payload.second'}}},
        {'event_type': 'image.*',
         'traits': {'which': {'fields': 'payload.third'}}},
    ]
    conv = make_converter(definitions)
    values = dict(first='1st', second='2nd', third='3rd')
    create = conv.to_event('info', notification(
        'compute.instance.create.end', **values))
    delete = conv.to_event('info', notification(
        'compute.instance.delete.end', **values))
    assert create.trait('which') == '2nd'
    assert delete.trait('which') == '1st'


def test_a_later_definition_excluding_a_type_leaves_it_to_earlier_ones():
    definitions = [
        {'event_type': '*', 'traits': {'which': {'fields': 'payload.a'}}},
        {'event_type': ['!compute.*'],
         'traits': {'which': {'fields': 'payload.b'}}},
    ]
    conv = make_converter(definitions)
    assert conv.to_event('info', notification(
        'compute.instance.exists', a='A', b='B')).trait('which') == 'A'
    assert conv.to_event('info', notification(
        'image.upload', a='A', b='B')).trait('which') == 'B'


def test_unmatched_notifications_get_the_default_traits():
    definitions = [{'event_type': 'compute.instance.*',
                    'traits': {'host': {'fields': 'payload.host'}}}]
    body = notification('bogus.notification.from.mars', host='cydonia',
                        tenant_id='t-1')
    event = make_converter(definitions).to_event('info', body)
    assert event.event_type == 'bogus.notification.from.mars'
    assert traits_of(event) == {'service': (TEXT, 'compute.host-1-2-3'),
                                'project_id': (TEXT, 't-1'),
                                'tenant_id': (TEXT, 't-1')}


def test_unmatched_notifications_can_be_dropped():
    definitions = [{'event_type': 'compute.instance.*', 'traits': {}}]
    conv = make_converter(definitions, drop_unmatched=True)
    assert conv.to_event('info', notification('image.upload')) is None
    assert conv.to_event('info', notification(
        'compute.instance.exists')) is not None


def test_nothing_is_dropped_with_a_catch_all_definition():
    definitions = [{'event_type': '*',
                    'traits': {'host': {'fields': 'payload.host'}}}]
    conv = make_converter(definitions, drop_unmatched=True)
    event = conv.to_event('info', notification('any.thing', host='h'))
    assert event.trait('host') == 'h'


def test_no_definitions_drop_everything_when_asked():
    conv = make_converter([], drop_unmatched=True)
    assert conv.to_event('info', notification()) is None


def test_remembered_matches_stay_right_past_the_memory_size(monkeypatch):
    monkeypatch.setattr(converter, '_MATCH_CACHE_SIZE', 3)
    definitions = [{'event_type': 'even.*', 'traits': {}}]
    conv = make_converter(definitions, drop_unmatched=True)
    for round_ in range(2):
        for number in range(10):
            kind = 'even' if number % 2 == 0 else 'odd'
            event = conv.to_event('info', notification(
                '%s.%d' % (kind, number)))
            assert (event is not None) is (kind == 'even')


# -- finding trait values ----------------------------------------------------

BODY = notification(
    instance_uuid='uuid-for-instance-0001',
    instance_id='id-for-instance-0001',
    instance_uuid2=None,
    instance_id2=None,
    host='host-1-2-3',
    bogus_date='',
    image_meta={'disk_gb': '20', 'thing': 'whatzit',
                'org.openstack__1__os_distro': 'ubuntu'},
    volumes=[{'id': 'vol-a'}, {'id': 'vol-b'}],
    metadata=[{'key': 'image_id', 'value': 'img-1'},
              {'key': 'other', 'value': 'x'}],
    foobar=50)


@pytest.mark.parametrize('fields, expected', [
    ('payload.instance_id', 'id-for-instance-0001'),
    (['payload.instance_id'], 'id-for-instance-0001'),
    (['payload.instance_id', 'payload.instance_uuid'],
     'id-for-instance-0001'),
    (['payload.instance_uuid', 'payload.instance_id'],
     'uuid-for-instance-0001'),
    (['payload.instance_id2', 'payload.instance_uuid'],
     'uuid-for-instance-0001'),
    (['payload.not_here', 'payload.instance_uuid'],
     'uuid-for-instance-0001'),
    (['payload.image_meta.thing', 'payload.foobar'], 'whatzit'),
    (['payload.foobar', 'payload.image_meta.thing'], '50'),
    ('$.payload.host', 'host-1-2-3'),
    ('payload[host]', 'host-1-2-3'),
    ("payload.image_meta.'org.openstack__1__os_distro'", 'ubuntu'),
    ('payload.volumes[0].id', 'vol-a'),
    ('payload.volumes[-1].id', 'vol-b'),
    ("payload.metadata[?key='image_id'].value", 'img-1'),
    ('payload.metadata[?key=image_id].value', 'img-1'),
    ('payload.volumes[*].id', 'vol-a'),
    ('(payload.instance_id2)|(payload.host)', 'host-1-2-3'),
    ('publisher_id.`split(-, 1, -1)`', '1'),
    ('publisher_id', 'compute.host-1-2-3'),
])
def test_fields_find_the_first_non_null_value(fields, expected):
    assert trait_value({'fields': fields}, BODY) == (TEXT, expected)


@pytest.mark.parametrize('fields', [
    'payload.not_here',
    'payload.instance_id2',
    ['payload.not_here', 'payload.instance_id2'],
    'payload.host.deeper',
    'payload.volumes.id',
    'payload.volumes[5].id',
    'payload.image_meta[0]',
    "payload.metadata[?key='nope'].value",
    'nothing.at.all',
])
def test_fields_finding_nothing_give_no_trait(fields):
    assert trait_value({'fields': fields}, BODY) is None


def test_a_trait_may_be_just_its_jsonpath():
    assert trait_value('payload.host', BODY) == (TEXT, 'host-1-2-3')


@pytest.mark.parametrize('path', [
    'payload.a', 'payload.a.b', 'payload.a[0]', 'payload.a[1].b',
    'payload.a[-1]', "payload.'x.y'", '$.payload.a',
])
def test_plain_paths_find_what_jsonpath_finds(path):
    bodies = [{}, {'payload': None}, {'payload': 'text'},
              {'payload': {'a': None}}, {'payload': {'a': 'text'}},
              {'payload': {'a': {'b': 0}}}, {'payload': {'a': [1, 2]}},
              {'payload': {'a': [{'b': 'in list'}, {'b': False}]}},
              {'payload': {'a': []}}, {'payload': {'a': {0: 'int key'}}},
              {'payload': {'x.y': 'dotted'}}, {'payload': ['a', 'b']}]
    finder = converter.compile_path(path)
    for body in bodies:
        found = [m.value for m in jsonpath_ext.parse(path).find(body)
                 if m.value is not None]
        assert finder.first(body) == (found[0] if found else None), body


# -- types -------------------------------------------------------------------

@pytest.mark.parametrize('trait_cfg, expected', [
    ({'type': 'int', 'fields': 'payload.image_meta.disk_gb'}, (INT, 20)),
    ({'type': 'int', 'fields': 'payload.foobar'}, (INT, 50)),
    ({'type': 'integer', 'fields': 'payload.foobar'}, (INT, 50)),
    ({'type': 'float', 'fields': 'payload.foobar'}, (FLOAT, 50.0)),
    ({'type': 'text', 'fields': 'payload.foobar'}, (TEXT, '50')),
    ({'type': 'string', 'fields': 'payload.foobar'}, (TEXT, '50')),
    ({'fields': 'payload.volumes[0]'}, (TEXT, "{'id': 'vol-a'}")),
    ({'type': 'datetime', 'fields': 'timestamp'},
     (DATETIME, datetime.datetime(2013, 8, 8, 21, 6, 37, 803826))),
    ({'type': 'text', 'fields': 'payload.bogus_date'}, (TEXT, '')),
])
def test_trait_types(trait_cfg, expected):
    dtype, value = trait_value(trait_cfg, BODY)
    assert (dtype, value) == expected
    assert type(value) is type(expected[1])


@pytest.mark.parametrize('dtype, value, expected', [
    ('int', '42', 42), ('int', ' 42 ', 42), ('int', 42.9, 42),
    ('int', 'forty-two', None), ('int', '4.2', None), ('int', [4], None),
    ('int', float('nan'), None), ('int', '', None),
    ('float', '4.5', 4.5), ('float', 3, 3.0), ('float', 'x', None),
    ('float', 'inf', None), ('float', {}, None), ('float', '', None),
    ('datetime', '2015-05-06T10:11:12Z',
     datetime.datetime(2015, 5, 6, 10, 11, 12)),
    ('datetime', 'not a date', None), ('datetime', '', None),
    ('datetime', 1430907072, None),
    ('text', True, 'True'), ('text', b'bytes', 'bytes'),
])
def test_conversions_that_fail_leave_the_trait_out(dtype, value, expected):
    body = notification(value=value)
    found = trait_value({'type': dtype, 'fields': 'payload.value'}, body)
    if expected is None:
        assert found is None
    else:
        assert found == (models.Trait.get_type_by_name(dtype), expected)


def test_a_failed_conversion_leaves_the_other_traits():
    definitions = [{'event_type': '*', 'traits': {
        'size': {'type': 'int', 'fields': 'payload.size'},
        'name': {'fields': 'payload.name'}}}]
    event = make_converter(definitions).to_event(
        'info', notification(size='big', name='data'))
    assert event.trait('size') is None
    assert event.trait('name') == 'data'


def test_text_traits_are_cut_at_255_characters():
    found = trait_value({'fields': 'payload.long'},
                        notification(long='x' * 300))
    assert found == (TEXT, 'x' * 255)


# -- plugins in definitions --------------------------------------------------

class RecordingPlugin(trait_plugins.TraitPlugin):
    """Remembers what it was given; answers ``answer``."""

    made = []

    def __init__(self, answer='foobar', explode=False):
        self.answer = answer
        self.explode = explode
        self.calls = []
        RecordingPlugin.made.append(self)

    def trait_value(self, matches):
        self.calls.append(matches)
        if self.explode:
            raise RuntimeError('plugin bug')
        return self.answer


@pytest.fixture
def recorder():
    RecordingPlugin.made = []
    return RecordingPlugin


def plugin_trait(plugin_cfg, fields, body=BODY, plugins=None):
    definitions = [{'event_type': '*', 'traits': {
        'probe': {'fields': fields, 'plugin': plugin_cfg}}}]
    conv = converter.EventConverter(
        definitions, plugins=plugins or dict(PLUGINS, test=RecordingPlugin))
    return traits_of(conv.to_event('info', body)).get('probe')


def test_a_plugin_gets_every_match_with_its_path(recorder):
    fields = ['payload.instance_id', 'payload.instance_uuid',
              'payload.instance_id2', 'payload.not_here',
              'payload.volumes[*].id', 'payload.volumes[1].id',
              "payload.image_meta.'org.openstack__1__os_distro'"]
    assert plugin_trait('test', fields) == (TEXT, 'foobar')
    [plugin] = recorder.made
    assert plugin.calls == [[
        ('payload.instance_id', 'id-for-instance-0001'),
        ('payload.instance_uuid', 'uuid-for-instance-0001'),
        ('payload.volumes.[0].id', 'vol-a'),
        ('payload.volumes.[1].id', 'vol-b'),
        ('payload.volumes.[1].id', 'vol-b'),
        ('payload.image_meta.org.openstack__1__os_distro', 'ubuntu')]]


def test_a_plugin_is_asked_even_when_nothing_matched(recorder):
    assert plugin_trait('test', ['payload.nothere']) == (TEXT, 'foobar')
    assert recorder.made[0].calls == [[]]


def test_a_plugin_gets_its_parameters(recorder):
    found = plugin_trait({'name': 'test', 'parameters': {'answer': 7}},
                         'payload.host')
    assert found == (TEXT, '7')
    assert plugin_trait({'name': 'test', 'parameters': None},
                        'payload.host') == (TEXT, 'foobar')


def test_a_plugin_answering_none_gives_no_trait(recorder):
    cfg_ = {'name': 'test', 'parameters': {'answer': None}}
    assert plugin_trait(cfg_, 'payload.host') is None


def test_a_failing_plugin_gives_no_trait_but_the_event(recorder):
    cfg_ = {'name': 'test', 'parameters': {'explode': True}}
    assert plugin_trait(cfg_, 'payload.host') is None


def test_split_plugin_in_a_definition():
    assert plugin_trait('split', 'publisher_id') == (TEXT, 'compute')
    cfg_ = {'name': 'split', 'parameters': {'separator': '-',
                                            'segment': 1, 'max_split': 1}}
    assert plugin_trait(cfg_, 'publisher_id') == (TEXT, '1-2-3')


def test_bitfield_plugin_in_a_definition():
    definitions = [{'event_type': '*', 'traits': {'flags': {
        'type': 'int',
        'fields': ['payload.state', 'payload.task_state', 'payload.host'],
        'plugin': {'name': 'bitfield', 'parameters': {
            'initial_bitfield': 0x100,
            'flags': [{'path': 'payload.state', 'bit': 0,
                       'value': 'active'},
                      {'path': 'payload.task_state', 'bit': 1},
                      {'path': 'payload.host', 'bit': 2,
                       'value': 'elsewhere'}]}}}}}]
    conv = make_converter(definitions)
    event = conv.to_event('info', notification(
        state='active', task_state='spawning', host='here'))
    assert traits_of(event)['flags'] == (INT, 0x103)
    event = conv.to_event('info', notification(task_state=None))
    assert traits_of(event)['flags'] == (INT, 0x100)


def test_timedelta_plugin_in_a_definition():
    cfg_ = {'type': 'float',
            'fields': ['payload.created_at', 'payload.launched_at'],
            'plugin': 'timedelta'}
    body = notification(created_at='2015-05-06 10:11:12+00:00',
                        launched_at='2015-05-06T10:11:40.500000')
    definitions = [{'event_type': '*', 'traits': {'boot': cfg_}}]
    event = make_converter(definitions).to_event('info', body)
    assert traits_of(event)['boot'] == (FLOAT, 28.5)
    body['payload']['launched_at'] = ''
    assert make_converter(definitions).to_event(
        'info', body).trait('boot') is None


def test_the_installed_plugins_are_used_by_default():
    definitions = [{'event_type': '*', 'traits': {
        'host': {'fields': 'publisher_id', 'plugin': {
            'name': 'split', 'parameters': {'segment': 1}}}}}]
    event = converter.EventConverter(definitions).to_event(
        'info', notification())
    assert event.trait('host') == 'host-1-2-3'


# -- default traits ----------------------------------------------------------

def test_default_traits_from_the_payload_and_the_context():
    body = notification(tenant_id='t-payload', user_id='u-payload')
    body.update(_context_request_id='req-1', _context_tenant='t-ctx',
                _context_user_id='u-ctx')
    assert traits_of(make_converter([]).to_event('info', body)) == {
        'service': (TEXT, 'compute.host-1-2-3'),
        'request_id': (TEXT, 'req-1'),
        'project_id': (TEXT, 't-payload'),
        'tenant_id': (TEXT, 't-payload'),
        'user_id': (TEXT, 'u-payload')}


@pytest.mark.parametrize('context, project, user', [
    ({'_context_tenant': 't1', '_context_user_id': 'u1'}, 't1', 'u1'),
    ({'_context_project_id': 'p2', '_context_user': 'u2'}, 'p2', 'u2'),
    ({'_context_project': 'p3'}, 'p3', None),
    ({'_context_tenant': 't4', '_context_project_id': 'p4'}, 't4', None),
    ({}, None, None),
])
def test_default_owner_traits_from_the_context(context, project, user):
    body = dict(notification(), **context)
    event = make_converter([]).to_event('info', body)
    assert event.trait('project_id') == project
    assert event.trait('tenant_id') == project
    assert event.trait('user_id') == user


def test_a_definition_replaces_a_default_trait():
    definitions = [{'event_type': '*', 'traits': {
        'service': {'fields': 'publisher_id', 'plugin': 'split'},
        'project_id': {'fields': 'payload.owner'}}}]
    body = notification(owner='o-1', tenant_id='t-1')
    event = make_converter(definitions).to_event('info', body)
    assert [t.name for t in event.traits].count('service') == 1
    assert event.trait('service') == 'compute'
    assert event.trait('project_id') == 'o-1'
    assert event.trait('tenant_id') == 't-1'


def test_every_definition_has_the_default_traits():
    definitions = [{'event_type': 'a.*', 'traits': {}},
                   {'event_type': 'b.*',
                    'traits': {'x': {'fields': 'payload.x'}}}]
    body = dict(notification('b.thing', x=1, tenant_id='t', user_id='u'),
                _context_request_id='r')
    names = set(traits_of(make_converter(definitions).to_event(
        'info', body)))
    assert names == DEFAULT_TRAIT_NAMES | {'x'}


# -- raw notifications -------------------------------------------------------

@pytest.mark.parametrize('store_raw, kept', [
    ([], set()),
    (['info'], {'info'}),
    (['error'], {'error'}),
    (['info', 'error'], {'info', 'error'}),
    (['INFO'], {'info'}),
    (['unknown'], set()),
    (['info', 'unknown'], {'info'}),
])
def test_raw_notifications_kept_per_priority(store_raw, kept):
    conv = make_converter([], store_raw=store_raw)
    for priority in ('info', 'error', 'warn'):
        body = dict(notification(), priority=priority)
        event = conv.to_event(priority, body)
        assert event.raw == (body if priority in kept else {}), priority


def test_raw_priority_is_case_blind_and_defaults_to_the_body():
    conv = make_converter([], store_raw=['error'])
    body = dict(notification(), priority='ERROR')
    assert conv.to_event(None, body).raw is body
    assert conv.to_event('ERROR', notification()).raw == notification()
    assert conv.to_event('info', body).raw == {}


# -- old format --------------------------------------------------------------

def batch_message(**overrides):
    """What an oslo.messaging batch listener gives for a notification."""
    message = {
        'ctxt': {'request_id': 'req-9', 'user_id': 'u-9', 'tenant': 't-9',
                 'roles': ['member']},
        'publisher_id': 'compute.node-1',
        'event_type': 'compute.instance.exists',
        'payload': {'instance_id': 'i-9', 'tenant_id': 't-9'},
        'metadata': {'message_id': 'm-9',
                     'timestamp': '2015-05-06 10:11:12.131415'},
    }
    message.update(overrides)
    return message


def test_old_format_flattens_the_envelope_and_context():
    message = batch_message()
    assert converter.old_format('info', message) == {
        'priority': 'info',
        'message_id': 'm-9',
        'timestamp': '2015-05-06 10:11:12.131415',
        'event_type': 'compute.instance.exists',
        'publisher_id': 'compute.node-1',
        'payload': {'instance_id': 'i-9', 'tenant_id': 't-9'},
        '_context_request_id': 'req-9',
        '_context_user_id': 'u-9',
        '_context_tenant': 't-9',
        '_context_roles': ['member'],
    }


def test_old_format_leaves_its_input_alone():
    message = batch_message()
    before = copy.deepcopy(message)
    body = converter.old_format('error', message)
    body['payload']['added'] = True
    body['extra'] = 1
    message['payload'].pop('added')
    assert message == before


def test_old_format_priority_from_the_message_when_not_given():
    message = batch_message(priority='ERROR')
    assert converter.old_format(None, message)['priority'] == 'error'
    assert converter.old_format('warn', message)['priority'] == 'warn'


def test_old_format_without_context():
    body = converter.old_format('info', batch_message(ctxt=None))
    assert not [key for key in body if key.startswith('_context_')]
    body = converter.old_format('info', batch_message(ctxt={}))
    assert not [key for key in body if key.startswith('_context_')]


@pytest.mark.parametrize('message', [
    None, [], 'compute.instance.exists',
    batch_message(ctxt=['not', 'a', 'dict']),
    batch_message(metadata='m-1'),
])
def test_old_format_refuses_what_is_no_notification(message):
    with pytest.raises(converter.MalformedNotification):
        converter.old_format('info', message)


def test_old_format_body_converts():
    body = converter.old_format('info', batch_message())
    event = make_converter([]).to_event('info', body)
    assert event.message_id == 'm-9'
    assert event.generated == datetime.datetime(2015, 5, 6, 10, 11, 12,
                                                131415)
    assert traits_of(event) == {
        'service': (TEXT, 'compute.node-1'),
        'request_id': (TEXT, 'req-9'),
        'project_id': (TEXT, 't-9'),
        'tenant_id': (TEXT, 't-9'),
        'user_id': (TEXT, 'u-9')}


# -- malformed notifications -------------------------------------------------

def without(key):
    body = notification()
    del body[key]
    return body


@pytest.mark.parametrize('body, reason', [
    (None, 'not a mapping'),
    (['a', 'list'], 'not a mapping'),
    (without('event_type'), 'no event_type'),
    (dict(notification(), event_type=''), 'no event_type'),
    (dict(notification(), event_type=42), 'no event_type'),
    (without('message_id'), 'no message_id'),
    (dict(notification(), message_id=None), 'no message_id'),
    (dict(notification(), payload=['a', 'list']), 'payload is a list'),
    (dict(notification(), payload='text'), 'payload is a str'),
    (dict(notification(), timestamp='last tuesday'), 'not a datetime'),
    (dict(notification(), timestamp=1430907072), 'not a datetime'),
])
def test_malformed_notifications_are_refused(body, reason):
    conv = make_converter([])
    with pytest.raises(converter.MalformedNotification) as caught:
        conv.to_event('info', body)
    assert reason in str(caught.value)


def test_malformed_notification_is_a_value_error():
    assert issubclass(converter.MalformedNotification, ValueError)
    assert issubclass(converter.DefinitionError, ValueError)


def test_a_notification_without_payload_still_converts():
    for payload in (None, {}):
        body = dict(notification(), payload=payload)
        assert make_converter([]).to_event('info', body) is not None
    assert make_converter([]).to_event('info', without('payload'))


# -- invalid definitions -----------------------------------------------------

def one(**trait_cfg):
    return [{'event_type': 'test.*', 'traits': {'bad_trait': trait_cfg}}]


@pytest.mark.parametrize('definitions, problem', [
    ({'event_type': '*'}, 'must be a list'),
    ('compute.*', 'must be a list'),
    (['compute.*'], 'must be a mapping'),
    ([{'traits': {}}], "'event_type' is required"),
    ([{'event_type': '*'}], "'traits' is required"),
    ([{'event_type': '*', 'traits': {}, 'trait': {}}], 'unknown keys'),
    ([{'event_type': [], 'traits': {}}], 'event_type must be'),
    ([{'event_type': ['a.*', 3], 'traits': {}}], 'event_type must be'),
    ([{'event_type': '!', 'traits': {}}], 'event_type must be'),
    ([{'event_type': '', 'traits': {}}], 'event_type must be'),
    ([{'event_type': '*', 'traits': ['host']}], 'traits must be a mapping'),
    ([{'event_type': '*', 'traits': {3: 'payload.x'}}], 'not a text'),
    ([{'event_type': '*', 'traits': {'t': 42}}], 'must be a mapping'),
    (one(type='int'), '"fields" is required'),
    (one(fields=[]), '"fields" must be'),
    (one(fields=['payload.a', 3]), '"fields" must be'),
    (one(fields={'path': 'payload.a'}), '"fields" must be'),
    (one(fields='payload.bogus('), 'does not parse'),
    (one(fields=['payload.ok', 'payload..']), 'does not parse'),
    (one(fields='payload.a', type='bogus'), "unknown type 'bogus'"),
    (one(fields='payload.a', type='none'), "unknown type 'none'"),
    (one(fields='payload.a', typ='int'), 'unknown keys'),
    (one(fields='payload.a', plugin='bogus'),
     "no trait plugin named 'bogus'"),
    (one(fields='payload.a', plugin={'bogus': 'true'}),
     'unknown plugin keys'),
    (one(fields='payload.a', plugin={'parameters': {}}), 'without a name'),
    (one(fields='payload.a', plugin=['split']), 'must be a name or'),
    (one(fields='payload.a', plugin={'name': 'split', 'parameters': [1]}),
     'must be a mapping'),
    (one(fields='payload.a',
         plugin={'name': 'split', 'parameters': {'separator': ''}}),
     "plugin 'split' refuses its parameters"),
    (one(fields='payload.a',
         plugin={'name': 'split', 'parameters': {'sep': '-'}}),
     "plugin 'split' refuses its parameters"),
    (one(fields='payload.a',
         plugin={'name': 'bitfield', 'parameters': {'flags': [{}]}}),
     "plugin 'bitfield' refuses its parameters"),
])
def test_invalid_definitions_are_refused(definitions, problem):
    with pytest.raises(converter.DefinitionError) as caught:
        make_converter(definitions)
    assert problem in str(caught.value)


def test_a_definition_error_says_where():
    definitions = [{'event_type': 'good.*', 'traits': {}},
                   {'event_type': 'compute.instance.*', 'traits': {
                       'memory_mb': {'type': 'integr',
                                     'fields': 'payload.memory_mb'}}},
                   {'event_type': 'later.*', 'traits': {'x': {}}}]
    with pytest.raises(converter.DefinitionError) as caught:
        make_converter(definitions)
    message = str(caught.value)
    assert message.startswith('event definition 2 (compute.instance.*), '
                              "trait 'memory_mb': unknown type 'integr'")


def test_empty_or_null_traits_mean_just_the_defaults():
    for traits in (None, {}):
        conv = make_converter([{'event_type': '*', 'traits': traits}])
        assert conv.to_event('info', notification()).trait('service')


# -- loading from the options ------------------------------------------------

@pytest.fixture
def conf():
    conf = cfg.ConfigOpts()
    conf.register_opts(converter.OPTS, group='event')
    conf([], project='ceilometer-proxy-test', default_config_files=[])
    return conf


def write(path, text):
    path.write_text(text)
    return str(path)


def test_the_options_and_their_defaults(conf):
    assert conf.event.definitions_cfg_file == 'event_definitions.yaml'
    assert conf.event.drop_unmatched_notifications is False
    assert conf.event.store_raw == []


def test_load_converter_reads_the_named_file(conf, tmp_path):
    path = write(tmp_path / 'defs.yaml', """
- event_type: compute.instance.*
  traits: &base
    host:
      fields: publisher_id
      plugin:
        name: split
        parameters: {segment: 1}
- event_type: compute.instance.exists
  traits:
    <<: *base
    period:
      type: datetime
      fields: payload.audit_period_ending
""")
    conf.set_override('definitions_cfg_file', path, group='event')
    conf.set_override('store_raw', ['info'], group='event')
    conv = converter.load_converter(conf)
    body = notification('compute.instance.exists',
                        audit_period_ending='2015-05-07 00:00:00')
    event = conv.to_event('info', body)
    assert event.trait('host') == 'host-1-2-3'
    assert event.trait('period') == datetime.datetime(2015, 5, 7)
    assert event.raw is body


def test_load_converter_looks_next_to_the_config_files(tmp_path):
    write(tmp_path / 'event_definitions.yaml',
          "- {event_type: '*', traits: {kind: {fields: payload.kind}}}\n")
    conf = cfg.ConfigOpts()
    conf([], project='ceilometer-proxy-test', default_config_files=[
        write(tmp_path / 'proxy.conf', '[event]\nstore_raw = error\n')])
    conv = converter.load_converter(conf)
    event = conv.to_event('error', notification(kind='found'))
    assert event.trait('kind') == 'found'
    assert event.raw


def test_without_a_definitions_file_only_the_defaults(
        conf, tmp_path, caplog):
    conf.set_override('definitions_cfg_file',
                      str(tmp_path / 'missing.yaml'), group='event')
    event = converter.load_converter(conf).to_event(
        'info', notification(tenant_id='t'))
    assert set(traits_of(event)) == {'service', 'project_id', 'tenant_id'}
    assert 'No event definitions file' in caplog.text

    conf.set_override('drop_unmatched_notifications', True, group='event')
    assert converter.load_converter(conf).to_event(
        'info', notification()) is None


def test_an_empty_definitions_file_is_no_definitions(conf, tmp_path):
    conf.set_override('definitions_cfg_file',
                      write(tmp_path / 'empty.yaml', '# nothing yet\n'),
                      group='event')
    event = converter.load_converter(conf).to_event('info', notification())
    assert set(traits_of(event)) == {'service'}


@pytest.mark.parametrize('text, problem', [
    ('- event_type: [a\n  traits: {}\n', 'invalid YAML'),
    ('event_type: "*"\ntraits: {}\n', 'must hold a list'),
    ('- event_type: "*"\n  traits: {x: {type: int}}\n',
     '"fields" is required'),
])
def test_a_bad_definitions_file_is_refused(conf, tmp_path, text, problem):
    path = write(tmp_path / 'bad.yaml', text)
    conf.set_override('definitions_cfg_file', path, group='event')
    with pytest.raises(converter.DefinitionError) as caught:
        converter.load_converter(conf)
    assert problem in str(caught.value)
    assert path in str(caught.value)


def test_a_yaml_error_gives_its_line(conf, tmp_path):
    path = write(tmp_path / 'bad.yaml',
                 '- event_type: "*"\n  traits:\n    x: {fields: [a, b}\n')
    conf.set_override('definitions_cfg_file', path, group='event')
    with pytest.raises(converter.DefinitionError) as caught:
        converter.load_converter(conf)
    assert 'at line 3' in str(caught.value)


# -- the shipped definitions -------------------------------------------------

SHIPPED = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'etc',
                       'ceilometer-proxy', 'event_definitions.yaml')

PROJECT = '7f13f2b17917463b9ee21aa92c4b36d6'
USER = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
INSTANCE = '9e1b4f0c-2c5e-4d1e-9a3e-5b7f0c2d4e6a'


@pytest.fixture(scope='module')
def shipped():
    conf = cfg.ConfigOpts()
    conf.register_opts(converter.OPTS, group='event')
    conf([], project='ceilometer-proxy-test', default_config_files=[])
    conf.set_override('definitions_cfg_file', SHIPPED, group='event')
    return converter.load_converter(conf)


def bus_message(event_type, publisher_id, payload, ctxt=None,
                message_id='5f1c0c6e-94a3-4f53-8a4a-1f0a7b3c9d21',
                timestamp='2015-05-06 10:11:40.654321'):
    return {'ctxt': ctxt if ctxt is not None else nova_context(),
            'publisher_id': publisher_id, 'event_type': event_type,
            'payload': payload,
            'metadata': {'message_id': message_id, 'timestamp': timestamp}}


def nova_context():
    return {'request_id': 'req-5b3b1f2a-7c1d-4f2e-8d9c-0a1b2c3d4e5f',
            'global_request_id': None, 'user_id': USER,
            'project_id': PROJECT, 'tenant': PROJECT, 'user': USER,
            'user_name': 'alice', 'project_name': 'web', 'is_admin': False,
            'roles': ['member', 'reader'], 'read_only': False,
            'show_deleted': False, 'auth_token': 'gAAAAABVSj...',
            'remote_address': '10.0.0.15', 'instance_lock_checked': False,
            'timestamp': '2015-05-06T10:11:11.962612'}


def nova_instance_payload(**changes):
    payload = {
        'tenant_id': PROJECT, 'user_id': USER, 'instance_id': INSTANCE,
        'display_name': 'web-01', 'hostname': 'web-01',
        'reservation_id': 'r-3k1ppwqt', 'host': 'node-7',
        'node': 'node-7.example.org', 'cell_name': '',
        'availability_zone': 'nova', 'instance_type': 'm1.small',
        'instance_type_id': 5, 'instance_flavor_id': '2',
        'memory_mb': 2048, 'vcpus': 1, 'root_gb': 20, 'disk_gb': 20,
        'ephemeral_gb': 0, 'architecture': None, 'os_type': None,
        'kernel_id': '', 'ramdisk_id': '',
        'image_ref_url': 'http://10.0.0.2:9292/images/'
                         'c9c6e2a4-4fd0-4b7d-8c3e-7b0b9f1a2d3e',
        'image_meta': {'base_image_ref':
                       'c9c6e2a4-4fd0-4b7d-8c3e-7b0b9f1a2d3e',
                       'container_format': 'bare', 'disk_format': 'qcow2',
                       'min_disk': '20', 'min_ram': '0',
                       'org.openstack__1__os_distro': 'ubuntu',
                       'org.openstack__1__os_version': '14.04',
                       'org.openstack__1__architecture': 'x86_64'},
        'created_at': '2015-05-06 10:11:12+00:00',
        'launched_at': '2015-05-06T10:11:40.123456',
        'terminated_at': '', 'deleted_at': '',
        'state': 'active', 'state_description': '', 'progress': '',
        'access_ip_v4': None, 'access_ip_v6': None, 'metadata': {},
        'fixed_ips': [{'address': '10.0.0.5', 'type': 'fixed',
                       'version': 4, 'label': 'private',
                       'vif_mac': 'fa:16:3e:00:00:01', 'meta': {},
                       'floating_ips': []}],
        'message': 'Success',
    }
    payload.update(changes)
    return payload


def convert(shipped, message):
    body = converter.old_format('info', message)
    return shipped.to_event('info', body)


def test_shipped_nova_instance_create_end(shipped):
    event = convert(shipped, bus_message(
        'compute.instance.create.end', 'compute.node-7.example.org',
        nova_instance_payload()))
    assert event.event_type == 'compute.instance.create.end'
    assert event.generated == datetime.datetime(2015, 5, 6, 10, 11, 40,
                                                654321)
    assert traits_of(event) == {
        'service': (TEXT, 'compute'),
        'host': (TEXT, 'node-7.example.org'),
        'request_id': (TEXT, 'req-5b3b1f2a-7c1d-4f2e-8d9c-0a1b2c3d4e5f'),
        'project_id': (TEXT, PROJECT),
        'tenant_id': (TEXT, PROJECT),
        'user_id': (TEXT, USER),
        'instance_id': (TEXT, INSTANCE),
        'resource_id': (TEXT, INSTANCE),
        'display_name': (TEXT, 'web-01'),
        'cell_name': (TEXT, ''),
        'state': (TEXT, 'active'),
        'instance_type': (TEXT, 'm1.small'),
        'instance_type_id': (TEXT, '5'),
        'instance_flavor_id': (TEXT, '2'),
        'memory_mb': (INT, 2048),
        'vcpus': (INT, 1),
        'disk_gb': (INT, 20),
        'root_gb': (INT, 20),
        'ephemeral_gb': (INT, 0),
        'os_distro': (TEXT, 'ubuntu'),
        'os_version': (TEXT, '14.04'),
        'os_architecture': (TEXT, 'x86_64'),
        'launched_at': (DATETIME,
                        datetime.datetime(2015, 5, 6, 10, 11, 40, 123456)),
        'availability_zone': (TEXT, 'nova'),
    }


def test_shipped_nova_instance_delete_end(shipped):
    payload = nova_instance_payload(
        state='deleted', deleted_at='2015-05-07T08:00:01.000000',
        terminated_at='2015-05-07T08:00:00.500000')
    traits = traits_of(convert(shipped, bus_message(
        'compute.instance.delete.end', 'compute.node-7.example.org',
        payload)))
    assert traits['state'] == (TEXT, 'deleted')
    assert traits['deleted_at'] == (DATETIME,
                                    datetime.datetime(2015, 5, 7, 8, 0, 1))
    assert traits['launched_at'][0] == DATETIME
    assert traits['memory_mb'] == (INT, 2048)
    assert traits['host'] == (TEXT, 'node-7.example.org')
    # Only compute.instance.create.end reports the zone.
    assert 'availability_zone' not in traits


def test_shipped_nova_instance_update_and_exists(shipped):
    update = traits_of(convert(shipped, bus_message(
        'compute.instance.update', 'compute.node-7.example.org',
        nova_instance_payload(old_state='building', state='active'))))
    assert update['old_state'] == (TEXT, 'building')
    exists = traits_of(convert(shipped, bus_message(
        'compute.instance.exists', 'compute.node-7.example.org',
        nova_instance_payload(
            audit_period_beginning='2015-05-06T00:00:00.000000',
            audit_period_ending='2015-05-07T00:00:00.000000'))))
    assert exists['audit_period_ending'] == (
        DATETIME, datetime.datetime(2015, 5, 7))
    assert exists['vcpus'] == (INT, 1)


def test_shipped_nova_instance_resize(shipped):
    traits = traits_of(convert(shipped, bus_message(
        'compute.instance.resize.prep.end', 'compute.node-7.example.org',
        nova_instance_payload(new_instance_type='m1.large',
                              new_instance_type_id=7))))
    assert traits['new_instance_type'] == (TEXT, 'm1.large')
    assert traits['new_instance_type_id'] == (TEXT, '7')
    assert traits['instance_type'] == (TEXT, 'm1.small')


def test_shipped_cinder_volume_create_end(shipped):
    volume = 'b2f3b9a8-6a43-4d6e-9e0c-2c4b1d8e7f60'
    payload = {
        'tenant_id': PROJECT, 'user_id': USER,
        'host': 'block-1@lvmdriver-1#lvmdriver-1',
        'availability_zone': 'nova', 'volume_id': volume,
        'volume_type': '3a4d6f5e-8b7c-4d2e-a1f0-9e8d7c6b5a43',
        'display_name': 'data-01', 'size': 10, 'status': 'available',
        'snapshot_id': None, 'created_at': '2015-05-06 10:20:00+00:00',
        'launched_at': '2015-05-06T10:20:05.000000',
        'replication_status': 'disabled',
        'replication_extended_status': None,
        'replication_driver_data': None, 'metadata': [],
        'volume_attachment': [],
        'glance_metadata': [
            {'key': 'image_name', 'value': 'cirros-0.3.4-x86_64'},
            {'key': 'image_id',
             'value': 'c9c6e2a4-4fd0-4b7d-8c3e-7b0b9f1a2d3e'},
            {'key': 'checksum', 'value': 'ee1eca47dc88f4879d8a229cc70a07c6'},
        ],
    }
    ctxt = dict(nova_context(), request_id='req-cinder-1')
    event = convert(shipped, bus_message(
        'volume.create.end', 'volume.block-1@lvmdriver-1', payload, ctxt))
    assert traits_of(event) == {
        'service': (TEXT, 'volume.block-1@lvmdriver-1'),
        'request_id': (TEXT, 'req-cinder-1'),
        'project_id': (TEXT, PROJECT),
        'tenant_id': (TEXT, PROJECT),
        'user_id': (TEXT, USER),
        'resource_id': (TEXT, volume),
        'host': (TEXT, 'block-1@lvmdriver-1#lvmdriver-1'),
        'availability_zone': (TEXT, 'nova'),
        'display_name': (TEXT, 'data-01'),
        'size': (INT, 10),
        'type': (TEXT, '3a4d6f5e-8b7c-4d2e-a1f0-9e8d7c6b5a43'),
        'status': (TEXT, 'available'),
        'replication_status': (TEXT, 'disabled'),
        'created_at': (DATETIME, datetime.datetime(2015, 5, 6, 10, 20)),
        'image_id': (TEXT, 'c9c6e2a4-4fd0-4b7d-8c3e-7b0b9f1a2d3e'),
    }

    payload.update(status='in-use', volume_attachment=[
        {'server_id': INSTANCE, 'attach_status': 'attached',
         'mountpoint': '/dev/vdb'}])
    attached = convert(shipped, bus_message(
        'volume.attach.end', 'volume.block-1@lvmdriver-1', payload, ctxt))
    assert attached.trait('instance_id') == INSTANCE


def test_shipped_cinder_snapshot(shipped):
    payload = {'tenant_id': PROJECT, 'user_id': USER,
               'snapshot_id': 'snap-1', 'volume_id': 'vol-1',
               'display_name': 'nightly', 'status': 'available',
               'volume_size': 10, 'availability_zone': 'nova',
               'created_at': '2015-05-06 11:00:00+00:00'}
    traits = traits_of(convert(shipped, bus_message(
        'snapshot.create.end', 'snapshot.block-1', payload)))
    assert traits['resource_id'] == (TEXT, 'snap-1')
    assert traits['volume_id'] == (TEXT, 'vol-1')
    assert 'size' not in traits


def test_shipped_glance_image_upload(shipped):
    image = 'c9c6e2a4-4fd0-4b7d-8c3e-7b0b9f1a2d3e'
    payload = {
        'id': image, 'name': 'cirros-0.3.4-x86_64', 'status': 'active',
        'owner': PROJECT, 'size': 13287936, 'virtual_size': None,
        'checksum': 'ee1eca47dc88f4879d8a229cc70a07c6',
        'container_format': 'bare', 'disk_format': 'qcow2',
        'visibility': 'public', 'protected': False, 'min_disk': 0,
        'min_ram': 0, 'tags': [], 'deleted': False, 'deleted_at': None,
        'created_at': '2015-05-06T10:30:00Z',
        'updated_at': '2015-05-06T10:30:04Z',
        'properties': {'hw_disk_bus': 'virtio'},
    }
    ctxt = {'request_id': 'req-glance-1', 'user': USER, 'tenant': PROJECT,
            'roles': ['admin'], 'is_admin': True}
    event = convert(shipped, bus_message(
        'image.upload', 'image.localhost', payload, ctxt))
    assert traits_of(event) == {
        'service': (TEXT, 'image.localhost'),
        'request_id': (TEXT, 'req-glance-1'),
        'tenant_id': (TEXT, PROJECT),
        'project_id': (TEXT, PROJECT),
        'user_id': (TEXT, PROJECT),
        'resource_id': (TEXT, image),
        'name': (TEXT, 'cirros-0.3.4-x86_64'),
        'status': (TEXT, 'active'),
        'size': (INT, 13287936),
        'created_at': (DATETIME, datetime.datetime(2015, 5, 6, 10, 30)),
    }


def neutron_context():
    return {'user_id': USER, 'tenant_id': PROJECT, 'project_id': PROJECT,
            'is_admin': False, 'roles': ['member'],
            'request_id': 'req-neutron-1', 'tenant_name': 'web',
            'project_name': 'web', 'user_name': 'alice',
            'timestamp': '2015-05-06 10:35:00.123456'}


def test_shipped_neutron_port_create_end(shipped):
    port = '0f2c8e8a-4b1d-4a5b-9d6e-3c2b1a0f9e8d'
    payload = {'port': {
        'id': port, 'name': 'web-01-port', 'network_id': 'net-1',
        'tenant_id': PROJECT, 'project_id': PROJECT,
        'mac_address': 'fa:16:3e:00:00:01', 'admin_state_up': True,
        'status': 'DOWN', 'device_id': INSTANCE,
        'device_owner': 'compute:nova',
        'fixed_ips': [{'subnet_id': 'subnet-1', 'ip_address': '10.0.0.5'}],
        'security_groups': ['sg-1'], 'binding:vnic_type': 'normal',
    }}
    event = convert(shipped, bus_message(
        'port.create.end', 'network.controller-1', payload,
        neutron_context()))
    assert traits_of(event) == {
        'service': (TEXT, 'network.controller-1'),
        'request_id': (TEXT, 'req-neutron-1'),
        'project_id': (TEXT, PROJECT),
        'tenant_id': (TEXT, PROJECT),
        'user_id': (TEXT, USER),
        'resource_id': (TEXT, port),
        'name': (TEXT, 'web-01-port'),
    }

    deleted = convert(shipped, bus_message(
        'port.delete.end', 'network.controller-1', {'port_id': port},
        neutron_context()))
    assert deleted.trait('resource_id') == port
    assert deleted.trait('name') is None


def test_shipped_neutron_floatingip_and_router(shipped):
    floating = convert(shipped, bus_message(
        'floatingip.update.end', 'network.controller-1',
        {'floatingip': {'id': 'fip-1', 'floating_ip_address': '172.24.4.3',
                        'port_id': 'port-1'}}, neutron_context()))
    assert floating.trait('resource_id') == 'fip-1'
    router = convert(shipped, bus_message(
        'router.delete.end', 'network.controller-1', {'router_id': 'r-1'},
        neutron_context()))
    assert router.trait('resource_id') == 'r-1'


def test_shipped_keystone_identity_project_created(shipped):
    new_project = '4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a99'
    payload = {
        'typeURI': 'http://schemas.dmtf.org/cloud/audit/1.0/event',
        'id': '4d5e2b6f-8c7a-4a3b-9f1e-0d2c3b4a5f6e',
        'eventTime': '2015-05-06T10:40:00.123456+0000',
        'action': 'created.project', 'eventType': 'activity',
        'outcome': 'success',
        'initiator': {'typeURI': 'service/security/account/user',
                      'id': USER, 'project_id': PROJECT,
                      'host': {'agent': 'python-openstackclient',
                               'address': '10.0.0.9'},
                      'request_id': 'req-keystone-1'},
        'target': {'typeURI': 'data/security/project',
                   'id': new_project},
        'observer': {'typeURI': 'service/security',
                     'id': 'openstack:0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e'},
        'resource_info': new_project,
    }
    event = convert(shipped, bus_message(
        'identity.project.created', 'identity.keystone-1', payload, {}))
    assert traits_of(event) == {
        'service': (TEXT, 'identity.keystone-1'),
        'resource_id': (TEXT, new_project),
        'initiator_id': (TEXT, USER),
        'project_id': (TEXT, PROJECT),
    }


def test_shipped_keystone_authenticate(shipped):
    payload = {
        'typeURI': 'http://schemas.dmtf.org/cloud/audit/1.0/event',
        'id': 'e1f2', 'eventTime': '2015-05-06T10:41:00.000001+0000',
        'action': 'authenticate', 'eventType': 'activity',
        'outcome': 'success',
        'initiator': {'typeURI': 'service/security/account/user',
                      'id': USER, 'name': 'alice',
                      'host': {'agent': 'curl/7.35', 'address': '10.0.0.9'}},
        'target': {'typeURI': 'service/security/account/user',
                   'id': 'target-1'},
        'observer': {'typeURI': 'service/security', 'id': 'openstack:o-1'},
    }
    traits = traits_of(convert(shipped, bus_message(
        'identity.authenticate', 'identity.keystone-1', payload, {})))
    assert traits['eventTime'] == (
        DATETIME, datetime.datetime(2015, 5, 6, 10, 41, 0, 1))
    assert traits['initiator_host_addr'] == (TEXT, '10.0.0.9')
    assert traits['initiator_name'] == (TEXT, 'alice')
    assert traits['outcome'] == (TEXT, 'success')


def test_shipped_heat_orchestration_stack_create_end(shipped):
    stack = ('arn:openstack:heat::%s:stacks/web-stack/'
             '6d3f2c1b-0a9e-4d8c-b7a6-5f4e3d2c1b0a' % PROJECT)
    payload = {'tenant_id': PROJECT, 'user_id': 'alice',
               'stack_identity': stack, 'stack_name': 'web-stack',
               'create_at': '2015-05-06T10:50:00Z',
               'state': 'CREATE_COMPLETE',
               'state_reason': 'Stack CREATE completed successfully',
               'tags': None, 'updated_at': None}
    ctxt = {'auth_token': 'gAAAAABVSj...', 'username': 'alice',
            'user_id': USER, 'tenant_id': PROJECT, 'tenant': 'web',
            'trustor_user_id': None, 'trust_id': None,
            'request_id': 'req-heat-1', 'is_admin': False,
            'roles': ['member', 'heat_stack_owner'], 'region_name': None}
    event = convert(shipped, bus_message(
        'orchestration.stack.create.end', 'orchestration.heat-engine-1',
        payload, ctxt))
    assert traits_of(event) == {
        'service': (TEXT, 'orchestration.heat-engine-1'),
        'request_id': (TEXT, 'req-heat-1'),
        'project_id': (TEXT, PROJECT),
        'tenant_id': (TEXT, PROJECT),
        'user_id': (TEXT, USER),
        'resource_id': (TEXT, stack),
        'name': (TEXT, 'web-stack'),
    }

    ctxt['trustor_user_id'] = 'trustor-1'
    delegated = convert(shipped, bus_message(
        'orchestration.stack.update.end', 'orchestration.heat-engine-1',
        payload, ctxt))
    assert delegated.trait('user_id') == 'trustor-1'


def test_shipped_swift_request_gets_audit_and_storage_traits(shipped):
    payload = {
        'typeURI': 'http://schemas.dmtf.org/cloud/audit/1.0/event',
        'id': 'sw-1', 'eventTime': '2015-05-06T10:55:00.000000+0000',
        'action': 'read', 'eventType': 'activity', 'outcome': 'success',
        'requestPath': '/v1/AUTH_%s/photos/cat.jpg' % PROJECT,
        'initiator': {'typeURI': 'service/security/account/user',
                      'id': USER, 'project_id': PROJECT},
        'target': {'typeURI': 'service/storage/object',
                   'id': 'target', 'action': 'get',
                   'metadata': {'path': '/v1/AUTH_x/photos/cat.jpg',
                                'version': 'v1', 'container': 'photos',
                                'object': 'cat.jpg'}},
        'observer': {'id': 'target'},
    }
    traits = traits_of(convert(shipped, bus_message(
        'objectstore.http.request', 'ceilometermiddleware', payload, {})))
    assert traits['target_metadata_container'] == (TEXT, 'photos')
    assert traits['requestPath'][1].endswith('/photos/cat.jpg')
    assert traits['project_id'] == (TEXT, PROJECT)
    assert traits['eventTime'][0] == DATETIME


def test_shipped_unknown_notifications_keep_the_default_traits(shipped):
    event = convert(shipped, bus_message(
        'scheduler.select_destinations.end', 'scheduler.node-1', {}))
    assert set(traits_of(event)) == DEFAULT_TRAIT_NAMES


def test_shipped_compute_paths_are_plain_lookups(shipped):
    """Not a benchmark, a guard against an accidental slow path: plain
    paths must stay dictionary lookups."""
    message = bus_message('compute.instance.create.end',
                          'compute.node-7.example.org',
                          nova_instance_payload())
    body = converter.old_format('info', message)
    definition = shipped._definition_for('compute.instance.create.end')
    finders = [finder for trait in definition.traits
               for finder in trait._finders]
    assert all(type(f).__name__ in ('_NamePath', '_KeyPath')
               for f in finders)
    assert shipped.to_event('info', body).trait('memory_mb') == 2048
