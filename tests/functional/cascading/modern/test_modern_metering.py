"""Statistics of a mixed cascade: two v2 regions and a Gnocchi region.

The v2 regions (local mode) hold samples of their resources; the Gnocchi
region holds measures of its own, posted through Gnocchi's API and
aggregated by its metricd under the archive policy ``cascade-test``. A
reference local-mode server holds every one of those samples under the
cascading ids, with the Gnocchi resources' attributes as metadata: what
one Ceilometer holding the whole cloud would answer. Each answer of the
cascading API must equal the reference's to the same question (periods
start on the granularity boundaries Gnocchi keeps, so the reference is
asked with that start), and the Gnocchi region's numbers must be what
Gnocchi itself says.
"""

import concurrent.futures
import datetime
import random

import pytest

from tests import deployment
from tests import services
from ceilometer_proxy import utils

METER = 'cpu_util'
G = 'regionG'
# An hour boundary six hours ago: inside what every granularity keeps.
T0 = utils.floor_to_period(utils.utcnow(), 3600) - datetime.timedelta(
    hours=6)
MEMBER = deployment.identity('p1')

# cascading id -> (region, project, server group or None)
RESOURCES = {
    'vm-a': ('regionOne', 'p1', None),
    'vm-b': ('regionOne', 'p2', None),
    'vm-c': ('regionTwo', 'p1', None),
    'vm-g1': (G, 'p1', 'g1'),
    'vm-g2': (G, 'p2', 'g2'),
    'vm-g3': (G, 'p1', 'g1'),
}


def cascaded(rid):
    return 'gn-' + rid if RESOURCES[rid][0] == G else 'c-' + rid


def _samples():
    """[(resource id, timestamp, volume)]: three hours of samples."""
    rng = random.Random(11)
    out = []
    for i, offset in enumerate(sorted(rng.sample(range(60, 3 * 3600), 120))):
        rid = sorted(RESOURCES)[i % len(RESOURCES)]
        volume = round(rng.choice([0.0, 50.0, 1e4]) + rng.random() * 100, 3)
        out.append((rid, T0 + datetime.timedelta(seconds=offset), volume))
    return out


def _reference_message(rid, ts, volume, i):
    region, project, group = RESOURCES[rid]
    metadata = {'user_metadata': {'server_group': group}} if group else {}
    return services.make_message(METER, volume, rid, ts, project_id=project,
                                 user_id='user-' + project,
                                 counter_unit='%', resource_metadata=metadata,
                                 message_id='m-%03d' % i)


@pytest.fixture(scope='module')
def world(mongodb_url, modern_region):
    """The cascade and the reference server, started together."""
    cascade = deployment.Cascade(mongodb_url)
    cascade.add_v2_region('regionOne')
    cascade.add_v2_region('regionTwo')
    cascade.add_gnocchi_region(G, None, modern_region=modern_region)
    reference = services.ApiServer(cascade.new_db('reference'))
    try:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for future in [pool.submit(cascade.start),
                           pool.submit(reference.start)]:
                future.result()
        yield cascade, reference
    finally:
        reference.cleanup()
        cascade.cleanup()


def _store(url):
    from ceilometer_proxy import service
    from ceilometer_proxy import storage

    conf = service.prepare_service([], config_files=[])
    store = storage.get_connection_from_config(conf, url)
    store.upgrade()
    return store


