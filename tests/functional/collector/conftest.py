"""Fixtures of the collector's functional tests: private RabbitMQ nodes
per module, a fresh database per test (and the event store on it), and a
store of a test's own for outages."""

import shutil
import tempfile

from oslo_config import cfg
import pytest

from ceilometer_proxy.event import storage as event_storage
from ceilometer_proxy import storage
from tests import rabbitmq
from tests import services


@pytest.fixture(scope='module')
def rabbit():
    """A private broker node (.url, .ctl(), .restart())."""
    node = rabbitmq.RabbitMQ().start()
    try:
        yield node
    finally:
        node.cleanup()


@pytest.fixture(scope='module')
def second_rabbit():
    """Another private broker node, for multi-deployment tests."""
    node = rabbitmq.RabbitMQ().start()
    try:
        yield node
    finally:
        node.cleanup()


def _conf():
    conf = cfg.ConfigOpts()
    conf.register_opts(storage.OPTS, group='database')
    conf.register_opts(event_storage.OPTS, group='database')
    conf([], project='collector-tests')
    return conf


@pytest.fixture
def database(mongodb_url):
    """(db_url, storage connection) of a database of this test only."""
    name = services.unique_db_name('collector')
    url = services.db_url(mongodb_url, name)
    conn = storage.get_connection_from_config(_conf(), url)
    try:
        yield url, conn
    finally:
        conn.clear()
        conn.close()


def event_connection(db_url):
    """The event storage driver on a database, as the collector has it."""
    return event_storage.get_connection_from_config(_conf(), db_url)


@pytest.fixture
def event_store(database):
    """(db_url, event storage connection) of this test's database."""
    url, _ = database
    conn = event_connection(url)
    try:
        yield url, conn
    finally:
        conn.clear()
        conn.close()


@pytest.fixture
def stoppable_store():
    """A FerretDB of this test only, whose data survive stop() and
    start() (store outages)."""
    data_dir = tempfile.mkdtemp(prefix='ferretdb-outage-')
    server = services.FerretDB(data_dir=data_dir).start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
