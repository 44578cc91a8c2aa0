"""The API when its store goes away and comes back."""

import time

import pytest

from tests import services


@pytest.fixture
def own_store():
    """A FerretDB of this test alone, so it can be stopped."""
    server = services.FerretDB().start()
    yield server
    server.cleanup()


def test_store_outage_gives_503_then_recovers(own_store):
    api_server = services.ApiServer(
        services.db_url(own_store.url, 'outage'),
        extra={'database': {'server_timeout': 1.0}}).start()
    try:
        api = services.Client(api_server.url)
        api.post_json('/v2/meters/cpu', [{
            'counter_name': 'cpu', 'counter_type': 'gauge',
            'counter_unit': '%', 'counter_volume': 5,
            'resource_id': 'vm-1', 'project_id': 'p', 'user_id': 'u'}])

        own_store.stop()
        started = time.monotonic()
        resp = api.get('/v2/meters/cpu')
        elapsed = time.monotonic() - started
        assert resp.status_code == 503
        fault = resp.json()['error_message']
        assert 'unavailable' in fault['faultstring']
        assert elapsed < 10
        resp = api.post('/v2/meters/cpu', [{
            'counter_name': 'cpu', 'counter_type': 'gauge',
            'counter_unit': '%', 'counter_volume': 6,
            'resource_id': 'vm-1', 'project_id': 'p', 'user_id': 'u'}])
        assert resp.status_code == 503

        own_store.start()
        deadline = time.monotonic() + 30
        while True:
            resp = api.get('/v2/meters/cpu')
            if resp.status_code == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert resp.status_code == 200
        assert [s['counter_volume'] for s in resp.json()] == [5.0]
    finally:
        api_server.cleanup()


def test_api_starts_while_the_store_is_down_and_serves_once_it_is_up():
    port = services.free_port()
    api_server = services.ApiServer(
        'mongodb://127.0.0.1:%d/late' % port,
        extra={'database': {'server_timeout': 0.5, 'max_retries': 1}})
    store = services.FerretDB(port=port)
    try:
        api_server.start()
        api = services.Client(api_server.url)
        assert api.get('/v2/meters').status_code == 503
        store.start()
        deadline = time.monotonic() + 30
        while api.get('/v2/meters').status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.5)
        api.post_json('/v2/meters/cpu', [{
            'counter_name': 'cpu', 'counter_type': 'gauge',
            'counter_unit': '%', 'counter_volume': 1,
            'resource_id': 'vm-1'}])
        assert len(api.get_json('/v2/meters/cpu')) == 1
    finally:
        api_server.cleanup()
        store.cleanup()