@pytest.fixture(scope='module')
def seeded(world, modern_region):
    """Samples in every region and in the reference; the resources in the
    map (and in Gnocchi's indexer)."""
    cascade, reference = world
    cascade.reset()
    for rid, (region, project, group) in RESOURCES.items():
        cascade.register(rid, region=region, cascaded_id=cascaded(rid),
                         project_id=project, user_id='user-' + project)
        if region == G:
            attributes = {'server_group': group} if group else {}
            modern_region.create_resource(
                cascaded(rid), project, 'user-' + project, metrics=(METER,),
                policy='cascade-test', resource_type='instance',
                **attributes)
    samples = _samples()
    messages = [_reference_message(rid, ts, v, i)
                for i, (rid, ts, v) in enumerate(samples)]
    for region in ('regionOne', 'regionTwo'):
        cascade.seed(region, [dict(m, resource_id=cascaded(m['resource_id']))
                              for m in messages
                              if RESOURCES[m['resource_id']][0] == region])
    modern_region.post_measures({
        cascaded(rid): {METER: [(ts, v) for r, ts, v in samples if r == rid]}
        for rid in RESOURCES if RESOURCES[rid][0] == G})
    store = _store(reference.db_url)
    try:
        store.record_metering_data_batch(messages)
    finally:
        store.close()
    modern_region.wait_for_processing()
    return cascade, services.Client(reference.url,
                                    headers=deployment.ADMIN), samples


DURATIONS = ('duration', 'duration_start', 'duration_end')


def _comparable(stats):
    """Statistics without what Gnocchi does not keep (the sample times:
    the durations, and the end of a query-long period, which is its last
    sample's time); numbers rounded past float noise."""
    out = []
    for stat in stats:
        stat = {k: v for k, v in stat.items() if k not in DURATIONS and not (
            k == 'period_end' and not stat['period'])}
        for key, value in list(stat.items()):
            if isinstance(value, float):
                stat[key] = round(value, 6)
        if stat.get('aggregate'):
            stat['aggregate'] = {k: round(v, 6) for k, v in
                                 stat['aggregate'].items()}
        out.append(stat)
    return out


def _both(seeded, q, headers=None, ref_q=None, **params):
    """(cascading answer, reference answer) of one statistics query."""
    cascade, reference, _samples = seeded
    path = '/v2/meters/%s/statistics' % METER
    got = cascade.client(headers).get_json(path, q=q, **params)
    ref = services.Client(reference.base_url, headers=dict(
        headers or deployment.ADMIN)).get_json(
            path, q=ref_q if ref_q is not None else q, **params)
    return got, ref


def q(field, value, op='eq'):
    return {'field': field, 'op': op, 'value': value}


def start(moment=T0):
    return q('timestamp', moment.isoformat(), 'ge')


def end(moment):
    return q('timestamp', moment.isoformat(), 'lt')


@pytest.mark.parametrize('period', [60, 300, 3600])
def test_one_gnocchi_resource_per_period(seeded, period):
    got, ref = _both(seeded, [q('resource_id', 'vm-g1'), start()],
                     period=period)
    assert got and _comparable(got) == _comparable(ref)
    assert all(s['duration'] is None for s in got)


def test_one_gnocchi_resource_without_period_within_bounds(seeded):
    got, ref = _both(seeded, [q('resource_id', 'vm-g2'), start(),
                              end(T0 + datetime.timedelta(hours=3))])
    assert len(got) == 1
    assert _comparable(got) == _comparable(ref)
    # The last sample is known to lie in the last bucket, which ends then.
    last = datetime.datetime.fromisoformat(ref[0]['period_end'])
    assert got[0]['period_end'] == (utils.floor_to_period(last, 3600) +
                                    datetime.timedelta(hours=1)).isoformat()


def test_one_gnocchi_resource_period_without_start(seeded):
    """Periods start at the granularity boundary before the first sample:
    the reference asked from that boundary answers the same."""
    samples = [s for s in seeded[2] if s[0] == 'vm-g1']
    first = utils.floor_to_period(min(ts for _r, ts, _v in samples), 60)
    got, ref = _both(seeded, [q('resource_id', 'vm-g1')],
                     ref_q=[q('resource_id', 'vm-g1'), start(first)],
                     period=60)
    assert got[0]['period_start'] == first.isoformat()
    assert _comparable(got) == _comparable(ref)


