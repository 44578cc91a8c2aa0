"""GET /v2/meters/<name>/statistics: aggregates, periods, groups, access.

Every test seeds its own samples through the storage driver (the ``api``
fixture empties the database first) and compares the API's answer with
figures derived in Python from the same seed rows.
"""

import datetime
import math
import statistics

import pytest

from tests import services

DT = datetime.datetime
STANDARD = ('count', 'min', 'max', 'sum', 'avg')


# -- helpers --------------------------------------------------------------

def iso(ts):
    """How the API renders a stored (naive UTC) timestamp."""
    return ts.isoformat()


def url(meter):
    return '/v2/meters/%s/statistics' % meter


def eq(field, value, type_=None):
    item = {'field': field, 'op': 'eq', 'value': value}
    if type_:
        item['type'] = type_
    return item


def when(op, ts):
    return {'field': 'timestamp', 'op': op,
            'value': iso(ts) if isinstance(ts, DT) else ts}


def row(meter, volume, resource, ts, **extra):
    """Keyword arguments of services.make_message, kept for the oracle."""
    values = {'counter_name': meter, 'counter_volume': volume,
              'resource_id': resource, 'timestamp': ts}
    values.update(extra)
    return values


def seed(store, rows):
    store.record_metering_data_batch(
        [services.make_message(**r) for r in rows])


def field_value(r, field):
    """The value a groupby field has in a seed row (None if missing)."""
    if field.startswith('resource_metadata.'):
        node = r.get('resource_metadata') or {}
        for part in field.split('.')[1:]:
            node = node.get(part) if isinstance(node, dict) else None
        return node
    return r[field]


def as_text(value):
    return None if value is None else str(value)


def summary(rows):
    """The standard statistics and time span of some seed rows."""
    volumes = [float(r['counter_volume']) for r in rows]
    first = min(r['timestamp'] for r in rows)
    last = max(r['timestamp'] for r in rows)
    return {'count': len(volumes),
            'sum': math.fsum(volumes),
            'min': min(volumes),
            'max': max(volumes),
            'avg': statistics.fmean(volumes),
            'duration_start': iso(first),
            'duration_end': iso(last),
            'duration': (last - first).total_seconds()}


def assert_summary(stat, rows):
    want = summary(rows)
    for key in ('count', 'min', 'max', 'duration_start', 'duration_end'):
        assert stat[key] == want[key], (key, stat)
    for key in ('sum', 'avg', 'duration'):
        assert stat[key] == pytest.approx(want[key]), (key, stat)


