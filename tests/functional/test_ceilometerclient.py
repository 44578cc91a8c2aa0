"""The real python-ceilometerclient 2.9.0 CLI against a running API.

The client lives in a virtualenv of its own (tools/build-client-venv.sh)
and is run as a subprocess, token-less:
``ceilometer --os-endpoint URL --os-token x <command>``. Its tables are
parsed and compared with what the server stored.
"""

import ast
import json
import os
import subprocess

import pytest

from tests import services

BUILD_SCRIPT = os.path.join(services.REPO, 'tools', 'build-client-venv.sh')

METER = 'cpu_util'
OTHER_METER = 'disk.read.bytes'

# (resource, volume, timestamp, project, user, metadata) of the cpu_util
# samples created through the CLI; the earliest one of the whole database
# comes first, so every store agrees on where periods start.
CPU_SAMPLES = [
    ('res-a', 10, '2015-01-01T12:00:10', 'p1', 'u1', None),
    ('res-b', 5, '2015-01-01T12:00:40', 'p2', 'u2', {'flavor': 'm1.tiny'}),
    ('res-a', 20, '2015-01-01T12:01:10', 'p1', 'u1', None),
    ('res-a', 30, '2015-01-01T12:02:10', 'p1', 'u1', None),
    ('res-b', 15, '2015-01-01T12:02:40', 'p2', 'u2', {'flavor': 'm1.small'}),
]
DISK_SAMPLE = ('res-a', 1024, '2015-01-01T12:05:00', 'p1', 'u1', None)


# -- running the CLI ------------------------------------------------------

def _client_env():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(('OS_', 'CEILOMETER_'))}
    # The client warns that it is deprecated on every start.
    env['PYTHONWARNINGS'] = 'ignore'
    return env


@pytest.fixture(scope='module')
def ceilometer_bin():
    try:
        out = subprocess.run([BUILD_SCRIPT], check=True, timeout=900,
                             stdout=subprocess.PIPE, text=True).stdout
    except (subprocess.CalledProcessError,
            subprocess.TimeoutExpired) as err:
        pytest.fail('building the ceilometerclient virtualenv failed: %s'
                    % err)
    path = out.strip().splitlines()[-1]
    assert os.access(path, os.X_OK), path
    return path


