"""python-ceilometerclient 2.9.0's event commands against a running API.

The client (tests/functional/test_ceilometerclient.py builds and runs it)
asks a local-mode API whose event store was filled through the event
store driver, and a cascading API in front of two local-mode regions that
each keep some of the events: there its answers are the regions' merged.
"""

import datetime
import json

import pytest

from tests import deployment
from tests import services
from tests.functional import test_ceilometerclient as cc
from tests.functional.test_ceilometerclient import ceilometer_bin  # noqa: F401

CREATE = 'compute.instance.create.end'
DELETE = 'compute.instance.delete.end'
AUTH = 'identity.authenticate'
T0 = datetime.datetime(2015, 6, 1, 10, 0, 0)

# Local mode: message id -> (event type, hours after T0, traits, raw).
LOCAL = {
    'l-1': (CREATE, 0, [
        ('host', 'string', 'node-a'), ('memory_mb', 'integer', 512),
        ('load', 'float', 0.5),
        ('launched_at', 'datetime', datetime.datetime(2015, 6, 1, 9, 58)),
        ('project_id', 'string', 'p1')],
        {'payload': {'state': 'active'}, 'priority': 'INFO'}),
    'l-2': (CREATE, 1, [
        ('host', 'string', 'node-b'), ('memory_mb', 'integer', 2048),
        ('load', 'float', 1.25),
        ('launched_at', 'datetime',
         datetime.datetime(2015, 6, 1, 10, 59, 0, 250000)),
        ('project_id', 'string', 'p2')], {}),
    'l-3': (DELETE, 2, [
        ('host', 'string', 'node-a'), ('memory_mb', 'integer', 4096),
        ('project_id', 'string', 'p1')], {}),
    'l-4': (AUTH, 3, [], {}),
}
LOCAL_ORDER = ['l-4', 'l-3', 'l-2', 'l-1']

# Cascading mode: message id -> (region, event type, hours, traits).
CASCADED = {
    'r1-a': ('regionOne', CREATE, 0, [('vcpus', 'integer', 1)]),
    'r2-a': ('regionTwo', CREATE, 1, [('vcpus', 'integer', 2)]),
    'r1-b': ('regionOne', CREATE, 2, [('vcpus', 'integer', 4),
                                      ('zone', 'string', 'nova')]),
    'r2-b': ('regionTwo', 'volume.delete.end', 3, [('size', 'integer', 1)]),
    'r1-c': ('regionOne', 'image.update', 4, [('name', 'string', 'cirros')]),
    'r2-c': ('regionTwo', CREATE, 5, [('vcpus', 'integer', 8),
                                      ('ratio', 'float', 1.5)]),
}
CASCADED_ORDER = ['r2-c', 'r1-c', 'r2-b', 'r1-b', 'r2-a', 'r1-a']


def at(hours):
    return T0 + datetime.timedelta(hours=hours)


def shown(type_name, value):
    return value.isoformat() if type_name == 'datetime' else str(value)


def model(message_id, event_type, hours, traits, raw):
    from ceilometer_proxy.event import models

    return models.Event(
        message_id=message_id, event_type=event_type, generated=at(hours),
        traits=[models.Trait(name, models.Trait.get_type_by_name(kind),
                             value) for name, kind, value in traits],
        raw=raw)


# -- reading the client's tables ---------------------------------------------

def _columns(border):
    return [i for i, c in enumerate(border) if c == '+']


def _split(line, edges):
    return [line[a + 1:b].strip() for a, b in zip(edges, edges[1:])]


def parse_event_list(text):
    """The rows of ``event-list`` as dicts; the Traits column (a table in
    each cell) becomes a list of (name, type, value), sorted by name as the
    client prints it."""
    lines = text.splitlines()
    borders = [ln for ln in lines if ln.startswith('+')]
    assert borders, 'no table in output:\n%s' % text
    edges = _columns(borders[0])
    body = [ln for ln in lines if ln.startswith('|')]
    header = _split(body[0], edges)
    rows = []
    for line in body[1:]:
        cells = _split(line, edges)
        if cells[0]:
            rows.append({'cells': dict(zip(header, cells)), 'nested': []})
        elif 'Traits' in header:
            rows[-1]['nested'].append(cells[header.index('Traits')])
    out = []
    for row in rows:
        event = row['cells']
        if 'Traits' in header:
            nested = [event['Traits']] + row['nested']
            values = [[c.strip() for c in ln.strip('|').split('|')]
                      for ln in nested if ln.startswith('|')]
            assert not values or values[0] == ['name', 'type', 'value'], (
                values)
            event['Traits'] = [tuple(v) for v in values[1:]]
        out.append(event)
    return out


