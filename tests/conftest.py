"""Shared fixtures: a real MongoDB-wire store and real API processes."""

import pytest

from tests import keystone as keystone_service
from tests import modern
from tests import postgres as postgres_service
from tests import rabbitmq
from tests import services


@pytest.fixture(scope='session')
def mongodb_url():
    """Base URL of the MongoDB-wire server of this test session."""
    external = services.mongodb_base_url()
    if external:
        yield external
        return
    server = services.FerretDB().start()
    try:
        yield server.url
    finally:
        server.cleanup()


@pytest.fixture(scope='module')
def api_server(mongodb_url):
    """A local-mode API process (noauth) on a database of this module."""
    name = services.unique_db_name()
    server = services.ApiServer(services.db_url(mongodb_url, name))
    server.start()
    server.db_name = name
    try:
        yield server
    finally:
        server.cleanup()
        services.drop_database(mongodb_url, name)


@pytest.fixture(scope='module')
def store(api_server):
    """The storage driver on the API server's database, for seeding."""
    from ceilometer_proxy import service
    from ceilometer_proxy import storage

    conf = service.prepare_service([], config_files=[])
    conn = storage.get_connection_from_config(conf, api_server.db_url)
    conn.upgrade()
    yield conn
    conn.close()


@pytest.fixture
def api(api_server, store):
    """An HTTP client on an emptied database (one per test)."""
    store.meter.delete_many({})
    store.resource.delete_many({})
    store.summaries.clear()
    return services.Client(api_server.url)


@pytest.fixture(scope='session')
def keystone():
    """A real Keystone (started once a session, on first use)."""
    server = keystone_service.Keystone()
    try:
        server.start()
    except Exception:
        log = server.log()
        server.cleanup()
        pytest.fail('Keystone did not start: %s' % log[-3000:])
    try:
        yield server
    finally:
        server.cleanup()


@pytest.fixture(scope='session')
def postgres():
    cluster = postgres_service.PostgreSQL()
    try:
        cluster.start()
    except Exception as err:
        cluster.cleanup()
        pytest.fail('PostgreSQL did not start: %s' % err)
    try:
        yield cluster
    finally:
        cluster.cleanup()


@pytest.fixture(scope='session')
def aodh_broker():
    """The broker Aodh's evaluator hands alarm actions to its notifier
    through."""
    broker = rabbitmq.RabbitMQ()
    try:
        broker.start()
        yield broker
    finally:
        broker.cleanup()


@pytest.fixture(scope='session')
def modern_region(postgres, aodh_broker):
    """A started Gnocchi + Aodh region with the test archive policies and
    Ceilometer's ``instance`` resource type."""
    region = modern.ModernRegion(postgres, transport_url=aodh_broker.url)
    try:
        region.start()
    except Exception:
        logs = region.logs()
        region.cleanup()
        pytest.fail('Gnocchi + Aodh did not start: %s' % logs[-4000:])
    try:
        region.ensure_instance_type()
        for name, definition, methods in modern.TEST_POLICIES:
            region.add_policy(name, definition, methods)
        yield region
    finally:
        region.cleanup()