@pytest.mark.parametrize('aggregates', [
    ['avg', 'max'], ['stddev'], ['cardinality/resource_id', 'count'],
    ['min', 'sum', 'stddev']])
def test_selected_aggregates_of_a_gnocchi_resource(seeded, aggregates):
    funcs, params = [], []
    for spec in aggregates:
        func, _sep, param = spec.partition('/')
        funcs.append(func)
        params.append(param)
    extra = {'aggregate.func': funcs}
    if any(params):
        extra['aggregate.param'] = params
    got, ref = _both(seeded, [q('resource_id', 'vm-g3'), start()],
                     period=3600, **extra)
    assert got and _comparable(got) == _comparable(ref)


@pytest.mark.parametrize('groupby,period', [
    (['project_id'], 3600), (['resource_id'], 0), ([], 600),
    (['user_id', 'project_id'], 1800)])
def test_project_wide_fan_out_over_every_kind(seeded, groupby, period):
    bounds = [start(), end(T0 + datetime.timedelta(hours=3))]
    got, ref = _both(seeded, bounds, groupby=groupby, period=period or None)
    assert got and _comparable(got) == _comparable(ref)
    if 'resource_id' in groupby:
        ids = {s['groupby']['resource_id'] for s in got}
        assert ids == set(RESOURCES)   # cascading ids, every region


def test_fan_out_period_without_start_aligns_every_region(seeded):
    """Without a start, the common start is the earliest first sample,
    aligned to the period because a Gnocchi region takes part."""
    first = min(ts for _r, ts, _v in seeded[2])
    aligned = utils.floor_to_period(first, 600)
    got, ref = _both(seeded, [], ref_q=[start(aligned)], period=600)
    assert got[0]['period_start'] == aligned.isoformat()
    assert _comparable(got) == _comparable(ref)


def test_members_see_their_project_only(seeded):
    got, ref = _both(seeded, [start()], headers=MEMBER, groupby=[
        'resource_id'])
    assert {s['groupby']['resource_id'] for s in got} == {
        rid for rid, (_r, project, _g) in RESOURCES.items()
        if project == 'p1'}
    assert _comparable(got) == _comparable(ref)


def test_metadata_filters_become_gnocchi_attribute_searches(seeded):
    query = [q('metadata.user_metadata.server_group', 'g1'), start()]
    got, ref = _both(seeded, query, groupby=['resource_id'], period=3600)
    assert {s['groupby']['resource_id'] for s in got} == {'vm-g1', 'vm-g3'}
    assert _comparable(got) == _comparable(ref)


def test_the_gnocchi_numbers_are_gnocchis_own(seeded, modern_region):
    got = seeded[0].client().get_json(
        '/v2/meters/%s/statistics' % METER,
        q=[q('resource_id', 'vm-g1'), start()], period=60)
    native = {}
    for method in ('count', 'sum', 'min', 'max', 'mean'):
        rows = modern_region.gnocchi(
            'GET', '/v1/resource/generic/gn-vm-g1/metric/%s/measures'
            % METER, aggregation=method, granularity=60,
            start=T0.isoformat())
        for ts, _granularity, value in rows:
            native.setdefault(ts[:19], {})[method] = value
    assert [s['period_start'][:19] for s in got] == sorted(native)
    for stat in got:
        row = native[stat['period_start'][:19]]
        assert stat['count'] == row['count']
        assert stat['min'] == row['min'] and stat['max'] == row['max']
        assert stat['sum'] == pytest.approx(row['sum'], rel=1e-12)
        assert stat['avg'] == pytest.approx(row['mean'], rel=1e-12)


# -- what cannot be answered exactly is refused, naming the region ----------

def _refused(seeded, q_, status=400, **params):
    resp = seeded[0].client().get('/v2/meters/%s/statistics' % METER,
                                  q=q_, **params)
    assert resp.status_code == status, resp.text
    fault = resp.json()['error_message']['faultstring']
    assert G in fault
    return fault


