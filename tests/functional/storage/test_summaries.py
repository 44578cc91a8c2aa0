"""Statistics from summaries equal statistics from raw samples.

The same database is read by two drivers, one answering statistics from
the per-minute/per-hour summaries (with raw samples at the edges), one from
raw samples only; random queries over random data must agree.
"""

import datetime
import random

import pytest

from ceilometer_proxy import service
from ceilometer_proxy import storage
from tests import services

BASE = datetime.datetime(2024, 3, 1, 9, 0, 0)
RESOURCES = ['vm-%d' % i for i in range(4)]
PROJECTS = ['proj-a', 'proj-b']


def driver(url, summaries):
    conf = service.prepare_service([], config_files=[])
    conf.set_override('statistics_summaries', summaries, group='database')
    return storage.get_connection_from_config(conf, url)


@pytest.fixture(scope='module')
def drivers(mongodb_url):
    url = services.db_url(mongodb_url, services.unique_db_name('summary'))
    fast, raw = driver(url, True), driver(url, False)
    fast.upgrade()
    rng = random.Random(20240301)
    messages = []
    for i in range(3000):
        ts = BASE + datetime.timedelta(
            milliseconds=rng.randrange(0, 6 * 3600 * 1000))
        resource = rng.choice(RESOURCES)
        messages.append(services.make_message(
            'cpu_util', round(rng.uniform(0, 100), 3), resource, ts,
            counter_unit='%', project_id=PROJECTS[RESOURCES.index(resource)
                                                  % 2],
            user_id='user-%d' % rng.randrange(3),
            source=rng.choice(['openstack', 'lab'])))
    for start in range(0, len(messages), 500):
        fast.record_metering_data_batch(messages[start:start + 500])
    # Redelivery must not count twice.
    fast.record_metering_data_batch(messages[:200])
    yield fast, raw
    fast.clear()
    fast.close()
    raw.close()


def random_time(rng):
    choice = rng.random()
    if choice < 0.3:   # on an hour
        return BASE + datetime.timedelta(hours=rng.randrange(-1, 8))
    if choice < 0.6:   # on a minute
        return BASE + datetime.timedelta(minutes=rng.randrange(-30, 400))
    return BASE + datetime.timedelta(
        milliseconds=rng.randrange(-600000, 7 * 3600 * 1000))


def random_query(rng):
    kwargs = {'meter': 'cpu_util'}
    if rng.random() < 0.6:
        kwargs['start_timestamp'] = random_time(rng)
        kwargs['start_timestamp_op'] = rng.choice(['ge', 'gt', None])
    if rng.random() < 0.6:
        kwargs['end_timestamp'] = random_time(rng)
        kwargs['end_timestamp_op'] = rng.choice(['le', 'lt', None])
    if rng.random() < 0.3:
        kwargs['resource'] = rng.choice(RESOURCES)
    if rng.random() < 0.2:
        kwargs['project'] = rng.choice(PROJECTS)
    period = rng.choice([None, None, 30, 60, 90, 120, 600, 3600, 7200])
    groupby = rng.choice([[], [], ['resource_id'], ['project_id', 'source'],
                          ['user_id']])
    aggregates = rng.choice([
        [], [], [storage.Aggregate('max'), storage.Aggregate('count')],
        [storage.Aggregate('cardinality', 'resource_id'),
         storage.Aggregate('avg')],
        [storage.Aggregate('cardinality', 'project_id')]])
    return storage.SampleFilter(**kwargs), period, groupby, aggregates


def comparable(stats):
    out = []
    for s in stats:
        values = s.as_dict()
        for key in ('sum', 'avg'):
            if values.get(key) is not None:
                values[key] = round(values[key], 6)
        if values.get('aggregate'):
            values['aggregate'] = {k: round(v, 6) for k, v in
                                   values['aggregate'].items()}
        out.append(values)
    return out


def test_redelivered_samples_are_not_counted_twice(drivers):
    fast, raw = drivers
    f = storage.SampleFilter(meter='cpu_util')
    assert fast.get_meter_statistics(f)[0].count == 3000
    assert raw.get_meter_statistics(f)[0].count == 3000


@pytest.mark.parametrize('seed', range(40))
def test_summaries_agree_with_raw_samples(drivers, seed):
    fast, raw = drivers
    rng = random.Random(seed)
    f, period, groupby, aggregates = random_query(rng)
    expected = raw.get_meter_statistics(f, period, groupby, aggregates)
    got = fast.get_meter_statistics(f, period, groupby, aggregates)
    assert comparable(got) == comparable(expected)


