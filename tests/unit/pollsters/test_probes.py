"""Kwapi probe lists: validation and fetching from a real HTTP server."""

import pytest

from ceilometer_proxy.pollsters import probes
from tests import kwapi_server
from tests import services

URL = 'http://kwapi.example/v1'


def test_probes_become_utc_readings():
    answer = kwapi_server.probes(A=(1357730232.68, 0.00105, 107.3),
                                 B=(0, 2, 3))
    assert probes.parse(URL, answer) == probes.ProbeList(URL, [
        probes.Probe('A', '2013-01-09T11:17:12.680000+00:00', 0.00105,
                     107.3),
        probes.Probe('B', '1970-01-01T00:00:00+00:00', 2, 3)], 0, None)


@pytest.mark.parametrize('entry', [
    'junk', None, [1, 2, 3], {},
    {'timestamp': 'now', 'kwh': 1.0, 'w': 1.0},
    {'timestamp': 1.0, 'kwh': None, 'w': 1.0},
    {'timestamp': 1.0, 'kwh': 1.0},
    {'timestamp': 1.0, 'kwh': 1.0, 'w': True},
    {'timestamp': float('nan'), 'kwh': 1.0, 'w': 1.0},
    {'timestamp': 1e300, 'kwh': 1.0, 'w': 1.0},
])
def test_malformed_entries_are_skipped_and_counted(entry):
    answer = kwapi_server.probes(good=(1.0, 1.0, 1.0), bad=entry)
    result = probes.parse(URL, answer)
    assert [p.id for p in result.probes] == ['good']
    assert result.skipped == 1 and result.error is None


@pytest.mark.parametrize('answer', [[], {'probe_ids': []}, {'probes': []},
                                    'text'])
def test_answer_without_a_probe_map(answer):
    result = probes.parse(URL, answer)
    assert result.probes == [] and result.error


@pytest.fixture
def server(request):
    server = kwapi_server.KwapiServer(request.param).start()
    yield server
    server.stop()


@pytest.mark.parametrize('server', [[kwapi_server.probes(A=(1.0, 2.0, 3.0))]],
                         indirect=True)
def test_fetch_sends_the_token(server):
    result = probes.fetch(server.url, token='tok', timeout=5)
    assert result == probes.ProbeList(server.url, [
        probes.Probe('A', '1970-01-01T00:00:01+00:00', 2.0, 3.0)], 0, None)
    (path, headers), = server.probe_requests()
    assert path == '/v1/probes/' and headers['X-Auth-Token'] == 'tok'
    probes.fetch(server.url + '/', timeout=5)
    assert 'X-Auth-Token' not in server.probe_requests()[1][1]


@pytest.mark.parametrize('server, error', [
    ([(500, 'boom')], 'HTTP 500'),
    ([(200, 'not json')], 'answer is not JSON'),
], indirect=['server'])
def test_fetch_failures_are_reported(server, error):
    result = probes.fetch(server.url, timeout=5)
    assert result == probes.ProbeList(server.url, [], 0, error)


def test_unreachable_endpoint():
    url = 'http://127.0.0.1:%d/v1' % services.free_port()
    result = probes.fetch(url, timeout=2)
    assert result.probes == [] and result.error.startswith('unreachable')
