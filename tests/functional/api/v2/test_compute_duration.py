"""Statistics durations are clamped to the time range a query asked for.

``search_offset`` (minutes) widens the stored-sample search on both sides
of the requested range; the samples found in the margins are aggregated,
but duration_start / duration_end never leave the requested range, and
when nothing of the samples' span is left inside it, the three duration
fields are null.
"""

import datetime

import pytest

from tests import services

DT = datetime.datetime
MINUTE = datetime.timedelta(minutes=1)
METER = 'instance:m1.nano'
URL = '/v2/meters/%s/statistics' % METER
RESOURCE = 'srv-heron'

EARLY_A = DT(2016, 5, 9, 6, 30)
EARLY_B = DT(2016, 5, 9, 19, 15)
START = DT(2016, 5, 10, 0, 0)
MID_A = DT(2016, 5, 10, 7, 45)
MID_B = DT(2016, 5, 10, 16, 20)
END = DT(2016, 5, 10, 23, 30)
LATE_A = DT(2016, 5, 11, 4, 10)
LATE_B = DT(2016, 5, 11, 21, 5)
OFFSET = 15


def seed(store, *stamps, resource=RESOURCE):
    store.record_metering_data_batch([
        services.make_message(METER, 2 + i, resource, ts,
                              project_id='tenant-heron')
        for i, ts in enumerate(stamps)])


def ranged(api, start=START, end=END, offset=OFFSET, start_op='ge',
           end_op='le', **params):
    q = []
    if start is not None:
        q.append({'field': 'timestamp', 'op': start_op,
                  'value': start.isoformat()})
    if end is not None:
        q.append({'field': 'timestamp', 'op': end_op,
                  'value': end.isoformat()})
    if offset is not None:
        q.append({'field': 'search_offset', 'value': str(offset)})
    return api.get_json(URL, q=q, **params)


def assert_span(stat, first, last):
    assert stat['duration_start'] == first.isoformat()
    assert stat['duration_end'] == last.isoformat()
    assert stat['duration'] == (last - first).total_seconds()


def test_samples_before_the_widened_range_give_nothing(api, store):
    seed(store, EARLY_A, EARLY_B)
    assert ranged(api) == []


def test_samples_only_in_the_leading_margin_have_no_duration(api, store):
    """Found through the offset, but all before the requested start."""
    seed(store, START - 12 * MINUTE, START - 4 * MINUTE)
    stat, = ranged(api)
    assert stat['count'] == 2
    assert stat['sum'] == 5
    assert stat['duration'] is None
    assert stat['duration_start'] is None
    assert stat['duration_end'] is None


def test_samples_only_in_the_trailing_margin_have_no_duration(api, store):
    seed(store, END + 3 * MINUTE, END + 14 * MINUTE)
    stat, = ranged(api)
    assert stat['count'] == 2
    assert stat['duration'] is None
    assert stat['duration_start'] is None
    assert stat['duration_end'] is None


def test_margin_samples_without_offset_are_not_found(api, store):
    seed(store, START - 4 * MINUTE, END + 3 * MINUTE)
    assert ranged(api, offset=None) == []


def test_span_overlapping_the_start_is_clamped(api, store):
    seed(store, START - 9 * MINUTE, MID_A)
    stat, = ranged(api)
    assert stat['count'] == 2
    assert_span(stat, START, MID_A)
    assert stat['duration'] == (7 * 60 + 45) * 60


def test_span_inside_the_range_is_kept(api, store):
    seed(store, MID_A, MID_B)
    stat, = ranged(api)
    assert_span(stat, MID_A, MID_B)
    assert stat['duration'] == (8 * 60 + 35) * 60


def test_single_sample_inside_has_zero_duration(api, store):
    seed(store, MID_B)
    stat, = ranged(api)
    assert_span(stat, MID_B, MID_B)
    assert stat['duration'] == 0


def test_span_overlapping_the_end_is_clamped(api, store):
    seed(store, MID_B, END + 11 * MINUTE)
    stat, = ranged(api)
    assert stat['count'] == 2
    assert_span(stat, MID_B, END)
    assert stat['duration'] == (7 * 60 + 10) * 60


def test_span_covering_the_whole_range_is_the_range(api, store):
    seed(store, START - 5 * MINUTE, MID_A, END + 5 * MINUTE)
    stat, = ranged(api)
    assert stat['count'] == 3
    assert_span(stat, START, END)


@pytest.mark.parametrize('start_op,end_op', [('gt', 'lt'), ('ge', 'lt'),
                                             ('gt', 'le')])
