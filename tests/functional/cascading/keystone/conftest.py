"""A real Keystone for the tests of this directory, started once a session.

See tests/keystone.py for what it holds (regions, the metering service and
its endpoints, users and projects).
"""

import pytest

from tests import keystone as keystone_service


@pytest.fixture(scope='session')
def keystone():
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
