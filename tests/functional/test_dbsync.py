"""ceilometer-proxy-dbsync: collections, indexes, idempotence, --expire."""

import datetime
import os
import subprocess
import sys
import tempfile

from tests import services


def run_dbsync(url, *args, ttl=None, event_ttl=None):
    with tempfile.TemporaryDirectory() as tmp:
        conf = os.path.join(tmp, 'c.conf')
        database = {'connection': url}
        if ttl is not None:
            database['metering_time_to_live'] = ttl
        if event_ttl is not None:
            database['event_time_to_live'] = event_ttl
        services.write_config(conf, {'database': database})
        return subprocess.run(
            [sys.executable, '-m', 'ceilometer_proxy.cmd.storage',
             '--config-file', conf] + list(args),
            capture_output=True, text=True, timeout=120, cwd=services.REPO)


def test_dbsync_creates_indexes_and_can_run_twice(mongodb_url):
    name = services.unique_db_name('dbsync')
    url = services.db_url(mongodb_url, name)
    client = services.mongo_client(mongodb_url)
    try:
        for _ in range(2):
            result = run_dbsync(url)
            assert result.returncode == 0, result.stderr
        meter_indexes = client[name].meter.index_information()
        resource_indexes = client[name].resource.index_information()
        if 'ferretdbVersion' in client.admin.command('buildInfo'):
            # FerretDB v1 uses no secondary index: none is made.
            assert list(meter_indexes) == ['_id_']
            assert list(resource_indexes) == ['_id_']
        else:
            assert 'meter_name_timestamp_idx' in meter_indexes
            assert 'meter_resource_name_timestamp_idx' in meter_indexes
            assert 'resource_user_project_timestamp' in resource_indexes
    finally:
        client.drop_database(name)
        client.close()


def test_dbsync_expire_deletes_only_old_samples(mongodb_url):
    from ceilometer_proxy import service
    from ceilometer_proxy import storage

    name = services.unique_db_name('expire')
    url = services.db_url(mongodb_url, name)
    conf = service.prepare_service([], config_files=[])
    conn = storage.get_connection_from_config(conf, url)
    now = datetime.datetime.utcnow()
    try:
        conn.upgrade()
        conn.record_metering_data_batch([
            services.make_message('cpu', 1, 'old-vm',
                                  now - datetime.timedelta(days=3)),
            services.make_message('cpu', 2, 'new-vm',
                                  now - datetime.timedelta(minutes=5)),
        ])
        result = run_dbsync(url, '--expire', ttl=86400)
        assert result.returncode == 0, result.stderr
        assert 'Expired 1 samples' in result.stdout
        left = [d['resource_id'] for d in conn.meter.find()]
        assert left == ['new-vm']
        assert [r['_id'] for r in conn.resource.find()] == ['new-vm']
    finally:
        conn.clear()
        conn.close()


def test_dbsync_expire_deletes_only_old_events(mongodb_url):
    from ceilometer_proxy.event import models
    from ceilometer_proxy.event import storage as event_storage
    from ceilometer_proxy import service

    name = services.unique_db_name('expire_events')
    url = services.db_url(mongodb_url, name)
    conf = service.prepare_service([], config_files=[])
    conn = event_storage.get_connection_from_config(conf, url)
    now = datetime.datetime.utcnow()
    try:
        conn.upgrade()
        conn.record_events([
            models.Event(message_id=key, event_type='compute.instance.exists',
                         generated=now - age, traits=[], raw={})
            for key, age in (('old', datetime.timedelta(days=2)),
                             ('new', datetime.timedelta(minutes=1)))])
        result = run_dbsync(url, '--expire', event_ttl=86400)
        assert result.returncode == 0, result.stderr
        assert 'Expired 1 events' in result.stdout
        assert 'metering_time_to_live is not set' in result.stdout
        assert [d['_id'] for d in conn.event.find()] == ['new']
    finally:
        conn.client.drop_database(name)
        conn.close()


def test_samples_written_by_another_program_need_a_summary_rebuild(
        mongodb_url):
    from ceilometer_proxy import service
    from ceilometer_proxy import storage

    name = services.unique_db_name('legacy')
    url = services.db_url(mongodb_url, name)
    client = services.mongo_client(mongodb_url)
    start = datetime.datetime(2015, 6, 1, 8, 0)
    # As Ceilometer's own collector stored them: ObjectId keys, no summaries.
    client[name].meter.insert_many([
        dict(services.make_message('cpu', float(i), 'vm-%d' % (i % 3),
                                   start + datetime.timedelta(minutes=i)))
        for i in range(120)])
    conf = service.prepare_service([], config_files=[])
    conn = storage.get_connection_from_config(conf, url)
    try:
        conn.upgrade()
        assert not conn.summaries.complete()
        f = storage.SampleFilter(meter='cpu')
        stats = conn.get_meter_statistics(f)
        assert (stats[0].count, stats[0].sum) == (120, float(sum(range(120))))

        result = run_dbsync(url, '--rebuild-summaries')
        assert result.returncode == 0, result.stderr
        assert 'rebuilt from 120 samples' in result.stdout
        assert conn.summaries.complete()
        assert client[name].meter_summary.count_documents({}) == 6
        stats = conn.get_meter_statistics(f, 3600, ['resource_id'])
        assert sum(s.count for s in stats) == 120
        assert {s.groupby['resource_id'] for s in stats} == {
            'vm-0', 'vm-1', 'vm-2'}
    finally:
        conn.clear()
        conn.close()
        client.close()