def event_list(cli, *args):
    return parse_event_list(cli.run('event-list', *args).stdout)


def expected_traits(traits):
    return sorted((name, kind, shown(kind, value))
                  for name, kind, value in traits)


def event_show(cli, message_id):
    shown_event = cli.mapping('event-show', message_id)
    # print_dict wraps long values at spaces; the JSON reads back whole.
    for key in ('traits', 'raw'):
        shown_event[key] = json.loads(shown_event[key].replace('\n', ' '))
    return shown_event


# -- local mode --------------------------------------------------------------

@pytest.fixture(scope='module')
def local(ceilometer_bin, api_server):  # noqa: F811
    services.record_events(api_server.db_url, [
        model(m, *spec) for m, spec in LOCAL.items()])
    return cc.Cli(ceilometer_bin, api_server.url)


def test_event_list(local):
    rows = event_list(local)
    assert [r['Message ID'] for r in rows] == LOCAL_ORDER
    for row in rows:
        event_type, hours, traits, _raw = LOCAL[row['Message ID']]
        assert row['Event Type'] == event_type
        assert row['Generated'] == at(hours).isoformat()
        assert row['Traits'] == expected_traits(traits)


def test_event_list_with_trait_queries(local):
    def listed(query):
        return [r['Message ID'] for r in event_list(local, '-q', query)]

    assert listed('memory_mb>integer::1024') == ['l-3', 'l-2']
    assert listed('memory_mb>integer::1024;host=node-a') == ['l-3']
    assert listed('memory_mb<=integer::2048;host!=string::node-a') == [
        'l-2']
    assert listed('load<float::1') == ['l-1']
    assert listed('launched_at>=datetime::2015-06-01T10:59:00') == ['l-2']
    assert listed('launched_at=datetime::2015-06-01T10:59:00.250000') == [
        'l-2']
    # Untyped, 2048 is the text '2048': no string trait has that value.
    assert listed('memory_mb=2048') == []
    assert listed('event_type=%s' % DELETE) == ['l-3']
    assert listed('project_id=p1;event_type=%s' % CREATE) == ['l-1']
    assert listed('start_timestamp=%s;end_timestamp=%s'
                  % (at(1).isoformat(), at(2).isoformat())) == [
        'l-3', 'l-2']


def test_event_list_bad_query(local):
    failed = local.run('event-list', '-q', 'memory_mb=integer::lots',
                       ok=False)
    assert failed.returncode != 0
    assert cc.cli_error(failed.stderr).startswith(
        'Unable to convert the value lots to the expected data type '
        'integer. (HTTP 400)')


def test_event_list_without_traits(local):
    out = local.run('event-list', '--no-traits').stdout
    rows = cc.parse_table(out)
    assert list(rows[0]) == ['Message ID', 'Event Type', 'Generated']
    assert [(r['Message ID'], r['Event Type'], r['Generated'])
            for r in rows] == [(m, LOCAL[m][0], at(LOCAL[m][1]).isoformat())
                               for m in LOCAL_ORDER]
    assert 'node-a' not in out


def test_event_list_limit(local):
    for limit in ('1', '3'):
        rows = cc.parse_table(local.run('event-list', '--no-traits',
                                        '--limit', limit).stdout)
        assert [r['Message ID'] for r in rows] == LOCAL_ORDER[:int(limit)]
    rows = event_list(local, '-l', '2', '-q', 'host=node-a')
    assert [r['Message ID'] for r in rows] == ['l-3', 'l-1']


def test_event_show(local):
    event = event_show(local, 'l-1')
    assert event['event_type'] == CREATE
    assert event['generated'] == at(0).isoformat()
    assert event['raw'] == LOCAL['l-1'][3]
    assert event['traits'] == [
        {'name': name, 'type': kind, 'value': shown(kind, value)}
        for name, kind, value in LOCAL['l-1'][2]]
    assert event_show(local, 'l-4')['traits'] == []
    failed = local.run('event-show', 'l-404', ok=False)
    assert failed.returncode != 0
    assert cc.cli_error(failed.stderr) == 'Event not found: l-404'