def test_a_period_no_granularity_divides_is_refused(seeded):
    fault = _refused(seeded, [q('resource_id', 'vm-g1'), start()], period=90)
    assert 'period 90 with start' in fault and 'not available' in fault
    assert '60 s, 3600 s' in fault


def test_a_start_off_the_granularity_is_refused(seeded):
    fault = _refused(seeded, [q('resource_id', 'vm-g1'),
                              start(T0 + datetime.timedelta(seconds=30))],
                     period=60)
    assert 'start' in fault


def test_exclusive_starts_and_inclusive_ends_are_refused(seeded):
    for op in ('gt', 'le'):
        fault = _refused(seeded, [q('resource_id', 'vm-g1'),
                                  q('timestamp', T0.isoformat(), op)])
        assert 'ge (>=)' in fault


def test_untranslatable_filters_and_groups_are_refused(seeded):
    assert 'source' in _refused(seeded, [q('resource_id', 'vm-g1'),
                                         q('source', 'openstack')])
    assert 'metadata.nope' in _refused(seeded, [
        q('resource_id', 'vm-g1'), q('metadata.nope', 'x')])
    assert 'group by source' in _refused(seeded, [q('resource_id', 'vm-g1')],
                                         groupby=['source'])


def test_samples_of_a_gnocchi_resource_are_refused(seeded):
    resp = seeded[0].client().get('/v2/meters/%s' % METER,
                                  q=[q('resource_id', 'vm-g1')])
    assert resp.status_code == 400
    assert 'Region %s cannot answer' % G in resp.text
    assert 'raw samples' in resp.text


def test_project_wide_samples_name_the_gnocchi_region(seeded):
    cascade = seeded[0]
    resp = cascade.client().get('/v2/samples')
    assert resp.status_code == 400 and G in resp.text
    cascade.restart_cascading(cascading={'partial_results': True})
    try:
        resp = cascade.client().get('/v2/samples', limit=1000)
        assert resp.status_code == 200
        assert resp.headers['X-Cascading-Missing-Regions'] == G
        assert {s['resource_id'] for s in resp.json()} == {
            rid for rid, spec in RESOURCES.items() if spec[0] != G}
    finally:
        cascade.restart_cascading(cascading={'partial_results': False})


# -- archive policies decide what exists --------------------------------------

def _one_resource(seeded, modern_region, rid, meter, policy, measures):
    cascade = seeded[0]
    cascade.register(rid, region=G, cascaded_id='gn-' + rid,
                     project_id='p1', user_id='user-p1')
    modern_region.create_resource('gn-' + rid, 'p1', 'user-p1',
                                  metrics=(meter,), policy=policy)
    modern_region.post_measures({'gn-' + rid: {meter: measures}})
    modern_region.wait_for_processing()
    return cascade.client()


def test_measures_older_than_a_granularity_keeps_are_not_missed(
        seeded, modern_region):
    """``short-minutes`` keeps minutes for ten minutes only: a per-minute
    answer reaching further back would silently lack the older measures,
    which its hours still hold."""
    now = utils.floor_to_period(utils.utcnow(), 60)
    old, recent = now - datetime.timedelta(hours=2), now
    client = _one_resource(seeded, modern_region, 'vm-short', 'memory.usage',
                           'short-minutes', [(old, 1.0), (recent, 3.0)])
    path = '/v2/meters/memory.usage/statistics'
    resp = client.get(path, q=[q('resource_id', 'vm-short')], period=60)
    assert resp.status_code == 400
    fault = resp.json()['error_message']['faultstring']
    assert 'keeps granularity 60 s of memory.usage for 600 s only' in fault
    assert 'a multiple of 3600' in fault
    # Within what the minutes keep, or at the hours: exact answers.
    within = client.get_json(path, q=[q('resource_id', 'vm-short'),
                                      start(now - datetime.timedelta(
                                          minutes=5))], period=60)
    assert [(s['count'], s['sum']) for s in within] == [(1, 3.0)]
    hourly = client.get_json(path, q=[q('resource_id', 'vm-short')],
                             period=3600)
    assert sum(s['count'] for s in hourly) == 2
    assert sum(s['sum'] for s in hourly) == 4.0
    # A start inside the hour that holds the lost measure: still refused,
    # whatever aggregate is asked.
    resp = client.get(path, q=[q('resource_id', 'vm-short'), start(old)],
                      period=60, **{'aggregate.func': 'max'})
    assert resp.status_code == 400, resp.text