def bucket_of(ts, origin, period):
    step = datetime.timedelta(seconds=period)
    return origin + ((ts - origin) // step) * step


def expected_groups(rows, fields, period=None, origin=None):
    """{(period start or None, ((field, text), ...)): [rows]}."""
    groups = {}
    for r in rows:
        start = bucket_of(r['timestamp'], origin, period) if period else None
        key = (start, tuple(sorted(
            (f, as_text(field_value(r, f))) for f in fields)))
        groups.setdefault(key, []).append(r)
    return groups


def group_key(stat, period):
    start = DT.fromisoformat(stat['period_start']) if period else None
    return (start, tuple(sorted(stat['groupby'].items())))


def assert_grouped(data, rows, fields, period=None, origin=None,
                   unit=None, check_order=True):
    """The answer has exactly one correct entry per (period, group)."""
    want = expected_groups(rows, fields, period, origin)
    got = {}
    for stat in data:
        assert sorted(stat['groupby']) == sorted(fields)
        key = group_key(stat, period)
        assert key not in got, 'duplicate entry %r' % (key,)
        got[key] = stat
    assert set(got) == set(want)
    for key, members in want.items():
        stat = got[key]
        assert_summary(stat, members)
        if unit is not None:
            assert stat['unit'] == unit
        if period:
            start = key[0]
            assert stat['period'] == period
            assert stat['period_end'] == iso(
                start + datetime.timedelta(seconds=period))
        else:
            assert stat['period'] == 0
    if check_order:
        order = [(stat['period_start'] if period else '',
                  tuple(stat['groupby'][f] for f in fields))
                 for stat in data]
        assert order == sorted(order)


def assert_client_error(resp, status=400):
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {'error_message'}
    fault = body['error_message']
    assert fault['faultcode'] == 'Client'
    assert isinstance(fault['faultstring'], str) and fault['faultstring']
    return fault['faultstring']


# -- a short volume series, read by project or by resource --------------

VOLUME = 'volume.gigabytes'
SERIES = [(DT(2014, 3, 10, 8, 5, 17), 11),
          (DT(2014, 3, 10, 9, 20, 41), 3),
          (DT(2014, 3, 10, 10, 35, 2), 8)]

LAYOUTS = {
    # the series spread over three volumes of one project
    'by_project': ('project_id', 'tenant-ash',
                   lambda i: dict(resource='vol-ash-%d' % i,
                                  project_id='tenant-ash',
                                  user_id='user-ash')),
    # the series of one volume
    'by_resource': ('resource_id', 'vol-elm',
                    lambda i: dict(resource='vol-elm',
                                   project_id='tenant-elm',
                                   user_id='user-elm')),
}


def seed_series(store, layout):
    field, value, shape = LAYOUTS[layout]
    rows = []
    for i, (ts, volume) in enumerate(SERIES):
        where = shape(i)
        rows.append(row(VOLUME, volume, where.pop('resource'), ts,
                        counter_unit='GB', source='cinder', **where))
    noise = [
        # same meter, other project and volume: bigger than everything
        row(VOLUME, 50, 'vol-oak', DT(2014, 3, 10, 9, 0),
            counter_unit='GB', project_id='tenant-oak'),
        # other meter on the volumes of both layouts
        row('volume.iops', 900, 'vol-elm', DT(2014, 3, 10, 9, 30),
            counter_unit='iops', project_id='tenant-elm'),
        row('volume.iops', 700, 'vol-ash-1', DT(2014, 3, 10, 9, 31),
            counter_unit='iops', project_id='tenant-ash'),
    ]
    seed(store, rows + noise)
    return [eq(field, value)], rows


# (name, timestamp conditions, indexes of SERIES selected)
WINDOWS = [
    ('no_bounds', [], [0, 1, 2]),
    ('start', [when('ge', DT(2014, 3, 10, 9, 0))], [1, 2]),
    ('start_inclusive', [when('ge', SERIES[1][0])], [1, 2]),
    ('start_exclusive', [when('gt', SERIES[1][0])], [2]),
    ('start_after_all', [when('ge', DT(2014, 3, 10, 10, 35, 3))], []),
    ('end', [when('le', DT(2014, 3, 10, 9, 0))], [0]),
    ('end_inclusive', [when('le', SERIES[1][0])], [0, 1]),
    ('end_exclusive', [when('lt', SERIES[1][0])], [0]),
    ('end_before_all', [when('le', DT(2014, 3, 10, 8, 5, 16))], []),
    ('start_and_end', [when('ge', DT(2014, 3, 10, 9, 0)),
                       when('le', DT(2014, 3, 10, 10, 0))], [1]),
    ('start_and_end_all', [when('gt', DT(2014, 3, 10, 8)),
                           when('lt', DT(2014, 3, 10, 11))], [0, 1, 2]),
]


@pytest.mark.parametrize('layout', sorted(LAYOUTS))
@pytest.mark.parametrize('name,window,picked', WINDOWS,
                         ids=[w[0] for w in WINDOWS])
def test_series_statistics_in_time_window(api, store, layout, name, window,
                                          picked):
    """count/min/max/sum/avg and time fields of the samples in a window."""
    q, rows = seed_series(store, layout)
    data = api.get_json(url(VOLUME), q=q + window)
    if not picked:
        assert data == []
        return
    assert len(data) == 1
    stat = data[0]
    chosen = [rows[i] for i in picked]
    assert_summary(stat, chosen)
    assert stat['unit'] == 'GB'
    assert stat['groupby'] is None
    assert stat['period'] == 0
    assert 'aggregate' not in stat
    starts = [c['value'] for c in window if c['op'] in ('ge', 'gt')]
    # One bucket: it starts where the query starts, or at its first sample.
    assert stat['period_start'] == (starts[0] if starts else
                                    iso(chosen[0]['timestamp']))
    assert stat['period_end'] == iso(chosen[-1]['timestamp'])


@pytest.mark.parametrize('layout', sorted(LAYOUTS))
def test_series_figures(api, store, layout):
    """The three volumes 11, 3 and 8 give these figures."""
    q, _rows = seed_series(store, layout)
    stat, = api.get_json(url(VOLUME), q=q)
    assert stat['max'] == 11
    assert stat['min'] == 3
    assert stat['sum'] == 22
    assert stat['count'] == 3
    assert stat['avg'] == pytest.approx(22 / 3)
    # 08:05:17 .. 10:35:02
    assert stat['duration'] == 2 * 3600 + 29 * 60 + 45
    assert stat['duration_start'] == '2014-03-10T08:05:17'
    assert stat['duration_end'] == '2014-03-10T10:35:02'


def test_statistics_of_unknown_meter_is_empty(api, store):
    seed_series(store, 'by_project')
    assert api.get_json(url('no.such.meter')) == []
    assert api.get_json(url(VOLUME), q=[eq('project_id', 'nobody')]) == []


def test_statistics_of_whole_meter_mix_every_sample(api, store):
    """Without a filter, every sample of the meter (and only it) counts."""
    _q, rows = seed_series(store, 'by_project')
    stat, = api.get_json(url(VOLUME))
    every = rows + [row(VOLUME, 50, 'vol-oak', DT(2014, 3, 10, 9, 0))]
    assert_summary(stat, every)
    assert stat['max'] == 50


# -- periods --------------------------------------------------------------

CPU = 'cpu.util'
CPU_ROWS = [
    row(CPU, 4.0, 'vm-kestrel', DT(2014, 6, 2, 12, 7, 30)),
    row(CPU, 6.5, 'vm-kestrel', DT(2014, 6, 2, 12, 20)),
    # exactly 30 minutes after the first sample
    row(CPU, 1.0, 'vm-kestrel', DT(2014, 6, 2, 12, 37, 30)),
    row(CPU, 9.0, 'vm-kestrel', DT(2014, 6, 2, 13, 50)),
]
for _r in CPU_ROWS:
    _r.update(counter_unit='%', project_id='tenant-kestrel')
CPU_Q = [eq('resource_id', 'vm-kestrel')]


def seed_cpu(store):
    seed(store, CPU_ROWS + [
        # same meter, another resource, before the kestrel samples
        row(CPU, 70.0, 'vm-osprey', DT(2014, 6, 2, 11, 41, 10),
            counter_unit='%', project_id='tenant-osprey'),
        # the oldest sample of the collection, of another meter
        row('cpu.time', 1e6, 'vm-kestrel', DT(2014, 5, 30, 3, 3),
            counter_unit='ns', project_id='tenant-kestrel'),
    ])


def periods(data):
    return [(s['period_start'], s['period_end'], s['period'])
            for s in data]


def test_period_without_start_begins_at_first_matching_sample(api, store):
    """Buckets start at the first sample the query selects, not at the
    oldest sample of the collection; empty buckets are left out."""
    seed_cpu(store)
    data = api.get_json(url(CPU), q=CPU_Q, period=1800)
    assert periods(data) == [
        ('2014-06-02T12:07:30', '2014-06-02T12:37:30', 1800),
        ('2014-06-02T12:37:30', '2014-06-02T13:07:30', 1800),
        # 13:07:30 .. 13:37:30 holds no sample
        ('2014-06-02T13:37:30', '2014-06-02T14:07:30', 1800),
    ]
    assert [s['count'] for s in data] == [2, 1, 1]
    assert_summary(data[0], CPU_ROWS[:2])
    assert_summary(data[1], CPU_ROWS[2:3])
    assert_summary(data[2], CPU_ROWS[3:])
    assert data[0]['avg'] == pytest.approx(5.25)
    assert all(s['unit'] == '%' and s['groupby'] is None for s in data)


def test_period_origin_follows_the_filter(api, store):
    """Another filter selects another first sample, hence other buckets."""
    seed_cpu(store)
    data = api.get_json(url(CPU), period=3600)
    # the osprey sample at 11:41:10 is now the first one
    assert periods(data) == [
        ('2014-06-02T11:41:10', '2014-06-02T12:41:10', 3600),
        ('2014-06-02T13:41:10', '2014-06-02T14:41:10', 3600),
    ]
    assert [s['count'] for s in data] == [4, 1]
    assert data[0]['max'] == 70.0
    assert data[0]['min'] == 1.0


def test_period_with_start_timestamp(api, store):
    seed_cpu(store)
    data = api.get_json(url(CPU), period=3600,
                        q=CPU_Q + [when('ge', DT(2014, 6, 2, 12))])
    assert periods(data) == [
        ('2014-06-02T12:00:00', '2014-06-02T13:00:00', 3600),
        ('2014-06-02T13:00:00', '2014-06-02T14:00:00', 3600),
    ]
    assert_summary(data[0], CPU_ROWS[:3])
    assert_summary(data[1], CPU_ROWS[3:])


def test_period_with_start_timestamp_skips_empty_buckets(api, store):
    seed_cpu(store)
    data = api.get_json(url(CPU), period=1800,
                        q=CPU_Q + [when('ge', DT(2014, 6, 2, 12, 15))])
    assert periods(data) == [
        ('2014-06-02T12:15:00', '2014-06-02T12:45:00', 1800),
        ('2014-06-02T13:45:00', '2014-06-02T14:15:00', 1800),
    ]
    assert_summary(data[0], CPU_ROWS[1:3])
    assert_summary(data[1], CPU_ROWS[3:])
    assert data[0]['duration_start'] == '2014-06-02T12:20:00'
    assert data[0]['duration_end'] == '2014-06-02T12:37:30'
    assert data[0]['duration'] == 17.5 * 60


def test_period_with_start_and_end(api, store):
    """A sample exactly on a bucket edge belongs to the later bucket."""
    seed_cpu(store)
    data = api.get_json(url(CPU), period=1200,
                        q=CPU_Q + [when('ge', DT(2014, 6, 2, 12)),
                                   when('lt', DT(2014, 6, 2, 13))])
    assert periods(data) == [
        ('2014-06-02T12:00:00', '2014-06-02T12:20:00', 1200),
        ('2014-06-02T12:20:00', '2014-06-02T12:40:00', 1200),
    ]
    assert_summary(data[0], CPU_ROWS[:1])
    # 12:20:00 opens the second bucket
    assert_summary(data[1], CPU_ROWS[1:3])


def test_period_zero_is_one_bucket(api, store):
    seed_cpu(store)
    stat, = api.get_json(url(CPU), q=CPU_Q, period=0)
    assert stat['period'] == 0
    assert_summary(stat, CPU_ROWS)
    assert stat['period_start'] == '2014-06-02T12:07:30'
    assert stat['period_end'] == '2014-06-02T13:50:00'


def test_period_longer_than_the_data(api, store):
    """A large period that still fits gives one bucket of that length."""
    seed_cpu(store)
    period = 10 ** 9
    stat, = api.get_json(url(CPU), q=CPU_Q, period=period)
    assert stat['period'] == period
    assert stat['period_start'] == '2014-06-02T12:07:30'
    assert stat['period_end'] == iso(
        DT(2014, 6, 2, 12, 7, 30) + datetime.timedelta(seconds=period))
    assert_summary(stat, CPU_ROWS)


def test_negative_period_is_refused(api, store):
    seed_cpu(store)
    resp = api.get(url(CPU), q=CPU_Q, period=-1)
    assert 'positive' in assert_client_error(resp).lower()


@pytest.mark.parametrize('period,start', [
    (10 ** 13, None),
    (10 ** 13, DT(2014, 6, 2, 12)),
    (10 ** 20, None),
    (10 ** 20, DT(2014, 6, 2, 12)),
], ids=['1e13', '1e13_with_start', '1e20', '1e20_with_start'])
def test_overflowing_period_is_refused(api, store, period, start):
    """Periods whose buckets cannot be dated are a client error, not 500."""
    seed_cpu(store)
    q = [eq('user_id', 'user-id')]
    if start:
        q.append(when('ge', start))
    resp = api.get(url(CPU), q=q, period=period)
    assert 'Invalid period' in assert_client_error(resp)


def test_non_numeric_period_is_refused(api, store):
    seed_cpu(store)
    resp = api.get(url(CPU), q=CPU_Q, period='hourly')
    assert resp.status_code == 400


# -- group by -------------------------------------------------------------

PACKETS = 'net.rx.packets'


def _packet(volume, user, project, resource, ts, source, meta):
    return row(PACKETS, volume, resource, ts, user_id=user,
               project_id=project, source=source, counter_unit='packet',
               counter_type='cumulative', resource_metadata=meta)


GROUP_ROWS = [
    _packet(3, 'u-red', 't-alpha', 'r-pine', DT(2015, 1, 20, 9, 14),
            'src-east', {'flavor': 'small', 'instance_type': 'm1.small',
                         'cores': 1, 'zone': {'rack': 'k1'}}),
    _packet(7, 'u-red', 't-beta', 'r-pine', DT(2015, 1, 20, 13, 2),
            'src-east', {'flavor': 'large', 'instance_type': 'm1.large',
                         'cores': 4, 'zone': {'rack': 'k2'}}),
    _packet(5, 'u-blue', 't-alpha', 'r-fir', DT(2015, 1, 20, 8, 47),
            'src-west', {'flavor': 'small', 'instance_type': 'm1.small',
                         'cores': 1, 'zone': {'rack': 'k1'}}),
    _packet(2, 'u-blue', 't-alpha', 'r-fir', DT(2015, 1, 20, 9, 58),
            'src-west', {'flavor': 'large', 'instance_type': 'm1.small',
                         'cores': 4, 'zone': {'rack': 'k2'}}),
    _packet(10, 'u-blue', 't-alpha', 'r-pine', DT(2015, 1, 20, 12, 31),
            'src-west', {'flavor': 'large', 'instance_type': 'm1.large',
                         'cores': 4, 'zone': {'rack': 'k1'}}),
    _packet(6, 'u-blue', 't-beta', 'r-fir', DT(2015, 1, 20, 14, 45),
            'src-west', {'flavor': 'large', 'instance_type': 'm1.large',
                         'cores': 4, 'zone': {'rack': 'k2'}}),
    _packet(1, 'u-green', 't-alpha', 'r-cedar', DT(2015, 1, 20, 10, 26),
            'src-north', {'flavor': 'small', 'instance_type': 'm1.tiny',
                          'cores': 1, 'zone': {'rack': 'k3'}}),
    # no flavor, no zone
    _packet(8, 'u-green', 't-beta', 'r-cedar', DT(2015, 1, 20, 15, 9),
            'src-north', {'instance_type': 'm1.tiny', 'cores': 2}),
]
FIRST_PACKET = DT(2015, 1, 20, 8, 47)


def seed_groups(store):
    seed(store, GROUP_ROWS + [
        # another meter with the same owners must not leak in
        row('net.tx.packets', 1000, 'r-pine', DT(2015, 1, 20, 7, 0),
            user_id='u-red', project_id='t-alpha', source='src-east',
            counter_unit='packet', resource_metadata={'flavor': 'small'}),
    ])


def rows_where(**conditions):
    return [r for r in GROUP_ROWS
            if all(field_value(r, f.replace('__', '.')) == v
                   for f, v in conditions.items())]


@pytest.mark.parametrize('field', ['user_id', 'project_id', 'resource_id',
                                   'source'])
def test_group_by_one_field(api, store, field):
    seed_groups(store)
    data = api.get_json(url(PACKETS), groupby=[field])
    assert_grouped(data, GROUP_ROWS, [field], unit='packet')
    # without a period, each entry ends with its group's last sample
    assert all(s['period_end'] == s['duration_end'] for s in data)


def test_group_by_user_figures(api, store):
    seed_groups(store)
    data = api.get_json(url(PACKETS), groupby=['user_id'])
    by_user = {s['groupby']['user_id']: s for s in data}
    assert sorted(by_user) == ['u-blue', 'u-green', 'u-red']
    blue = by_user['u-blue']
    assert (blue['count'], blue['sum'], blue['min'], blue['max']) == (
        4, 23, 2, 10)
    assert blue['avg'] == 5.75
    red = by_user['u-red']
    assert (red['count'], red['sum'], red['avg']) == (2, 10, 5)
    green = by_user['u-green']
    assert (green['min'], green['max']) == (1, 8)


def test_group_by_source_figures(api, store):
    seed_groups(store)
    data = api.get_json(url(PACKETS), groupby=['source'])
    assert [(s['groupby']['source'], s['count'], s['sum']) for s in data] \
        == [('src-east', 2, 10), ('src-north', 2, 9), ('src-west', 4, 23)]


def test_group_by_several_fields(api, store):
    """Only combinations that occur in the data are reported."""
    seed_groups(store)
    data = api.get_json(url(PACKETS), groupby=['user_id', 'resource_id'])
    assert_grouped(data, GROUP_ROWS, ['user_id', 'resource_id'])
    combos = [(s['groupby']['user_id'], s['groupby']['resource_id'])
              for s in data]
    assert combos == [('u-blue', 'r-fir'), ('u-blue', 'r-pine'),
                      ('u-green', 'r-cedar'), ('u-red', 'r-pine')]
    assert [s['count'] for s in data] == [3, 1, 2, 2]


def test_group_by_three_fields(api, store):
    seed_groups(store)
    fields = ['project_id', 'source', 'user_id']
    data = api.get_json(url(PACKETS), groupby=fields)
    assert_grouped(data, GROUP_ROWS, fields)


def test_group_by_repeated_field_counts_once(api, store):
    seed_groups(store)
    data = api.get_json(url(PACKETS),
                        groupby=['project_id', 'project_id'])
    assert all(list(s['groupby']) == ['project_id'] for s in data)
    assert_grouped(data, GROUP_ROWS, ['project_id'])


def test_group_by_instance_type_metadata(api, store):
    seed_groups(store)
    field = 'resource_metadata.instance_type'
    data = api.get_json(url(PACKETS), groupby=[field])
    assert_grouped(data, GROUP_ROWS, [field])
    assert [s['groupby'][field] for s in data] == [
        'm1.large', 'm1.small', 'm1.tiny']
    assert [s['count'] for s in data] == [3, 3, 2]


def test_group_by_any_metadata_key_with_missing_values(api, store):
    """A sample without the key falls in a group whose value is null."""
    seed_groups(store)
    field = 'resource_metadata.flavor'
    data = api.get_json(url(PACKETS), groupby=[field])
    assert_grouped(data, GROUP_ROWS, [field], check_order=False)
    missing, = [s for s in data if s['groupby'][field] is None]
    assert (missing['count'], missing['sum']) == (1, 8)


def test_group_by_nested_metadata_key(api, store):
    seed_groups(store)
    field = 'resource_metadata.zone.rack'
    data = api.get_json(url(PACKETS), groupby=[field])
    assert_grouped(data, GROUP_ROWS, [field], check_order=False)
    by_rack = {s['groupby'][field]: s['count'] for s in data}
    assert by_rack == {'k1': 3, 'k2': 3, 'k3': 1, None: 1}


def test_group_by_numeric_metadata_is_text(api, store):
    seed_groups(store)
    field = 'resource_metadata.cores'
    data = api.get_json(url(PACKETS), groupby=[field])
    assert_grouped(data, GROUP_ROWS, [field])
    assert [s['groupby'][field] for s in data] == ['1', '2', '4']


def test_group_by_metadata_and_regular_field(api, store):
    seed_groups(store)
    fields = ['project_id', 'resource_metadata.instance_type']
    data = api.get_json(url(PACKETS), groupby=fields)
    assert_grouped(data, GROUP_ROWS, fields)


@pytest.mark.parametrize('field', ['wtf', 'counter_name', 'timestamp',
                                   'metadata.flavor', 'resource_metadata.',
                                   'resource_metadata'])
def test_group_by_unknown_field_is_refused(api, store, field):
    seed_groups(store)
    resp = api.get(url(PACKETS), groupby=['project_id', field])
    assert 'groupby' in assert_client_error(resp)


def test_group_by_with_query_filter(api, store):
    seed_groups(store)
    data = api.get_json(url(PACKETS), q=[eq('project_id', 't-alpha')],
                        groupby=['resource_id'])
    chosen = rows_where(project_id='t-alpha')
    assert_grouped(data, chosen, ['resource_id'])
    assert [(s['groupby']['resource_id'], s['count'], s['sum'])
            for s in data] == [('r-cedar', 1, 1), ('r-fir', 2, 7),
                               ('r-pine', 2, 13)]


def test_group_by_with_several_query_filters(api, store):
    seed_groups(store)
    data = api.get_json(url(PACKETS),
                        q=[eq('user_id', 'u-blue'),
                           eq('source', 'src-west')],
                        groupby=['project_id', 'resource_id'])
    chosen = rows_where(user_id='u-blue', source='src-west')
    assert_grouped(data, chosen, ['project_id', 'resource_id'])
    assert len(data) == 3


def test_group_by_with_period(api, store):
    """Buckets start at the first sample and are shared by all groups."""
    seed_groups(store)
    data = api.get_json(url(PACKETS), groupby=['project_id'], period=7200)
    assert_grouped(data, GROUP_ROWS, ['project_id'], period=7200,
                   origin=FIRST_PACKET)
    assert sorted({s['period_start'] for s in data}) == [
        '2015-01-20T08:47:00', '2015-01-20T10:47:00',
        '2015-01-20T12:47:00', '2015-01-20T14:47:00']
    alpha_first, = [s for s in data
                    if s['period_start'] == '2015-01-20T08:47:00']
    assert alpha_first['groupby'] == {'project_id': 't-alpha'}
    assert alpha_first['count'] == 4
    assert alpha_first['duration_start'] == '2015-01-20T08:47:00'
    assert alpha_first['duration_end'] == '2015-01-20T10:26:00'
    assert alpha_first['duration'] == 99 * 60
    assert alpha_first['period_end'] == '2015-01-20T10:47:00'


def test_group_by_with_query_filter_and_period(api, store):
    """The first sample of the filtered query anchors the buckets."""
    seed_groups(store)
    data = api.get_json(url(PACKETS), q=[eq('source', 'src-east')],
                        groupby=['project_id'], period=3600)
    # src-east samples: 09:14 (t-alpha) and 13:02 (t-beta)
    assert [(s['period_start'], s['groupby']['project_id'], s['count'])
            for s in data] == [('2015-01-20T09:14:00', 't-alpha', 1),
                               ('2015-01-20T12:14:00', 't-beta', 1)]
    assert_grouped(data, rows_where(source='src-east'), ['project_id'],
                   period=3600, origin=DT(2015, 1, 20, 9, 14))


def test_group_by_start_and_end_with_period(api, store):
    seed_groups(store)
    start, end = DT(2015, 1, 20, 9), DT(2015, 1, 20, 15)
    data = api.get_json(url(PACKETS), groupby=['project_id'], period=3600,
                        q=[when('ge', start), when('le', end)])
    chosen = [r for r in GROUP_ROWS if start <= r['timestamp'] <= end]
    assert_grouped(data, chosen, ['project_id'], period=3600, origin=start)
    assert [s['period_start'][11:16] for s in data] == [
        '09:00', '10:00', '12:00', '13:00', '14:00']


def test_group_by_start_end_filter_and_period(api, store):
    seed_groups(store)
    start, end = DT(2015, 1, 20, 8), DT(2015, 1, 20, 16)
    data = api.get_json(url(PACKETS), groupby=['project_id'], period=7200,
                        q=[eq('source', 'src-west'), when('ge', start),
                           when('le', end)])
    assert_grouped(data, rows_where(source='src-west'), ['project_id'],
                   period=7200, origin=start)
    assert [(s['period_start'][11:16], s['groupby']['project_id'])
            for s in data] == [('08:00', 't-alpha'), ('12:00', 't-alpha'),
                               ('14:00', 't-beta')]


@pytest.mark.parametrize('window', [
    [when('ge', DT(2015, 1, 20, 12))],
    [when('le', DT(2015, 1, 20, 10))],
    [when('gt', DT(2015, 1, 20, 9, 14)), when('lt', DT(2015, 1, 20, 14))],
], ids=['start', 'end', 'start_and_end'])
def test_group_by_in_time_window(api, store, window):
    seed_groups(store)
    data = api.get_json(url(PACKETS), q=window, groupby=['project_id'])
    ops = {'ge': DT.__ge__, 'gt': DT.__gt__, 'le': DT.__le__,
           'lt': DT.__lt__}
    chosen = [r for r in GROUP_ROWS
              if all(ops[c['op']](r['timestamp'], DT.fromisoformat(
                  c['value'])) for c in window)]
    assert chosen and len(chosen) < len(GROUP_ROWS)
    assert_grouped(data, chosen, ['project_id'])


def test_group_by_start_and_end_with_query_filter(api, store):
    seed_groups(store)
    start, end = DT(2015, 1, 20, 9, 30), DT(2015, 1, 20, 20)
    data = api.get_json(url(PACKETS), groupby=['resource_id'],
                        q=[eq('project_id', 't-alpha'), when('ge', start),
                           when('le', end)])
    chosen = [r for r in rows_where(project_id='t-alpha')
              if start <= r['timestamp'] <= end]
    assert_grouped(data, chosen, ['resource_id'])
    assert [s['groupby']['resource_id'] for s in data] == [
        'r-cedar', 'r-fir', 'r-pine']


@pytest.mark.parametrize('window', [
    [when('ge', DT(2015, 1, 20, 15, 9, 1))],
    [when('le', DT(2015, 1, 20, 8, 46, 59))],
], ids=['start_after_all', 'end_before_all'])
def test_group_by_outside_the_data_is_empty(api, store, window):
    seed_groups(store)
    assert api.get_json(url(PACKETS), q=window,
                        groupby=['project_id']) == []


def test_results_ordered_by_period_then_group(api, store):
    seed_groups(store)
    data = api.get_json(url(PACKETS), groupby=['user_id', 'project_id'],
                        period=3600)
    order = [(s['period_start'], s['groupby']['user_id'],
              s['groupby']['project_id']) for s in data]
    assert order == sorted(order)
    assert len(order) == len(set(order))
    assert_grouped(data, GROUP_ROWS, ['user_id', 'project_id'],
                   period=3600, origin=FIRST_PACKET)


# -- metadata queries -----------------------------------------------------

@pytest.mark.parametrize('condition,picked', [
    (eq('metadata.flavor', 'large'), {'flavor': 'large'}),
    (eq('resource_metadata.instance_type', 'm1.small'),
     {'instance_type': 'm1.small'}),
    (eq('metadata.zone.rack', 'k2'), {'zone.rack': 'k2'}),
    (eq('metadata.cores', '4', 'integer'), {'cores': 4}),
], ids=['flavor', 'resource_metadata_prefix', 'nested', 'typed'])
def test_metadata_query(api, store, condition, picked):
    seed_groups(store)
    (key, value), = picked.items()
    chosen = [r for r in GROUP_ROWS
              if field_value(r, 'resource_metadata.' + key) == value]
    assert 0 < len(chosen) < len(GROUP_ROWS)
    stat, = api.get_json(url(PACKETS), q=[condition])
    assert_summary(stat, chosen)
    grouped = api.get_json(url(PACKETS), q=[condition],
                           groupby=['resource_id'])
    assert_grouped(grouped, chosen, ['resource_id'])


def test_metadata_query_matching_nothing(api, store):
    seed_groups(store)
    assert api.get_json(url(PACKETS),
                        q=[eq('metadata.flavor', 'huge')]) == []


# -- selectable aggregates ------------------------------------------------

MEMORY = 'memory.usage'


def _mem(volume, user, project, resource, source, ts):
    return row(MEMORY, volume, resource, ts, user_id=user,
               project_id=project, source=source, counter_unit='MB')


AGG_ROWS = [
    _mem(512, 'u-kiwi', 't-one', 'vm-a', 'src-1', DT(2015, 9, 3, 7, 12)),
    _mem(256, 'u-kiwi', 't-one', 'vm-b', 'src-1', DT(2015, 9, 3, 8, 40)),
    _mem(1024, 'u-lime', 't-one', 'vm-b', 'src-2', DT(2015, 9, 3, 9, 5)),
    _mem(128, 'u-lime', 't-two', 'vm-c', 'src-2', DT(2015, 9, 3, 10, 33)),
    _mem(384, 'u-lime', 't-two', 'vm-d', 'src-2', DT(2015, 9, 3, 11, 1)),
    _mem(640, 'u-fig', 't-two', 'vm-c', 'src-3', DT(2015, 9, 3, 12, 18)),
    _mem(96, 'u-fig', 't-two', 'vm-e', 'src-1', DT(2015, 9, 3, 13, 44)),
    _mem(2048, 'u-date', 't-three', 'vm-f', 'src-3',
         DT(2015, 9, 3, 14, 9)),
]
PROJECTS = ('t-one', 't-three', 't-two')


def seed_aggregates(store):
    seed(store, AGG_ROWS + [
        row('memory.resident', 4096, 'vm-a', DT(2015, 9, 3, 9),
            user_id='u-kiwi', project_id='t-one', counter_unit='MB'),
    ])


def per_project(func):
    """{project: value of a Python aggregate over its volumes}."""
    out = {}
    for project in PROJECTS:
        volumes = [float(r['counter_volume']) for r in AGG_ROWS
                   if r['project_id'] == project]
        out[project] = func(volumes)
    return out


PY_AGGREGATES = {'max': max, 'min': min, 'sum': math.fsum,
                 'avg': statistics.fmean, 'count': len,
                 'stddev': statistics.pstdev}


def aggregate_params(*pairs):
    """aggregate.func / aggregate.param lists for Client.get_json."""
    params = {'aggregate.func': [f for f, _p in pairs]}
    if any(p for _f, p in pairs):
        params['aggregate.param'] = [p or '' for _f, p in pairs]
    return params


@pytest.mark.parametrize('func', ['max', 'min', 'sum', 'avg', 'count',
                                  'stddev'])
def test_selectable_aggregate_per_project(api, store, func):
    """Only the chosen aggregate is under 'aggregate'; the other standard
    aggregates are left out of the result."""
    seed_aggregates(store)
    data = api.get_json(url(MEMORY), groupby=['project_id'],
                        **aggregate_params((func, None)))
    want = per_project(PY_AGGREGATES[func])
    assert [s['groupby']['project_id'] for s in data] == list(PROJECTS)
    for stat in data:
        project = stat['groupby']['project_id']
        assert stat['unit'] == 'MB'
        assert set(stat['aggregate']) == {func}
        assert stat['aggregate'][func] == pytest.approx(want[project])
        for other in set(STANDARD) - {func}:
            assert other not in stat
        assert_time_fields(stat, [r for r in AGG_ROWS
                                  if r['project_id'] == project])


def assert_time_fields(stat, rows):
    want = summary(rows)
    for key in ('duration_start', 'duration_end', 'duration'):
        assert stat[key] == want[key]


def test_selectable_aggregate_figures(api, store):
    seed_aggregates(store)
    data = api.get_json(url(MEMORY), groupby=['project_id'],
                        **aggregate_params(('avg', None), ('max', None),
                                           ('count', None)))
    got = {s['groupby']['project_id']: s['aggregate'] for s in data}
    assert got == {
        't-one': {'avg': 1792 / 3, 'max': 1024.0, 'count': 3.0},
        't-two': {'avg': 312.0, 'max': 640.0, 'count': 4.0},
        't-three': {'avg': 2048.0, 'max': 2048.0, 'count': 1.0},
    }


@pytest.mark.parametrize('func', ['max', 'min', 'sum', 'avg', 'count'])
def test_selected_standard_aggregate_also_at_top_level(api, store, func):
    """A chosen standard aggregate is reported under 'aggregate' and in
    its usual top-level field, as Ceilometer's API returned it."""
    seed_aggregates(store)
    data = api.get_json(url(MEMORY), groupby=['project_id'],
                        **aggregate_params((func, None)))
    want = per_project(PY_AGGREGATES[func])
    for stat in data:
        project = stat['groupby']['project_id']
        assert func in stat, stat
        assert stat[func] == pytest.approx(want[project])


def test_stddev_is_population_standard_deviation(api, store):
    seed_aggregates(store)
    data = api.get_json(url(MEMORY), groupby=['project_id'],
                        **aggregate_params(('stddev', None)))
    got = {s['groupby']['project_id']: s['aggregate']['stddev']
           for s in data}
    # t-one: 512, 256, 1024 -> mean 597.33.., population sd 319.288..
    assert got['t-one'] == pytest.approx(319.2881, abs=1e-3)
    # t-two: 128, 384, 640, 96 -> mean 312, population sd 219.818..
    assert got['t-two'] == pytest.approx(219.8181, abs=1e-3)
    assert got['t-three'] == 0.0
    assert got == pytest.approx(per_project(statistics.pstdev))
    # and not the sample standard deviation (253.82.. for t-two)
    assert got['t-two'] != pytest.approx(
        statistics.stdev([128, 384, 640, 96]))


def test_stddev_per_period(api, store):
    seed_aggregates(store)
    start = DT(2015, 9, 3, 7)
    data = api.get_json(url(MEMORY), period=4 * 3600,
                        q=[when('ge', start)],
                        **aggregate_params(('stddev', None)))
    buckets = expected_groups(AGG_ROWS, [], 4 * 3600, start)
    assert [s['period_start'] for s in data] == [
        iso(k[0]) for k in sorted(buckets)]
    for stat, key in zip(data, sorted(buckets)):
        volumes = [r['counter_volume'] for r in buckets[key]]
        assert stat['aggregate'] == {
            'stddev': pytest.approx(statistics.pstdev(volumes))}


@pytest.mark.parametrize('param', ['resource_id', 'user_id', 'project_id',
                                   'source'])
def test_cardinality_per_project(api, store, param):
    seed_aggregates(store)
    data = api.get_json(url(MEMORY), groupby=['project_id'],
                        **aggregate_params(('cardinality', param)))
    key = 'cardinality/' + param
    for stat in data:
        project = stat['groupby']['project_id']
        distinct = {r[param] for r in AGG_ROWS
                    if r['project_id'] == project}
        assert stat['aggregate'] == {key: float(len(distinct))}
        assert key not in stat
        for name in STANDARD:
            assert name not in stat


@pytest.mark.parametrize('param,expected', [
    ('resource_id', 6), ('user_id', 4), ('project_id', 3), ('source', 3)])
def test_cardinality_over_everything(api, store, param, expected):
    seed_aggregates(store)
    stat, = api.get_json(url(MEMORY),
                         **aggregate_params(('cardinality', param)))
    assert len({r[param] for r in AGG_ROWS}) == expected
    assert stat['aggregate'] == {'cardinality/' + param: expected}


def test_cardinality_with_many_samples(api, store):
    """Hundreds of samples on known resources leave cardinality as is."""
    seed_aggregates(store)
    extra = [row(MEMORY, float(i % 37), 'vm-%s' % 'abcdef'[i % 6],
                 DT(2015, 9, 3, 7, 30) + datetime.timedelta(seconds=7 * i),
                 user_id='u-kiwi', project_id='t-one', source='src-1',
                 counter_unit='MB')
             for i in range(600)]
    seed(store, extra)
    stat, = api.get_json(url(MEMORY), **aggregate_params(
        ('cardinality', 'resource_id'), ('count', None), ('sum', None),
        ('cardinality', 'user_id')))
    everything = AGG_ROWS + extra
    assert stat['aggregate'] == {
        'cardinality/resource_id': 6.0,
        'cardinality/user_id': 4.0,
        'count': float(len(everything)),
        'sum': pytest.approx(math.fsum(r['counter_volume']
                                       for r in everything)),
    }


def test_several_aggregates_at_once(api, store):
    seed_aggregates(store)
    data = api.get_json(url(MEMORY), groupby=['source'],
                        **aggregate_params(('cardinality', 'user_id'),
                                           ('min', None), ('stddev', None)))
    assert [s['groupby']['source'] for s in data] == [
        'src-1', 'src-2', 'src-3']
    for stat in data:
        rows = [r for r in AGG_ROWS
                if r['source'] == stat['groupby']['source']]
        volumes = [r['counter_volume'] for r in rows]
        assert stat['aggregate'] == {
            'cardinality/user_id': len({r['user_id'] for r in rows}),
            'min': min(volumes),
            'stddev': pytest.approx(statistics.pstdev(volumes)),
        }
        for name in set(STANDARD) - {'min'}:
            assert name not in stat


def test_repeated_aggregate_counts_once(api, store):
    seed_aggregates(store)
    stat, = api.get_json(url(MEMORY), **{'aggregate.func': ['count',
                                                            'count']})
    assert stat['aggregate'] == {'count': len(AGG_ROWS)}
    for name in ('min', 'max', 'sum', 'avg'):
        assert name not in stat


def test_repeated_parameterized_aggregate_counts_once(api, store):
    seed_aggregates(store)
    stat, = api.get_json(url(MEMORY), **aggregate_params(
        ('cardinality', 'resource_id'), ('cardinality', 'resource_id')))
    assert stat['aggregate'] == {'cardinality/resource_id': 6}
    for name in STANDARD:
        assert name not in stat


def test_same_function_with_two_parameters(api, store):
    seed_aggregates(store)
    stat, = api.get_json(url(MEMORY), **aggregate_params(
        ('cardinality', 'resource_id'), ('cardinality', 'project_id')))
    assert stat['aggregate'] == {'cardinality/resource_id': 6,
                                 'cardinality/project_id': 3}


@pytest.mark.parametrize('param', ['injection_attack', 'counter_volume',
                                   'resource_metadata.flavor'])
def test_bad_cardinality_parameter_is_refused(api, store, param):
    seed_aggregates(store)
    resp = api.get(url(MEMORY), groupby=['project_id'],
                   **aggregate_params(('cardinality', param)))
    assert assert_client_error(resp) == 'Bad aggregate: cardinality.%s' % (
        param)


def test_cardinality_without_parameter_is_refused(api, store):
    seed_aggregates(store)
    resp = api.get(url(MEMORY), **{'aggregate.func': 'cardinality'})
    assert 'cardinality' in assert_client_error(resp)


@pytest.mark.parametrize('func', ['median', 'MAX', ''])
def test_unknown_aggregate_function_is_refused(api, store, func):
    seed_aggregates(store)
    resp = api.get(url(MEMORY), **{'aggregate.func': func})
    assert resp.status_code == 400, resp.text


# -- units ----------------------------------------------------------------

def test_each_unit_has_its_own_statistics(api, store):
    layout = [(100, 'B', 'disk-0'), (3, 'KiB', 'disk-0'),
              (250, 'B', 'disk-1'), (7, 'KiB', 'disk-1'),
              (40, 'B', 'disk-0')]
    rows = [row('disk.read', v, disk,
                DT(2016, 1, 4, 10, 0) + datetime.timedelta(minutes=13 * i),
                counter_unit=unit)
            for i, (v, unit, disk) in enumerate(layout)]
    seed(store, rows)
    data = api.get_json(url('disk.read'))
    by_unit = {s['unit']: s for s in data}
    assert sorted(by_unit) == ['B', 'KiB']
    assert len(data) == 2
    assert_summary(by_unit['B'],
                   [r for r in rows if r['counter_unit'] == 'B'])
    assert_summary(by_unit['KiB'],
                   [r for r in rows if r['counter_unit'] == 'KiB'])
    assert by_unit['B']['sum'] == 390
    grouped = api.get_json(url('disk.read'), groupby=['resource_id'])
    assert sorted((s['groupby']['resource_id'], s['unit'], s['count'])
                  for s in grouped) == [('disk-0', 'B', 2),
                                        ('disk-0', 'KiB', 1),
                                        ('disk-1', 'B', 1),
                                        ('disk-1', 'KiB', 1)]


# -- timestamps -----------------------------------------------------------

def test_timestamps_keep_milliseconds_and_are_naive(api, store):
    """Stored timestamps keep milliseconds (the rest is dropped) and are
    rendered as ISO-8601 without a zone."""
    seed(store, [
        row('clock.skew', 1.5, 'host-1', DT(2016, 2, 29, 23, 59, 58, 987654)),
        row('clock.skew', 2.5, 'host-1', DT(2016, 3, 1, 0, 0, 1, 4999)),
        row('clock.skew', 0.5, 'host-1', DT(2016, 3, 1, 0, 0, 0)),
    ])
    stat, = api.get_json(url('clock.skew'))
    assert stat['duration_start'] == '2016-02-29T23:59:58.987000'
    assert stat['duration_end'] == '2016-03-01T00:00:01.004000'
    assert stat['duration'] == pytest.approx(2.017)
    assert stat['period_start'] == '2016-02-29T23:59:58.987000'
    data = api.get_json(url('clock.skew'), period=1,
                        q=[when('ge', '2016-02-29T23:59:58')])
    assert periods(data) == [
        ('2016-02-29T23:59:58', '2016-02-29T23:59:59', 1),
        ('2016-03-01T00:00:00', '2016-03-01T00:00:01', 1),
        ('2016-03-01T00:00:01', '2016-03-01T00:00:02', 1),
    ]
    assert [s['sum'] for s in data] == [1.5, 0.5, 2.5]


def test_query_timestamp_with_zone_is_converted_to_utc(api, store):
    _q, rows = seed_series(store, 'by_resource')
    # 10:20:41+01:00 is the second sample's 09:20:41 UTC
    stat, = api.get_json(url(VOLUME), q=[
        eq('resource_id', 'vol-elm'),
        when('ge', '2014-03-10T10:20:41+01:00')])
    assert_summary(stat, rows[1:])
    assert stat['period_start'] == '2014-03-10T09:20:41'


# -- access control -------------------------------------------------------

MEMBER_ALPHA = {'X-Roles': 'Member', 'X-Project-Id': 't-alpha',
                'X-User-Id': 'u-blue'}


def test_project_member_sees_only_own_project(api, store):
    seed_groups(store)
    stat, = api.get_json(url(PACKETS), headers=MEMBER_ALPHA)
    assert_summary(stat, rows_where(project_id='t-alpha'))
    data = api.get_json(url(PACKETS), headers=MEMBER_ALPHA,
                        groupby=['project_id'])
    assert [s['groupby'] for s in data] == [{'project_id': 't-alpha'}]
    data = api.get_json(url(PACKETS), headers=MEMBER_ALPHA,
                        groupby=['user_id'])
    assert_grouped(data, rows_where(project_id='t-alpha'), ['user_id'])


def test_project_member_may_name_own_project(api, store):
    seed_groups(store)
    stat, = api.get_json(url(PACKETS), headers=MEMBER_ALPHA,
                         q=[eq('project_id', 't-alpha'),
                            eq('resource_id', 'r-pine')])
    assert_summary(stat, rows_where(project_id='t-alpha',
                                    resource_id='r-pine'))


def test_project_member_sees_nothing_of_other_resources(api, store):
    seed_groups(store)
    member = dict(MEMBER_ALPHA, **{'X-Project-Id': 't-gamma'})
    assert api.get_json(url(PACKETS), headers=member) == []


def test_project_member_asking_for_other_project_is_refused(api, store):
    seed_groups(store)
    resp = api.get(url(PACKETS), headers=MEMBER_ALPHA,
                   q=[eq('project_id', 't-beta')])
    assert 't-beta' in assert_client_error(resp, status=401)


def test_admin_sees_every_project(api, store):
    seed_groups(store)
    data = api.get_json(url(PACKETS), groupby=['project_id'],
                        headers={'X-Roles': 'admin',
                                 'X-Project-Id': 't-alpha'})
    assert_grouped(data, GROUP_ROWS, ['project_id'])
    stat, = api.get_json(url(PACKETS), q=[eq('project_id', 't-beta')],
                         headers={'X-Roles': 'admin',
                                  'X-Project-Id': 't-alpha'})
    assert_summary(stat, rows_where(project_id='t-beta'))


# -- invalid queries ------------------------------------------------------

def test_unknown_query_field_is_refused(api, store):
    seed_groups(store)
    resp = api.get(url(PACKETS), q=[eq('flavor', 'large')])
    assert 'flavor' in assert_client_error(resp)


def test_invalid_timestamp_is_refused(api, store):
    seed_groups(store)
    resp = api.get(url(PACKETS), q=[when('ge', 'last tuesday')])
    assert 'last tuesday' in assert_client_error(resp)
    resp = api.get(url(PACKETS), q=[when('le', '2015-13-45T99:00:00')])
    assert_client_error(resp)


def test_unsupported_operator_is_refused(api, store):
    seed_groups(store)
    resp = api.get(url(PACKETS),
                   q=[{'field': 'resource_id', 'op': 'gt',
                       'value': 'r-fir'}])
    assert_client_error(resp)
