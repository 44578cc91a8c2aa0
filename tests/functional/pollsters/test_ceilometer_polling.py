"""The pollsters inside a real ceilometer-polling (Ceilometer 27).

One polling agent (our ``energy``, ``power`` and ``watcher`` pollsters,
every 2 s) and one notification agent share a private RabbitMQ; the
notification pipeline writes what arrives to a JSON-lines file, and the
tests assert those samples exactly. Kwapi is played by scripted HTTP
servers; watcher-metering by the real agent plus a peer sending junk.
"""

import datetime
import os
import re
import tempfile
import time

import pytest

from tests import ceilometer_agents
from tests.functional.pollsters import peers
from tests import kwapi_server
from tests import rabbitmq
from tests import services

T0 = 1357730232.68  # 2013-01-09T11:17:12.680000 UTC
T1 = T0 + 10
T3 = T0 + 30
JUNK = {'J1': 'not a probe',
        'J2': {'timestamp': 'soon', 'kwh': 1.0, 'w': 2.0},
        'J3': {'timestamp': T0, 'kwh': None, 'w': 3.0},
        'J4': {'timestamp': T0, 'kwh': True, 'w': 3.0}}
# Region A, one answer per polling cycle: counters, then a reset of A2,
# then a server error, then A2 gone (the last answer repeats).
ANSWERS_A = [
    kwapi_server.probes(A1=(T0, 1.0, 100.0), A2=(T0, 5.0, 50.0), **JUNK),
    kwapi_server.probes(A1=(T1, 1.5, 110.0), A2=(T1, 0.2, 40.0)),
    (500, '{"error": "collector down"}'),
    kwapi_server.probes(A1=(T3, 2.0, 120.0)),
]
TB = 1700000000.0
ANSWERS_B = [kwapi_server.probes(B1=(TB + n, 3.0 + n, 300.0))
             for n in range(200)]


def utc(epoch):
    return datetime.datetime.fromtimestamp(
        epoch, datetime.timezone.utc).isoformat()


def poll_until(check, timeout, what, agents):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError('%s not seen after %ss\n%s' % (
                what, timeout, agents.log('ceilometer-polling')))
        agents.check_running()
        time.sleep(0.3)


@pytest.fixture(scope='module')
def setup():
    broker = rabbitmq.RabbitMQ().start()
    kwapi_a = kwapi_server.KwapiServer(ANSWERS_A).start()
    kwapi_b = kwapi_server.KwapiServer(ANSWERS_B).start()
    unreachable = 'http://127.0.0.1:%d/v1' % services.free_port()
    watcher_endpoint = 'tcp://127.0.0.1:%d' % services.free_port()
    out_dir = tempfile.mkdtemp(prefix='pollsters-out-')
    published = os.path.join(out_dir, 'samples.json')
    agents = ceilometer_agents.CeilometerAgents(
        broker.url, pollsters=['energy', 'power', 'watcher'], interval=2,
        publishers=[ceilometer_agents.file_publisher(published)],
        conf={'kwapi': {'endpoints': ','.join(
                  ['RegionA:' + kwapi_a.url, kwapi_b.url, unreachable])},
              'watcher': {'listen_endpoint': watcher_endpoint}})
    agent = peers.WatcherAgent(watcher_endpoint)
    try:
        agents.start()
        agents.wait_for_log('ceilometer-polling', 'Receiving watcher-metering')
        agent.start()
        yield {'agents': agents, 'published': published, 'kwapi_a': kwapi_a,
               'kwapi_b': kwapi_b, 'unreachable': unreachable,
               'watcher_endpoint': watcher_endpoint, 'agent': agent}
    finally:
        agent.cleanup()
        agents.cleanup()
        kwapi_a.stop()
        kwapi_b.stop()
        broker.cleanup()
        for name in os.listdir(out_dir):
            os.remove(os.path.join(out_dir, name))
        os.rmdir(out_dir)


def samples(setup, names, resource_prefix=''):
    return [s for s in ceilometer_agents.read_published(setup['published'])
            if s['name'] in names
            and s['resource_id'].startswith(resource_prefix)]


