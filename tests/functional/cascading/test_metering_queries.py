"""Samples and statistics through the cascading API.

Three local-mode regions hold the samples under their cascaded ids; a
fourth local-mode server (the reference) holds the very same samples under
the cascading ids. Every fan-out answer of the cascading API must equal the
reference's answer to the same query, stddev included.
"""

import concurrent.futures
import datetime
import random

import pytest

from tests import deployment
from tests import services

REGIONS = ('regionOne', 'regionTwo', 'regionThree')
METER = 'cpu_util'
T0 = datetime.datetime(2026, 1, 1, 8, 0, 0)
TENANT = deployment.identity('project-1', user='user-1')

# cascading id -> (region, project, flavor)
RESOURCES = {
    'vm-a': ('regionOne', 'project-1', 'm1.small'),
    'vm-b': ('regionOne', 'project-2', 'm1.large'),
    'vm-c': ('regionTwo', 'project-1', 'm1.small'),
    'vm-d': ('regionTwo', 'project-2', 'm1.small'),
    'vm-e': ('regionThree', 'project-1', 'm1.large'),
    'vm-f': ('regionThree', 'project-1', 'm1.small'),
}


def _messages():
    """(region, message for the region, same message for the reference)."""
    rng = random.Random(7)
    seconds = rng.sample(range(0, 3 * 3600), 90)
    out = []
    for i, offset in enumerate(seconds):
        rid = sorted(RESOURCES)[i % len(RESOURCES)]
        region, project, flavor = RESOURCES[rid]
        volume = rng.choice([0.0, 1e6, 42.0]) + rng.random() * 100
        common = dict(counter_type='gauge', counter_unit='%',
                      user_id='user-1', project_id=project,
                      source='openstack',
                      resource_metadata={'flavor': flavor},
                      message_id='msg-%03d' % i)
        ts = T0 + datetime.timedelta(seconds=offset,
                                     milliseconds=rng.randrange(1000))
        out.append((region,
                    services.make_message(METER, volume, 'c-' + rid, ts,
                                          **common),
                    services.make_message(METER, volume, rid, ts, **common)))
    return out


@pytest.fixture(scope='module')
def world(mongodb_url):
    env = deployment.Cascade(mongodb_url,
                             cascading_extra=deployment.METERING_SETTINGS)
    for region in REGIONS:
        env.add_v2_region(region)
    reference = services.ApiServer(env.new_db('reference'))
    try:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            started = [pool.submit(env.start), pool.submit(reference.start)]
            for future in started:
                future.result()
        for rid, (region, project, _flavor) in RESOURCES.items():
            env.register(rid, region=region, cascaded_id='c-' + rid,
                         project_id=project)
        messages = _messages()
        for region in REGIONS:
            env.seed(region, [m for r, m, _ in messages if r == region])
        ref_store = env.store_for_url(reference.db_url)
        ref_store.record_metering_data_batch([ref for _, _, ref in messages])
        yield env, reference, messages
    finally:
        reference.cleanup()
        env.cleanup()


def _both(world, path, headers=None, **params):
    env, reference, _ = world
    headers = headers or deployment.ADMIN
    got = env.client(headers).get_json(path, **params)
    want = services.Client(reference.url, headers=headers).get_json(
        path, **params)
    return got, want