def test_clamping_with_strict_operators(api, store, start_op, end_op):
    seed(store, START - 6 * MINUTE, MID_A, END + 6 * MINUTE)
    stat, = ranged(api, start_op=start_op, end_op=end_op)
    assert_span(stat, START, END)


def test_samples_after_the_widened_range_give_nothing(api, store):
    seed(store, LATE_A, LATE_B)
    assert ranged(api) == []


def test_no_end_timestamp_leaves_the_end_alone(api, store):
    seed(store, LATE_A, LATE_B)
    data = api.get_json(URL, q=[
        {'field': 'timestamp', 'op': 'ge', 'value': LATE_A.isoformat()},
        {'field': 'resource_id', 'value': RESOURCE},
        {'field': 'search_offset', 'value': '10'}])
    stat, = data
    assert_span(stat, LATE_A, LATE_B)


def test_no_end_timestamp_still_clamps_the_start(api, store):
    seed(store, LATE_A - 6 * MINUTE, LATE_B)
    stat, = api.get_json(URL, q=[
        {'field': 'timestamp', 'op': 'ge', 'value': LATE_A.isoformat()},
        {'field': 'resource_id', 'value': RESOURCE},
        {'field': 'search_offset', 'value': '10'}])
    assert stat['count'] == 2
    assert_span(stat, LATE_A, LATE_B)


def test_no_start_timestamp_leaves_the_start_alone(api, store):
    seed(store, EARLY_A, EARLY_B)
    stat, = api.get_json(URL, q=[
        {'field': 'timestamp', 'op': 'le', 'value': EARLY_B.isoformat()},
        {'field': 'resource_id', 'value': RESOURCE},
        {'field': 'search_offset', 'value': '10'}])
    assert_span(stat, EARLY_A, EARLY_B)


def test_no_start_timestamp_still_clamps_the_end(api, store):
    seed(store, EARLY_A, EARLY_B + 7 * MINUTE)
    stat, = api.get_json(URL, q=[
        {'field': 'timestamp', 'op': 'le', 'value': EARLY_B.isoformat()},
        {'field': 'resource_id', 'value': RESOURCE},
        {'field': 'search_offset', 'value': '10'}])
    assert stat['count'] == 2
    assert_span(stat, EARLY_A, EARLY_B)


def test_widened_start_is_the_period_start(api, store):
    """The single bucket starts where the widened search starts."""
    seed(store, MID_A, MID_B)
    stat, = ranged(api)
    assert stat['period'] == 0
    assert stat['period_start'] == (START - OFFSET * MINUTE).isoformat()
    assert stat['period_end'] == MID_B.isoformat()


def test_each_period_is_clamped_to_the_requested_range(api, store):
    seed(store, START - 10 * MINUTE, START + 20 * MINUTE,
         END - 30 * MINUTE, END + 10 * MINUTE)
    data = ranged(api, period=3600)
    origin = START - OFFSET * MINUTE
    assert [s['period_start'] for s in data] == [
        origin.isoformat(), (origin + 23 * 60 * MINUTE).isoformat()]
    assert [s['count'] for s in data] == [2, 2]
    assert_span(data[0], START, START + 20 * MINUTE)
    assert_span(data[1], END - 30 * MINUTE, END)


def test_groups_are_clamped_one_by_one(api, store):
    seed(store, START - 10 * MINUTE, resource='srv-ibis')
    seed(store, START - 3 * MINUTE, MID_A, resource='srv-crane')
    data = ranged(api, groupby=['resource_id'])
    by_resource = {s['groupby']['resource_id']: s for s in data}
    assert sorted(by_resource) == ['srv-crane', 'srv-ibis']
    assert_span(by_resource['srv-crane'], START, MID_A)
    assert by_resource['srv-ibis']['duration'] is None
    assert by_resource['srv-ibis']['duration_start'] is None
    assert by_resource['srv-ibis']['duration_end'] is None
    assert by_resource['srv-ibis']['count'] == 1


def test_search_offset_must_be_an_integer(api, store):
    seed(store, MID_A)
    resp = api.get(URL, q=[
        {'field': 'timestamp', 'op': 'ge', 'value': START.isoformat()},
        {'field': 'search_offset', 'value': 'a while'}])
    assert resp.status_code == 400
    assert resp.json()['error_message']['faultcode'] == 'Client'


def test_search_offset_needs_a_timestamp(api, store):
    seed(store, MID_A)
    resp = api.get(URL, q=[{'field': 'search_offset', 'value': '10'}])
    assert resp.status_code == 400
    assert 'search_offset' in resp.json()['error_message']['faultstring']