class Cli(object):
    """Runs ``ceilometer`` against one endpoint."""

    def __init__(self, binary, endpoint):
        self.binary = binary
        self.endpoint = endpoint

    def run(self, *args, ok=True):
        cmd = [self.binary, '--os-endpoint', self.endpoint,
               '--os-token', 'x'] + list(args)
        proc = subprocess.run(cmd, env=_client_env(), timeout=120,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
        if ok and proc.returncode != 0:
            raise AssertionError('%s exited %s:\n%s\n%s'
                                 % (' '.join(args), proc.returncode,
                                    proc.stdout, proc.stderr))
        return proc

    def table(self, *args):
        return parse_table(self.run(*args).stdout)

    def mapping(self, *args):
        return parse_mapping(self.run(*args).stdout)


def _cells(line):
    return [c.strip() for c in line.strip()[1:-1].split('|')]


def parse_table(text):
    """Rows of a prettytable as dicts keyed by the column labels."""
    lines = [ln for ln in text.splitlines() if ln.startswith('|')]
    assert lines, 'no table in output:\n%s' % text
    header = _cells(lines[0])
    return [dict(zip(header, _cells(ln))) for ln in lines[1:]]


def parse_mapping(text):
    """A Property/Value table as a dict; wrapped values are re-joined."""
    rows = [_cells(ln) for ln in text.splitlines() if ln.startswith('|')]
    assert rows and rows[0] == ['Property', 'Value'], text
    result = {}
    key = None
    for name, value in rows[1:]:
        if name:
            key = name
            result[key] = value
        else:
            result[key] += '\n' + value
    return result


def cli_error(stderr):
    """The message the client printed for a failed command.

    On Python 3 the client prints it as a bytes literal (b'...').
    """
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert lines, 'nothing on stderr'
    last = lines[-1].strip()
    if last[:2] in ("b'", 'b"'):
        return ast.literal_eval(last).decode('utf-8')
    return last


# -- fixtures -------------------------------------------------------------

@pytest.fixture(scope='module')
def cli(ceilometer_bin, api_server):
    return Cli(ceilometer_bin, api_server.url)


@pytest.fixture(scope='module')
def http(api_server):
    return services.Client(api_server.url)


def _create(cli, meter, meter_type, unit, sample):
    resource, volume, timestamp, project, user, metadata = sample
    args = ['sample-create', '-r', resource, '-m', meter,
            '--meter-type', meter_type, '--meter-unit', unit,
            '--sample-volume', str(volume), '--project-id', project,
            '--user-id', user, '--timestamp', timestamp]
    if metadata is not None:
        args += ['--resource-metadata', json.dumps(metadata)]
    return cli.mapping(*args)


@pytest.fixture(scope='module')
def seeded(cli, http):
    """The module's own (new, empty) database, filled through the CLI."""
    assert http.get_json('/v2/meters') == []
    created = [_create(cli, METER, 'gauge', '%', s) for s in CPU_SAMPLES]
    created.append(_create(cli, OTHER_METER, 'cumulative', 'B',
                           DISK_SAMPLE))
    return created


def _volumes(rows, column='Volume'):
    return [float(r[column]) for r in rows]


# -- tests ----------------------------------------------------------------

def test_sample_create_shows_what_was_stored(seeded, http):
    assert len(seeded) == len(CPU_SAMPLES) + 1
    for shown, sample in zip(seeded, CPU_SAMPLES + [DISK_SAMPLE]):
        resource, volume, timestamp, project, user, metadata = sample
        assert shown['resource_id'] == resource
        assert float(shown['volume']) == volume
        assert shown['timestamp'] == timestamp
        assert shown['project_id'] == project
        assert shown['user_id'] == user
        assert shown['source'] == '%s:openstack' % project
        assert json.loads(shown['resource_metadata']) == (metadata or {})
        stored = http.get_json('/v2/samples/' + shown['message_id'])
        assert stored['resource_id'] == resource
        assert stored['volume'] == volume
        assert stored['timestamp'] == timestamp
    cpu = seeded[0]
    assert cpu['name'] == METER
    assert cpu['type'] == 'gauge'
    assert cpu['unit'] == '%'
    disk = seeded[-1]
    assert (disk['name'], disk['type'], disk['unit']) == (
        OTHER_METER, 'cumulative', 'B')


def test_meter_list(cli, seeded):
    rows = cli.table('meter-list')
    got = sorted((r['Name'], r['Type'], r['Unit'], r['Resource ID'],
                  r['User ID'], r['Project ID']) for r in rows)
    assert got == [
        (METER, 'gauge', '%', 'res-a', 'u1', 'p1'),
        (METER, 'gauge', '%', 'res-b', 'u2', 'p2'),
        (OTHER_METER, 'cumulative', 'B', 'res-a', 'u1', 'p1'),
    ]
    rows = cli.table('meter-list', '-q', 'project_id=p2')
    assert [(r['Name'], r['Resource ID']) for r in rows] == [
        (METER, 'res-b')]


def test_sample_list_of_a_meter(cli, seeded):
    rows = cli.table('sample-list', '-m', METER)
    # Newest first.
    assert [r['Timestamp'] for r in rows] == [
        s[2] for s in reversed(CPU_SAMPLES)]
    assert _volumes(rows) == [s[1] for s in reversed(CPU_SAMPLES)]
    assert {r['Name'] for r in rows} == {METER}
    assert {r['Type'] for r in rows} == {'gauge'}
    assert {r['Unit'] for r in rows} == {'%'}

    rows = cli.table('sample-list', '-m', METER, '-q', 'resource_id=res-a')
    assert {r['Resource ID'] for r in rows} == {'res-a'}
    assert _volumes(rows) == [30.0, 20.0, 10.0]

    rows = cli.table('sample-list', '-m', METER, '-q',
                     'resource_id=res-a;timestamp>2015-01-01T12:01:00')
    assert _volumes(rows) == [30.0, 20.0]

    rows = cli.table('sample-list', '-m', METER, '-l', '2')
    assert _volumes(rows) == [15.0, 30.0]

    rows = cli.table('sample-list', '-m', METER, '-q',
                     'metadata.flavor=m1.small')
    assert [(r['Resource ID'], r['Volume']) for r in rows] == [
        ('res-b', '15.0')]


def test_sample_list_and_show_new_style(cli, seeded):
    rows = cli.table('sample-list', '-q', 'resource_id=res-b')
    ids = {s['message_id'] for s in seeded if s['resource_id'] == 'res-b'}
    assert {r['ID'] for r in rows} == ids
    assert _volumes(rows) == [15.0, 5.0]

    shown = cli.mapping('sample-show', seeded[1]['message_id'])
    assert shown['id'] == seeded[1]['message_id']
    assert shown['meter'] == METER
    assert float(shown['volume']) == 5.0
    assert shown['resource_id'] == 'res-b'
    assert json.loads(shown['metadata']) == {'flavor': 'm1.tiny'}


def test_statistics(cli, seeded):
    rows = cli.table('statistics', '-m', METER)
    assert len(rows) == 1
    row = rows[0]
    assert row['Period'] == '0'
    assert int(row['Count']) == 5
    assert float(row['Sum']) == 80.0
    assert float(row['Min']) == 5.0
    assert float(row['Max']) == 30.0
    assert float(row['Avg']) == 16.0
    assert row['Duration Start'] == '2015-01-01T12:00:10'
    assert row['Duration End'] == '2015-01-01T12:02:40'
    assert float(row['Duration']) == 150.0

    rows = cli.table('statistics', '-m', METER, '-q', 'resource_id=res-a')
    assert [(int(r['Count']), float(r['Sum'])) for r in rows] == [(3, 60.0)]


def test_statistics_with_a_period(cli, seeded):
    rows = cli.table('statistics', '-m', METER, '-p', '60')
    got = [(r['Period'], r['Period Start'], r['Period End'],
            int(r['Count']), float(r['Sum']), float(r['Min']),
            float(r['Max']), float(r['Avg'])) for r in rows]
    assert got == [
        ('60', '2015-01-01T12:00:10', '2015-01-01T12:01:10',
         2, 15.0, 5.0, 10.0, 7.5),
        ('60', '2015-01-01T12:01:10', '2015-01-01T12:02:10',
         1, 20.0, 20.0, 20.0, 20.0),
        ('60', '2015-01-01T12:02:10', '2015-01-01T12:03:10',
         2, 45.0, 15.0, 30.0, 22.5),
    ]

    rows = cli.table('statistics', '-m', METER, '-p', '60', '-q',
                     'timestamp>=2015-01-01T12:00:00;'
                     'timestamp<2015-01-01T12:02:00')
    assert [(r['Period Start'], int(r['Count'])) for r in rows] == [
        ('2015-01-01T12:00:00', 2), ('2015-01-01T12:01:00', 1)]


def test_statistics_grouped_by_resource(cli, seeded):
    rows = cli.table('statistics', '-m', METER, '-g', 'resource_id')
    got = {}
    for r in rows:
        group = ast.literal_eval(r['Group By'])
        got[group['resource_id']] = (int(r['Count']), float(r['Sum']),
                                     float(r['Min']), float(r['Max']),
                                     r['Duration Start'], r['Duration End'])
    assert got == {
        'res-a': (3, 60.0, 10.0, 30.0,
                  '2015-01-01T12:00:10', '2015-01-01T12:02:10'),
        'res-b': (2, 20.0, 5.0, 15.0,
                  '2015-01-01T12:00:40', '2015-01-01T12:02:40'),
    }


def test_statistics_selected_aggregates(cli, seeded):
    rows = cli.table('statistics', '-m', METER, '-a', 'avg')
    assert len(rows) == 1
    assert float(rows[0]['Avg']) == 16.0
    assert 'Sum' not in rows[0]
    assert 'Count' not in rows[0]

    rows = cli.table('statistics', '-m', METER, '-a', 'max',
                     '-a', 'cardinality<-resource_id')
    assert len(rows) == 1
    assert float(rows[0]['Max']) == 30.0
    assert float(rows[0]['cardinality/resource_id']) == 2.0


def test_resource_list_and_show(cli, seeded):
    rows = cli.table('resource-list')
    got = sorted((r['Resource ID'], r['Source'], r['User ID'],
                  r['Project ID']) for r in rows)
    assert got == [('res-a', 'p1:openstack', 'u1', 'p1'),
                   ('res-b', 'p2:openstack', 'u2', 'p2')]

    rows = cli.table('resource-list', '-q', 'project_id=p2')
    assert [r['Resource ID'] for r in rows] == ['res-b']

    shown = cli.mapping('resource-show', 'res-b')
    assert shown['resource_id'] == 'res-b'
    assert shown['project_id'] == 'p2'
    assert shown['user_id'] == 'u2'
    assert shown['source'] == 'p2:openstack'
    # The metadata of the newest sample.
    assert json.loads(shown['metadata']) == {'flavor': 'm1.small'}


def test_resource_show_unknown(cli, seeded):
    proc = cli.run('resource-show', 'no-such-resource', ok=False)
    assert proc.returncode != 0
    assert cli_error(proc.stderr) == 'Resource not found: no-such-resource'


def test_query_samples(cli, seeded):
    rows = cli.table('query-samples',
                     '--filter', '{"=": {"resource": "res-a"}}',
                     '--orderby', '[{"timestamp": "desc"}]',
                     '--limit', '2')
    wanted = {s['timestamp']: s['message_id'] for s in seeded}
    assert [(r['ID'], r['Resource ID'], r['Meter'], r['Volume'])
            for r in rows] == [
        (wanted['2015-01-01T12:05:00'], 'res-a', OTHER_METER, '1024.0'),
        (wanted['2015-01-01T12:02:10'], 'res-a', METER, '30.0'),
    ]

    rows = cli.table('query-samples',
                     '--filter', json.dumps(
                         {'and': [{'=': {'meter': METER}},
                                  {'>=': {'volume': 15}}]}),
                     '--orderby', '[{"volume": "asc"}]')
    assert _volumes(rows) == [15.0, 20.0, 30.0]


def test_capabilities(cli, seeded):
    shown = cli.mapping('capabilities')
    api = json.loads('{%s}' % shown['api'])
    assert api['statistics:groupby'] is True
    assert api['samples:query:complex'] is True
    assert api['statistics:aggregation:selectable:avg'] is True
    storage = json.loads('{%s}' % shown['storage'])
    assert storage == {'storage:production_ready': True}


def test_statistics_invalid_groupby_fails(cli, http, seeded):
    resp = http.get('/v2/meters/%s/statistics' % METER, groupby='bogus',
                    status=400)
    fault = resp.json()['error_message']['faultstring']
    assert 'bogus' in fault
    proc = cli.run('statistics', '-m', METER, '-g', 'bogus', ok=False)
    assert proc.returncode != 0
    assert proc.stdout.strip() == ''
    message = cli_error(proc.stderr)
    assert fault in message
    assert '(HTTP 400)' in message


def test_statistics_invalid_aggregate_fails(cli, seeded):
    proc = cli.run('statistics', '-m', METER, '-a', 'bogus', ok=False)
    assert proc.returncode != 0
    assert 'Invalid aggregation function: bogus' in cli_error(proc.stderr)


def test_sample_create_invalid_type_fails(cli, http, seeded):
    proc = cli.run('sample-create', '-r', 'res-c', '-m', METER,
                   '--meter-type', 'INVALID', '--meter-unit', '%',
                   '--sample-volume', '1', ok=False)
    assert proc.returncode != 0
    message = cli_error(proc.stderr)
    assert 'counter_type' in message
    assert '(HTTP 400)' in message
    assert http.get_json('/v2/meters/%s' % METER,
                         q=[{'field': 'resource_id', 'value': 'res-c'}]) == []


def test_threshold_alarm_round_trip(cli, seeded):
    shown = cli.mapping(
        'alarm-threshold-create', '--name', 'cpu-high', '-m', METER,
        '--threshold', '70', '--comparison-operator', 'gt',
        '--statistic', 'avg', '--period', '600', '--evaluation-periods', '3',
        '-q', 'resource_id=res-a',
        '--time-constraint', 'name=lunch;start=0 12 * * *;duration=3600')
    alarm_id = shown['alarm_id']
    assert shown['name'] == 'cpu-high'
    assert shown['meter_name'] == METER
    assert float(shown['threshold']) == 70.0
    assert shown['query'] == 'resource_id == res-a'
    assert shown['state'] == 'insufficient data'

    rows = cli.table('alarm-list')
    assert [(r['Alarm ID'], r['Name'], r['State']) for r in rows] == [
        (alarm_id, 'cpu-high', 'insufficient data')]
    assert rows[0]['Alarm condition'] == (
        'avg(%s) > 70.0 during 3 x 600s' % METER)

    shown = cli.mapping('alarm-threshold-update', alarm_id,
                        '--threshold', '85')
    assert float(shown['threshold']) == 85.0
    assert shown['query'] == 'resource_id == res-a'

    cli.run('alarm-state-set', alarm_id, '--state', 'alarm')
    assert cli.mapping('alarm-state-get', alarm_id) == {'state': 'alarm'}
    history = cli.table('alarm-history', alarm_id)
    types = [r['Type'] for r in history if r['Type']]
    assert 'creation' in types
    assert 'state transition' in types

    cli.run('alarm-delete', alarm_id)
    proc = cli.run('alarm-show', alarm_id, ok=False)
    assert proc.returncode != 0
    assert cli_error(proc.stderr) == 'Alarm not found: %s' % alarm_id