def _same(got, want, skip=()):
    assert len(got) == len(want), (got, want)
    for g, w in zip(got, want):
        assert set(g) - set(skip) == set(w) - set(skip)
        for key, value in w.items():
            if key in skip:
                continue
            if isinstance(value, float):
                assert g[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
            elif isinstance(value, dict):
                assert set(g[key]) == set(value), key
                for k, v in value.items():
                    if isinstance(v, float):
                        assert g[key][k] == pytest.approx(v, rel=1e-9,
                                                          abs=1e-9), k
                    else:
                        assert g[key][k] == v, k
            else:
                assert g[key] == value, key


STATISTICS = [
    {},
    {'period': 600},
    {'period': 600, 'groupby': ['resource_id']},
    {'period': 1800, 'groupby': ['project_id', 'resource_metadata.flavor']},
    {'period': 900, 'aggregate.func': ['stddev', 'avg']},
    {'groupby': ['resource_id'], 'aggregate.func': ['stddev']},
    {'groupby': ['resource_id'],
     'aggregate.func': ['min', 'max', 'sum', 'count']},
    {'period': 300, 'q': [{'field': 'project_id', 'value': 'project-1'}]},
    {'period': 600, 'q': [{'field': 'timestamp', 'op': 'ge',
                           'value': '2026-01-01T08:10:00'},
                          {'field': 'timestamp', 'op': 'lt',
                           'value': '2026-01-01T10:00:00'}]},
    {'q': [{'field': 'timestamp', 'op': 'gt',
            'value': '2026-01-01T08:30:00'}]},
    {'period': 1200, 'q': [{'field': 'metadata.flavor',
                            'value': 'm1.small'}]},
    {'period': 3600, 'q': [{'field': 'timestamp', 'op': 'lt',
                            'value': '2026-01-01T10:00:00'}]},
]


@pytest.mark.parametrize('params', STATISTICS)
def test_fanned_out_statistics_equal_one_store(world, params):
    got, want = _both(world, '/v2/meters/%s/statistics' % METER, **params)
    assert want, 'the query should match samples'
    _same(got, want)


def test_tenant_statistics_equal_one_store(world):
    got, want = _both(world, '/v2/meters/%s/statistics' % METER,
                      headers=TENANT, period=900, groupby=['resource_id'])
    assert {s['groupby']['resource_id'] for s in got} == {
        'vm-a', 'vm-c', 'vm-e', 'vm-f'}
    _same(got, want)


def test_single_resource_statistics_are_translated(world):
    q = [{'field': 'resource_id', 'value': 'vm-c'}]
    for params in ({}, {'period': 600, 'groupby': ['resource_id']},
                   {'aggregate.func': ['cardinality'],
                    'aggregate.param': ['resource_id']}):
        got, want = _both(world, '/v2/meters/%s/statistics' % METER, q=q,
                          **params)
        assert want
        _same(got, want)
        assert 'c-vm-c' not in str(got)


def test_cardinality_across_regions_is_refused(world):
    env = world[0]
    resp = env.client().get('/v2/meters/%s/statistics' % METER, status=400,
                            **{'aggregate.func': 'cardinality',
                               'aggregate.param': 'resource_id'})
    assert 'cardinality' in resp.json()['error_message']['faultstring']
    # One region named: forwarded, and exact.
    one = env.client().get_json(
        '/v2/meters/%s/statistics' % METER,
        q=[{'field': 'metadata.region', 'value': 'regionTwo'}],
        **{'aggregate.func': 'cardinality', 'aggregate.param': 'resource_id'})
    assert one[0]['aggregate'] == {'cardinality/resource_id': 2.0}


def test_region_filter_limits_the_fan_out(world):
    env, _, messages = world
    stats = env.client().get_json(
        '/v2/meters/%s/statistics' % METER,
        q=[{'field': 'metadata.region', 'value': 'regionThree'}])
    assert stats[0]['count'] == len(
        [m for r, m, _ in messages if r == 'regionThree'])
    env.client().get('/v2/meters/%s/statistics' % METER,
                     q=[{'field': 'metadata.region', 'value': 'nowhere'}],
                     status=400)


@pytest.mark.parametrize('path,params', [
    ('/v2/meters/' + METER, {'limit': 7}),
    ('/v2/meters/' + METER, {'q': [{'field': 'project_id',
                                    'value': 'project-2'}]}),
    ('/v2/samples', {'limit': 10}),
    ('/v2/samples', {'q': [{'field': 'metadata.flavor',
                            'value': 'm1.large'}], 'limit': 500}),
    ('/v2/samples', {'q': [{'field': 'resource_id', 'value': 'vm-e'}]}),
    ('/v2/meters/' + METER, {'q': [{'field': 'resource_id', 'op': 'eq',
                                    'value': 'vm-b'},
                                   {'field': 'timestamp', 'op': 'ge',
                                    'value': '2026-01-01T09:00:00'}]}),
])
def test_samples_equal_one_store(world, path, params):
    got, want = _both(world, path, **params)
    assert want
    _same(got, want, skip=('recorded_at',))
    assert 'c-vm' not in str(got)


def test_tenant_samples_stay_in_the_project(world):
    got, want = _both(world, '/v2/samples', headers=TENANT, limit=1000)
    assert {s['project_id'] for s in got} == {'project-1'}
    _same(got, want, skip=('recorded_at',))


def test_one_sample_by_id_from_its_region(world):
    env, _, messages = world
    region, msg, _ = messages[5]
    sample = env.client().get_json('/v2/samples/' + msg['message_id'])
    assert sample['resource_id'] == msg['resource_id'][len('c-'):]
    env.client().get('/v2/samples/no-such-sample', status=404)


def test_unknown_or_foreign_resources_are_404(world):
    env = world[0]
    path = '/v2/meters/%s/statistics' % METER
    env.client().get(path, q=[{'field': 'resource_id', 'value': 'nope'}],
                     status=404)
    # vm-b belongs to project-2: a project-1 tenant cannot tell it exists.
    env.client(TENANT).get(path, q=[{'field': 'resource_id',
                                     'value': 'vm-b'}], status=404)
    env.client(TENANT).get('/v2/meters/' + METER,
                           q=[{'field': 'resource', 'value': 'vm-b'}],
                           status=404)