def test_whole_range_reads_summaries_only(drivers, monkeypatch):
    fast, _raw = drivers
    calls = []
    original = fast.meter.find

    def counting_find(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(fast.meter, 'find', counting_find)
    f = storage.SampleFilter(meter='cpu_util',
                             start_timestamp=BASE,
                             end_timestamp=BASE + datetime.timedelta(hours=6))
    stats = fast.get_meter_statistics(f, 3600, ['resource_id'])
    assert sum(s.count for s in stats) == 3000
    assert calls == []


def test_compaction_merges_parts_and_keeps_the_answers(drivers):
    fast, raw = drivers
    f = storage.SampleFilter(meter='cpu_util')
    before = comparable(fast.get_meter_statistics(f, 3600, ['resource_id']))
    whole = comparable(fast.get_meter_statistics(f, 3600))
    scopes = fast.summaries.scopes()
    parts = sum(c.count_documents({}) for _n, c, _d in scopes)
    saved = fast.compact_summaries()
    after_parts = sum(c.count_documents({}) for _n, c, _d in scopes)
    assert saved > 0
    assert after_parts == parts - saved
    # One document per series of each scope and hour is left.
    for _name, collection, dims in scopes:
        docs = list(collection.find())
        keys = {(d['bucket'],) + tuple(d.get(k) for k in dims) for d in docs}
        assert len(keys) == len(docs)
    assert comparable(fast.get_meter_statistics(
        f, 3600, ['resource_id'])) == before
    assert comparable(fast.get_meter_statistics(f, 3600)) == whole
    assert whole == comparable(raw.get_meter_statistics(f, 3600))
    assert before == comparable(raw.get_meter_statistics(
        f, 3600, ['resource_id']))
    assert fast.compact_summaries() == 0


@pytest.mark.parametrize('kwargs,groupby,aggregates,source', [
    ({}, [], [], 'summaries:meter'),
    ({}, ['project_id'], [], 'summaries:project'),
    ({'project': 'proj-a'}, [], [], 'summaries:project'),
    ({}, [], [('cardinality', 'project_id')], 'summaries:project'),
    ({'resource': 'vm-1'}, [], [], 'summaries:series'),
    ({}, ['user_id'], [], 'summaries:series'),
    ({}, [], [('cardinality', 'resource_id')], 'summaries:series'),
    ({'metaquery': {'metadata.flavor': 'x'}}, [], [], 'scan'),
    ({}, [], [('stddev', None)], 'scan'),
])
def test_each_query_reads_the_coarsest_scope_that_holds_it(
        drivers, kwargs, groupby, aggregates, source):
    fast, raw = drivers
    f = storage.SampleFilter(meter='cpu_util', **kwargs)
    aggs = [storage.Aggregate(*a) for a in aggregates]
    assert fast.statistics_source(f, groupby, aggs) == source
    assert raw.statistics_source(f, groupby, aggs) == 'scan'
    assert comparable(fast.get_meter_statistics(f, 600, groupby, aggs)) == (
        comparable(raw.get_meter_statistics(f, 600, groupby, aggs)))


def test_summaries_older_than_the_scopes_read_the_series_until_rebuilt(
        mongodb_url):
    url = services.db_url(mongodb_url, services.unique_db_name('scopes'))
    fast = driver(url, True)
    try:
        fast.upgrade()
        fast.record_metering_data_batch([services.make_message(
            'cpu_util', float(i), RESOURCES[i % 4],
            BASE + datetime.timedelta(minutes=i)) for i in range(120)])
        # A store whose summaries were written before the coarse scopes.
        fast.summaries.state.update_one({'_id': 'summaries'},
                                        {'$unset': {'scopes': ''}})
        for name, collection, _dims in fast.summaries.scopes():
            if name != 'series':
                collection.delete_many({})
        f = storage.SampleFilter(meter='cpu_util')
        assert fast.statistics_source(f) == 'summaries:series'
        assert fast.get_meter_statistics(f, 3600)[0].count == 60
        assert fast.rebuild_summaries() == 120
        assert fast.statistics_source(f) == 'summaries:meter'
        assert [s.count for s in fast.get_meter_statistics(f, 3600)] == [
            60, 60]
    finally:
        fast.clear()
        fast.close()
