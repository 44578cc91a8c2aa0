"""Fixtures of the alarm API tests: the alarm store, emptied per test."""

import pytest

from tests import services


@pytest.fixture(scope='module')
def alarm_store(api_server):
    """The alarm driver on the API server's database."""
    from ceilometer_proxy.alarm import storage as alarm_storage
    from ceilometer_proxy import service

    conf = service.prepare_service([], config_files=[])
    conn = alarm_storage.get_connection_from_config(conf, api_server.db_url)
    conn.upgrade()
    yield conn
    conn.close()


@pytest.fixture(autouse=True)
def _empty_alarm_collections(alarm_store):
    alarm_store.clear()


ADMIN = {'X-User-Id': 'admin-user', 'X-Project-Id': 'admin-proj',
         'X-Roles': 'admin'}
ALICE = {'X-User-Id': 'alice', 'X-Project-Id': 'proj-a',
         'X-Roles': 'member'}
BOB = {'X-User-Id': 'bob', 'X-Project-Id': 'proj-b', 'X-Roles': 'member'}


def threshold_alarm(name, **extra):
    """A threshold alarm body with the rule's required fields."""
    rule = extra.pop('rule', {})
    body = {'name': name, 'type': 'threshold',
            'threshold_rule': dict({'meter_name': 'cpu_util',
                                    'threshold': 70.0}, **rule)}
    body.update(extra)
    return body


def fault(resp):
    return resp.json()['error_message']['faultstring']


@pytest.fixture
def client(api):
    """An HTTP client whose requests default to admin credentials."""
    return services.Client(api.base_url, headers=dict(ADMIN))