def test_a_range_past_what_minutes_keep_is_fine_when_nothing_was_lost(
        seeded, modern_region):
    now = utils.floor_to_period(utils.utcnow(), 60)
    client = _one_resource(seeded, modern_region, 'vm-fresh', 'memory.free',
                           'short-minutes', [(now, 5.0)])
    stats = client.get_json('/v2/meters/memory.free/statistics', q=[
        q('resource_id', 'vm-fresh'),
        start(now - datetime.timedelta(minutes=90))], period=60,
        **{'aggregate.func': 'max'})
    assert [s['aggregate']['max'] for s in stats] == [5.0]


def test_a_policy_keeping_means_only_answers_means_only(
        seeded, modern_region):
    base = utils.floor_to_period(T0, 600)
    client = _one_resource(seeded, modern_region, 'vm-low', 'disk.usage',
                           'means-only', [
                               (base + datetime.timedelta(minutes=1), 2.0),
                               (base + datetime.timedelta(minutes=2), 4.0),
                               (base + datetime.timedelta(minutes=6), 9.0)])
    path = '/v2/meters/disk.usage/statistics'
    query = [q('resource_id', 'vm-low'), start(base)]
    resp = client.get(path, q=query, period=300)
    assert resp.status_code == 400
    assert "count of disk.usage needs the count aggregation" in resp.text
    avg = client.get_json(path, q=query, period=300,
                          **{'aggregate.func': 'avg'})
    assert [s['aggregate']['avg'] for s in avg] == [3.0, 9.0]
    # Ten minutes are two five-minute means of unknown weights.
    resp = client.get(path, q=query, period=600,
                      **{'aggregate.func': 'avg'})
    assert resp.status_code == 400
    assert 'needs sum and count' in resp.text


def test_the_map_records_each_resources_region_driver(seeded):
    client = seeded[0].client()
    assert client.get_json('/v2/resources/vm-g1')['metadata'][
        'region_driver'] == 'gnocchi'
    assert client.get_json('/v2/resources/vm-a')['metadata'][
        'region_driver'] == 'v2'
    member = seeded[0].client(MEMBER).get_json('/v2/resources/vm-g1')
    assert 'region_driver' not in member['metadata']


def test_a_resource_made_again_is_read_with_its_new_metrics(seeded,
                                                            modern_region):
    """Its metric ids change; the cached ones are read again at once."""
    moment = utils.floor_to_period(utils.utcnow(), 60)
    client = _one_resource(seeded, modern_region, 'vm-again', 'net.rate',
                           'cascade-test', [(moment, 1.0)])
    path = '/v2/meters/net.rate/statistics'
    query = [q('resource_id', 'vm-again'), start(moment)]
    assert [s['max'] for s in client.get_json(path, q=query)] == [1.0]
    modern_region.gnocchi('DELETE', '/v1/resource/generic/gn-vm-again',
                          status=204)
    modern_region.create_resource('gn-vm-again', 'p1', 'user-p1',
                                  metrics=('net.rate',),
                                  policy='cascade-test')
    modern_region.post_measures({'gn-vm-again': {'net.rate': [
        (moment, 7.0)]}})
    modern_region.wait_for_processing()
    assert [s['max'] for s in client.get_json(path, q=query)] == [7.0]