def test_kwapi_samples_follow_the_probes(setup):
    agents = setup['agents']

    def a1_gone_through_all_answers():
        # Both pollsters' samples of the last answer: the agent publishes
        # each pollster's samples on their own, energy before power.
        last = {s['name'] for s in samples(setup, ('energy', 'power'), 'A1')
                if s['timestamp'] == utc(T3)}
        return last == {'energy', 'power'}

    poll_until(a1_gone_through_all_answers, 60, 'the last answer of A',
               agents)
    seen = {(s['name'], s['type'], s['unit'], s['volume'], s['resource_id'],
             s['timestamp'], s['source'], s['user_id'], s['project_id'],
             tuple(sorted(s['resource_metadata'].items())))
            for s in samples(setup, ('energy', 'power'), 'A')}
    region = (('region', 'RegionA'),)
    expected = {
        ('energy', 'cumulative', 'kWh', 1.0, 'A1', utc(T0)),
        ('energy', 'cumulative', 'kWh', 5.0, 'A2', utc(T0)),
        ('power', 'gauge', 'W', 100.0, 'A1', utc(T0)),
        ('power', 'gauge', 'W', 50.0, 'A2', utc(T0)),
        ('energy', 'cumulative', 'kWh', 1.5, 'A1', utc(T1)),
        ('energy', 'cumulative', 'kWh', 0.2, 'A2', utc(T1)),  # reset
        ('power', 'gauge', 'W', 110.0, 'A1', utc(T1)),
        ('power', 'gauge', 'W', 40.0, 'A2', utc(T1)),
        ('energy', 'cumulative', 'kWh', 2.0, 'A1', utc(T3)),
        ('power', 'gauge', 'W', 120.0, 'A1', utc(T3)),
    }
    assert seen == {e + ('openstack', None, None, region) for e in expected}
    assert utc(T0) == '2013-01-09T11:17:12.680000+00:00'
    # A2 disappeared with the last answer: its newest sample is the reset.
    # (The notification agent may publish its batches out of order.)
    a2 = sorted(samples(setup, ('energy',), 'A2'),
                key=lambda s: s['timestamp'])
    assert [s['volume'] for s in a2] == [5.0, 0.2]

    log = agents.log('ceilometer-polling', size=None)
    assert 'Kwapi %s: skipped 4 malformed probe entries' % (
        setup['kwapi_a'].url) in log
    assert 'Kwapi %s skipped this cycle: HTTP 500' % (
        setup['kwapi_a'].url) in log
    assert re.search('Kwapi %s skipped this cycle: unreachable' % re.escape(
        setup['unreachable']), log)
    # No token without Keystone credentials.
    assert all('X-Auth-Token' not in headers
               for _, headers in setup['kwapi_a'].probe_requests())


def test_energy_and_power_share_one_request_per_cycle(setup):
    kwapi_b = setup['kwapi_b']

    def consistent():
        served = {utc(TB + n) for n in range(len(kwapi_b.probe_requests()))}
        energy = {s['timestamp'] for s in samples(setup, ('energy',), 'B1')}
        power = {s['timestamp'] for s in samples(setup, ('power',), 'B1')}
        return len(served) >= 3 and served == energy == power and served

    served = poll_until(consistent, 30, 'one answer per cycle for both',
                        setup['agents'])
    for sample in samples(setup, ('energy', 'power'), 'B1'):
        n = int(round(datetime.datetime.fromisoformat(
            sample['timestamp']).timestamp() - TB))
        expected = 3.0 + n if sample['name'] == 'energy' else 300.0
        assert sample['volume'] == expected
        assert sample['resource_metadata'] == {}  # no region known
    assert len(served) == len(kwapi_b.probe_requests())


def test_watcher_agent_measurements_arrive(setup):
    agents = setup['agents']
    started = datetime.datetime.now(datetime.timezone.utc)
    names = {meter for meter, _ in peers.DRIVERS.values()}

    def every_driver_twice():
        found = samples(setup, names)
        counts = {n: sum(1 for s in found if s['name'] == n) for n in names}
        return found if min(counts.values()) >= 2 else None

    found = poll_until(every_driver_twice, 60, 'every watcher driver',
                       agents)
    units = dict(peers.DRIVERS.values())
    for sample in found:
        assert sample['type'] == 'gauge'
        assert sample['unit'] == units[sample['name']]
        assert sample['resource_id'] == peers.NODE
        assert sample['source'] == 'watcher'
        assert sample['user_id'] is None and sample['project_id'] is None
        assert sample['resource_metadata']['host'] == peers.NODE
        assert 'title' in sample['resource_metadata']
        moment = datetime.datetime.fromisoformat(sample['timestamp'])
        assert moment.utcoffset() == datetime.timedelta(0)
        assert abs((moment - started).total_seconds()) < 120
        if sample['name'] == 'compute.node.cpu.count':
            assert sample['volume'] == os.cpu_count()
        elif sample['name'] == 'compute.node.memory.total':
            assert sample['volume'] == peers.memory_total()
        elif sample['name'] == 'compute.node.cpu.user':
            assert 0.0 <= sample['volume'] <= 100.0
        else:
            assert sample['volume'] >= 0
    # Measured once a second, published every 2 s: each cycle carries
    # several, each keeping its own time.
    cpu = [s['timestamp'] for s in found
           if s['name'] == 'compute.node.cpu.user']
    assert len(set(cpu)) == len(cpu)


def test_bad_messages_are_counted_and_survived(setup):
    agents = setup['agents']
    before = len(samples(setup, ('compute.node.cpu.user',)))
    peers.push_bad_and_good(setup['watcher_endpoint'])

    def good_ones():
        found = samples(setup, ('pdu.outlet.power', 'pdu.outlet.energy'))
        return found if len(found) == 2 else None

    found = poll_until(good_ones, 30, 'the hand-made measurements', agents)
    got = sorted((s['name'], s['type'], s['unit'], s['volume'],
                  s['resource_id'], s['timestamp'], s['resource_metadata'])
                 for s in found)
    assert got == sorted(peers.GOOD_EXPECTED)
    assert not samples(setup, ('bad.value', 'bad.type', 'bad.timestamp'))
    log = agents.log('ceilometer-polling', size=None)
    totals = re.findall(r'received, (\d+) invalid, (\d+) dropped\)', log)
    assert totals and totals[-1] == (str(len(peers.BAD_MESSAGES)), '0')
    # The real agent's measurements keep coming after the junk.
    poll_until(lambda: len(samples(setup, ('compute.node.cpu.user',)))
               > before + 2, 30, 'measurements after the junk', agents)
