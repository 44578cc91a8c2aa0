"""Ceilometer 27 as the producer: its notifier:// publisher (run from its
own virtualenv) and the whole chain ceilometer-polling → notification
agent → RabbitMQ → collector → v2 API."""

import json
import os
import subprocess

import pytest

from tests import ceilometer_agents
from tests.functional.collector import harness
from tests import kwapi_server
from tests import services

HERE = os.path.dirname(os.path.abspath(__file__))
COMPARED = ('source', 'counter_type', 'counter_unit', 'counter_volume',
            'user_id', 'project_id', 'resource_id', 'timestamp',
            'resource_metadata')


@pytest.fixture(scope='module')
def ceilometer_venv():
    # Built (once, cached) by tools/build-peer-venv.sh; a failure to build
    # it fails these tests rather than hiding them.
    return ceilometer_agents.venv_path()


def publish_with_ceilometer(venv, tmp_path, rabbit_url, samples):
    conf = str(tmp_path / 'ceilometer.conf')
    services.write_config(conf, {
        'DEFAULT': {'transport_url': rabbit_url, 'host': 'c27-host'},
        'publisher': {'telemetry_secret': harness.SECRET},
        'oslo_messaging_rabbit': {'amqp_durable_queues': 'true'},
    })
    path = str(tmp_path / 'samples.json')
    with open(path, 'w') as f:
        json.dump(samples, f)
    out = subprocess.run(
        [os.path.join(venv, 'bin', 'python'),
         os.path.join(HERE, 'publish_ceilometer27.py'), conf, path],
        capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_ceilometer27_and_juno_messages_are_stored_identically(
        ceilometer_venv, rabbit, database, tmp_path):
    db_url, conn = database
    collector = harness.Collector(db_url, [rabbit.url]).start()
    producer = harness.Producer(rabbit.url,
                                publisher_id='metering.publisher.juno')
    api = services.ApiServer(db_url)
    try:
        timestamps = ['2026-03-04T05:06:0%d.123456' % i for i in range(3)]
        volumes = [1.5, 2.5, 7.0]
        metadata = {'host': 'node-1', 'flavor': {'name': 'm1.tiny'},
                    'tags': ['a', 'b']}
        new_ids = publish_with_ceilometer(
            ceilometer_venv, tmp_path, rabbit.url,
            [dict(name='c27.power', type='gauge', unit='W', volume=v,
                  user_id='user-1', project_id='project-1',
                  user_name='alice', project_name='demo',
                  resource_id='node-1', timestamp=ts + '+00:00',
                  resource_metadata=metadata, source='openstack')
             for v, ts in zip(volumes, timestamps)])
        juno = [harness.juno_message(
            'juno.power', v, 'node-1', unit='W', metadata=metadata,
            timestamp=None, project_id='project-1', user_id='user-1')
            for v in volumes]
        for message, ts in zip(juno, timestamps):
            message['timestamp'] = ts
            message['message_signature'] = \
                harness.signing.compute_signature(message, harness.SECRET)
        producer.send(juno)
        collector.wait_for_stats(lambda s: s.get('stored') == 6,
                                 what='6 stored')
        new = harness.stored(conn, counter_name='c27.power')
        old = harness.stored(conn, counter_name='juno.power')
        assert set(new) == set(new_ids)
        by_volume = {d['counter_volume']: d for d in old.values()}
        for doc in new.values():
            twin = by_volume[doc['counter_volume']]
            assert {k: doc[k] for k in COMPARED} == \
                {k: twin[k] for k in COMPARED}
            assert 'user_name' not in doc and 'monotonic_time' not in doc
        api.start()
        client = services.Client(api.url)
        stats = [client.get_json('/v2/meters/%s/statistics' % m)[0]
                 for m in ('c27.power', 'juno.power')]
        for s in stats:
            s.pop('period_start'), s.pop('period_end')
        assert stats[0] == stats[1]
        assert stats[0]['count'] == 3 and stats[0]['sum'] == 11.0
    finally:
        producer.close()
        api.cleanup()
        collector.cleanup()


def test_polling_agent_to_api(ceilometer_venv, rabbit, database):
    """ceilometer-polling polls a Kwapi API (our power pollster), the
    notification agent publishes with notifier://, the collector stores,
    the API answers statistics."""
    db_url, conn = database
    kwapi = kwapi_server.KwapiServer(
        [kwapi_server.probes(**{'probe-1': (1700000000 + i, 1.0 + i,
                                            100.0 + i)})
         for i in range(100)])
    collector = harness.Collector(db_url, [rabbit.url]).start()
    agents = ceilometer_agents.CeilometerAgents(
        rabbit.url, pollsters=['power'], interval=1,
        publishers=['notifier://?topic=metering'],
        conf={'kwapi': {'endpoints': kwapi.start().url},
              'publisher': {'telemetry_secret': harness.SECRET},
              'oslo_messaging_rabbit': {'amqp_durable_queues': 'true'}})
    api = services.ApiServer(db_url)
    try:
        agents.start()
        collector.wait_for_stats(lambda s: s.get('stored', 0) >= 2,
                                 timeout=90, what='2 power samples stored')
        api.start()
        client = services.Client(api.url)
        stats = client.get_json('/v2/meters/power/statistics')
        assert stats[0]['count'] >= 2
        assert stats[0]['unit'] == 'W'
        assert stats[0]['min'] >= 100.0
        resources = client.get_json('/v2/resources')
        assert 'probe-1' in {r['resource_id'] for r in resources}
        assert collector.stats().get('dropped.bad_signature') is None
    finally:
        agents.cleanup()
        api.cleanup()
        collector.cleanup()
        kwapi.stop()
