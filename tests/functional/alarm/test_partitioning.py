"""Two evaluator processes share the alarms through a tooz file backend.

Each process logs the alarms it evaluates per cycle with the number of
members it saw; while both run, every alarm is evaluated by exactly one of
them in each of their cycles, and once one is killed the survivor takes
all the alarms over.
"""

import shutil
import tempfile
import time

import pytest

from tests.functional.alarm import Evaluator
from tests import services

ADMIN = {'X-User-Id': 'admin-user', 'X-Project-Id': 'admin-proj',
         'X-Roles': 'admin'}
ALARMS = 16
# A member that has not heartbeaten for this long has left the group.
MEMBER_TIMEOUT = 3


@pytest.fixture
def alarm_ids(api_server):
    from ceilometer_proxy.alarm import storage as alarm_storage
    from ceilometer_proxy import service

    conf = service.prepare_service([], config_files=[])
    conn = alarm_storage.get_connection_from_config(conf, api_server.db_url)
    conn.upgrade()
    conn.clear()
    conn.close()
    client = services.Client(api_server.url, headers=dict(ADMIN))
    ids = []
    for i in range(ALARMS):
        ids.append(client.post_json('/v2/alarms', {
            'name': 'part-%02d' % i, 'type': 'threshold',
            'threshold_rule': {
                'meter_name': 'cpu_util', 'threshold': 50.0,
                'query': [{'field': 'resource_id', 'op': 'eq',
                           'value': 'vm-%02d' % i}]}})['alarm_id'])
    return sorted(ids)


@pytest.fixture
def coordination_dir():
    path = tempfile.mkdtemp(prefix='ceilometer-proxy-tooz-')
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def cycles_with(process, members):
    """[(cycle, alarm ids)] of the complete cycles that saw ``members``
    members (the last one logged may still be running)."""
    found = sorted(process.cycles().items())[:-1]
    return [(n, ids) for n, (seen, ids) in found if seen == members]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for %s' % what)
        time.sleep(0.2)


def test_members_split_alarms_and_survivor_takes_over(
        api_server, alarm_ids, coordination_dir):
    backend = 'file://%s?timeout=%d' % (coordination_dir, MEMBER_TIMEOUT)
    extra = {'coordination': {'backend_url': backend, 'heartbeat': 0.5}}
    first = Evaluator(api_server.db_url, extra)
    second = Evaluator(api_server.db_url, extra)
    try:
        first.start()
        second.start()
        wait_for(lambda: (len(cycles_with(first, 2)) >= 3 and
                          len(cycles_with(second, 2)) >= 3), 30,
                 'three cycles of each member seeing both')
        shares = []
        for process in (first, second):
            cycles = cycles_with(process, 2)
            for _, ids in cycles:
                assert len(ids) == len(set(ids))       # once per cycle
            assert len({tuple(sorted(ids)) for _, ids in cycles}) == 1
            shares.append(set(cycles[0][1]))
        assert shares[0] and shares[1]
        assert not shares[0] & shares[1]
        assert sorted(shares[0] | shares[1]) == alarm_ids

        second.kill()
        killed_at = max(first.cycles())

        def alone():
            return [ids for n, ids in cycles_with(first, 1)
                    if n > killed_at]

        wait_for(lambda: len(alone()) >= 2, MEMBER_TIMEOUT + 10,
                 'the survivor to be alone')
        for ids in alone():
            assert sorted(ids) == alarm_ids
        assert first.stop() == 0
    finally:
        first.cleanup()
        second.cleanup()
