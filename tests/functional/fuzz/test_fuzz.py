"""Random but plausible requests against every endpoint, in both modes.

Project ``hidden-a``'s data is seeded first (samples, resources, alarms;
every value of it that a request never names starts with ``hidden-a-``);
then a plain member of project ``p-b`` sends what the grammar draws
(tests/fuzz/grammar.py). Every answer must be below 500, with Ceilometer's
error body when it is an error, free of traceback text and of project A's
data (tests/fuzz/harness.py). Afterwards project A's data must be as it
was. The cascading cascade mixes two v2 regions and a Gnocchi + Aodh
region.
"""

import datetime

from hypothesis import given
import pytest

from tests import deployment
from tests.fuzz import grammar
from tests.fuzz import harness
from tests.fuzz import settings
from tests import services

A = {'X-User-Id': 'hidden-a-user', 'X-Project-Id': 'hidden-a-project',
     'X-Roles': 'member'}
B = {'X-User-Id': 'user-b', 'X-Project-Id': 'p-b', 'X-Roles': 'member'}
T0 = datetime.datetime(2026, 1, 1)
SEEDED_IDS = ['vm-a', 'vm-b', 'cpu_util']


def samples_of(project, user, resource, hidden=''):
    return [{'counter_name': 'cpu_util', 'counter_type': 'gauge',
             'counter_unit': '%', 'counter_volume': float(v),
             'resource_id': resource, 'project_id': project,
             'user_id': user, 'source': 'openstack',
             'timestamp': (T0 + datetime.timedelta(minutes=v)).isoformat(),
             'resource_metadata': {'display_name': hidden + resource}}
            for v in range(1, 6)]


def alarm_of(name, query, description=''):
    return {'name': name, 'type': 'threshold', 'description': description,
            'threshold_rule': {'meter_name': 'cpu_util', 'threshold': 50,
                               'query': query}}


def seed(client_a, client_b, query_a, query_b):
    """Project A's and B's alarms; A's ids join the drawn ids."""
    ids = []
    for client, name, query, hidden in (
            (client_a, 'alarm-a', query_a, 'hidden-a-description'),
            (client_b, 'alarm-b', query_b, '')):
        ids.append(client.post_json('/v2/alarms', alarm_of(
            name, query, hidden))['alarm_id'])
    return ids


def snapshot(client):
    """What project A holds, as A sees it."""
    return (client.get_json('/v2/meters/cpu_util', q=[
        {'field': 'resource_id', 'op': 'eq', 'value': 'vm-a'}]),
        [(a['alarm_id'], a['name'], a['description'], a['threshold_rule'])
         for a in client.get_json('/v2/alarms')])


def run_campaign(campaign, seeded, cascading):
    @settings.campaign_settings()
    @given(grammar.requests_(seeded, cascading))
    def check(request):
        campaign.send(request)

    check()


# -- local mode ----------------------------------------------------------

@pytest.fixture(scope='module')
def local(api_server):
    admin = services.Client(api_server.url, headers=deployment.ADMIN)
    admin.post_json('/v2/meters/cpu_util', samples_of(
        'hidden-a-project', 'hidden-a-user', 'vm-a', 'hidden-a-'))
    admin.post_json('/v2/meters/cpu_util', samples_of('p-b', 'user-b',
                                                      'vm-b'))
    ids = seed(services.Client(api_server.url, headers=A),
               services.Client(api_server.url, headers=B),
               [{'field': 'resource_id', 'op': 'eq', 'value': 'vm-a'}],
               [{'field': 'resource_id', 'op': 'eq', 'value': 'vm-b'}])
    return api_server, SEEDED_IDS + ids


def test_local_mode_answers_every_request_clearly(local):
    server, seeded = local
    owner = services.Client(server.url, headers=A)
    before = snapshot(owner)
    campaign = harness.Campaign(server.url, B, log=server.log)
    try:
        run_campaign(campaign, seeded, cascading=False)
    finally:
        settings.record('local', campaign)
    assert snapshot(owner) == before


# -- cascading mode ------------------------------------------------------

@pytest.fixture(scope='module')
def cascade(mongodb_url, modern_region):
    built = deployment.Cascade(mongodb_url)
    built.add_v2_region('regionOne')
    built.add_v2_region('regionTwo')
    built.add_gnocchi_region('regionG', None, modern_region=modern_region)
    try:
        built.start(extra={'cascading': {'resource_source': 'map'}})
        built.reset()
        for rid, region, project, user in (
                ('vm-a', 'regionOne', 'hidden-a-project', 'hidden-a-user'),
                ('vm-b', 'regionTwo', 'p-b', 'user-b'),
                ('vm-g', 'regionG', 'p-b', 'user-b')):
            built.register(rid, region=region, cascaded_id='c-' + rid,
                           project_id=project, user_id=user,
                           metadata={'display_name': 'hidden-a-name'}
                           if project == 'hidden-a-project' else None)
        built.post_samples('regionOne', 'cpu_util', samples_of(
            'hidden-a-project', 'hidden-a-user', 'c-vm-a', 'hidden-a-'))
        built.post_samples('regionTwo', 'cpu_util', samples_of(
            'p-b', 'user-b', 'c-vm-b'))
        modern_region.create_resource('c-vm-g', 'p-b', 'user-b',
                                      policy='cascade-test')
        ids = seed(built.client(A), built.client(B),
                   [{'field': 'resource_id', 'op': 'eq', 'value': 'vm-a'}],
                   [{'field': 'resource_id', 'op': 'eq', 'value': 'vm-g'}])
        yield built, SEEDED_IDS + ['vm-g'] + ids
    finally:
        built.cleanup()


def test_cascading_mode_answers_every_request_clearly(cascade):
    built, seeded = cascade
    owner = built.client(A)
    before = snapshot(owner)
    campaign = harness.Campaign(built.url, B, log=built.cascading.log)
    try:
        run_campaign(campaign, seeded, cascading=True)
    finally:
        settings.record('cascading', campaign)
    assert snapshot(owner) == before
