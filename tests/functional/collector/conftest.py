"""Fixtures of the collector's functional tests: a private RabbitMQ node
per module and a fresh database per test."""


from oslo_config import cfg
import pytest

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


@pytest.fixture
def database(mongodb_url):
    """(db_url, storage connection) of a database of this test only."""
    name = services.unique_db_name('collector')
    url = services.db_url(mongodb_url, name)
    conf = cfg.ConfigOpts()
    conf.register_opts(storage.OPTS, group='database')
    conf([], project='collector-tests')
    conn = storage.get_connection_from_config(conf, url)
    try:
        yield url, conn
    finally:
        conn.clear()
        conn.close()