def test_event_type_list(local):
    rows = local.table('event-type-list')
    assert [r['Event Type'] for r in rows] == sorted([AUTH, CREATE, DELETE])


def test_trait_description_list(local):
    rows = local.table('trait-description-list', '-e', CREATE)
    assert sorted((r['Trait Name'], r['Data Type']) for r in rows) == [
        ('host', 'string'), ('launched_at', 'datetime'), ('load', 'float'),
        ('memory_mb', 'integer'), ('project_id', 'string')]


def test_trait_list(local):
    rows = local.table('trait-list', '-e', CREATE, '-t', 'launched_at')
    assert sorted((r['Trait Name'], r['Value'], r['Data Type'])
                  for r in rows) == [
        ('launched_at', '2015-06-01T09:58:00', 'datetime'),
        ('launched_at', '2015-06-01T10:59:00.250000', 'datetime')]
    rows = local.table('trait-list', '-e', DELETE, '-t', 'memory_mb')
    assert [(r['Value'], r['Data Type']) for r in rows] == [
        ('4096', 'integer')]


# -- cascading mode ----------------------------------------------------------

@pytest.fixture(scope='module')
def cascaded(ceilometer_bin, mongodb_url):  # noqa: F811
    with deployment.cascade(mongodb_url, v2=('regionOne', 'regionTwo'),
                            extra=deployment.METERING_SETTINGS) as env:
        for region in env.region_names:
            services.record_events(env.regions[region].server.db_url, [
                model(m, event_type, hours, traits, {'region': region})
                for m, (where, event_type, hours, traits)
                in CASCADED.items() if where == region])
        yield cc.Cli(ceilometer_bin, env.url)


def test_cascaded_event_list_is_the_merge_of_the_regions(cascaded):
    rows = event_list(cascaded)
    assert [r['Message ID'] for r in rows] == CASCADED_ORDER
    for row in rows:
        _region, event_type, hours, traits = CASCADED[row['Message ID']]
        assert row['Event Type'] == event_type
        assert row['Generated'] == at(hours).isoformat()
        assert row['Traits'] == expected_traits(traits)


def test_cascaded_event_list_limit_and_query(cascaded):
    rows = event_list(cascaded, '--limit', '3')
    assert [r['Message ID'] for r in rows] == CASCADED_ORDER[:3]
    rows = event_list(cascaded, '-q', 'vcpus>=integer::2', '-l', '2')
    assert [r['Message ID'] for r in rows] == ['r2-c', 'r1-b']
    rows = event_list(cascaded, '--no-traits', '-q',
                      'event_type=%s;vcpus<integer::8' % CREATE)
    assert [r['Message ID'] for r in rows] == ['r1-b', 'r2-a', 'r1-a']
    assert 'Traits' not in rows[0]


def test_cascaded_event_show_finds_the_second_region_event(cascaded):
    event = event_show(cascaded, 'r2-b')
    assert event['event_type'] == 'volume.delete.end'
    assert event['raw'] == {'region': 'regionTwo'}
    assert event['traits'] == [{'name': 'size', 'type': 'integer',
                                'value': '1'}]
    failed = cascaded.run('event-show', 'r3-z', ok=False)
    assert failed.returncode != 0
    assert cc.cli_error(failed.stderr) == 'Event not found: r3-z'


def test_cascaded_event_types_and_traits_are_unions(cascaded):
    rows = cascaded.table('event-type-list')
    assert [r['Event Type'] for r in rows] == sorted(
        [CREATE, 'image.update', 'volume.delete.end'])
    rows = cascaded.table('trait-description-list', '-e', CREATE)
    assert sorted((r['Trait Name'], r['Data Type']) for r in rows) == [
        ('ratio', 'float'), ('vcpus', 'integer'), ('zone', 'string')]
    rows = cascaded.table('trait-list', '-e', CREATE, '-t', 'vcpus')
    assert sorted(int(r['Value']) for r in rows) == [1, 2, 4, 8]
    assert {r['Data Type'] for r in rows} == {'integer'}
