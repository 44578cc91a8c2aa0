"""Fixtures of the modern-region tests: one PostgreSQL cluster, one
RabbitMQ broker and one Gnocchi + Aodh region per test session (starting
them takes about 15 s), shared by every module; each module builds its
cascade around that region and empties it between tests."""

import pytest

from tests import modern
from tests import postgres as postgres_service
from tests import rabbitmq


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
