"""Hypothesis strategies of v2 API requests: plausible, then broken.

A request is drawn from the v2 grammar (every endpoint and method; q
triples with every op and type; statistics periods, groupbys and
aggregates; sample, alarm, state, registration and complex-query bodies)
and then, often, mutated the way a hurried client or a hostile one breaks
it: values of the wrong JSON type, integers past 64 bits, deep nesting,
long lists, bodies that are not UTF-8 or not JSON, bodies on GETs, odd
content types and ids.

Ids come from what the suite seeded (``ids``: the other project's too, so
a leak would show) mixed with arbitrary text.
"""

import json

from hypothesis import strategies as st

OPS = ('eq', 'ne', 'lt', 'le', 'gt', 'ge')
TYPES = ('', 'integer', 'float', 'string', 'boolean', 'datetime')
FIELDS = ('resource_id', 'resource', 'project_id', 'project', 'user_id',
          'user', 'source', 'timestamp', 'meter', 'message_id', 'name',
          'state', 'enabled', 'alarm_id', 'type', 'severity', 'on_behalf_of',
          'metadata.display_name', 'metadata.region', 'metadata.$x',
          'metadata.a.b', 'resource_metadata.flavor', 'search_offset',
          'recorded_at', 'counter_volume', 'all_projects', 'event_type',
          'start_timestamp', 'end_timestamp', 'instance_id')
METERS = ('cpu_util', 'instance', 'volume.size')
AGGREGATES = ('count', 'sum', 'avg', 'min', 'max', 'stddev', 'cardinality')
SAMPLE_TYPES = ('gauge', 'cumulative', 'delta')
ALARM_STATES = ('ok', 'alarm', 'insufficient data')
COMPLEX_OPS = ('=', '!=', '<', '<=', '>', '>=', 'in', 'and', 'or', 'not')

HUGE = st.sampled_from([2 ** 63, -2 ** 63 - 1, 2 ** 64 + 7, 10 ** 30,
                        -10 ** 30])
TEXT = st.text(max_size=24)
TIMESTAMPS = st.sampled_from([
    '2026-01-01T00:00:00', '2026-01-01T10:00:00.123456', '2026-13-45',
    '1900-01-01T00:00:00', '9999-12-31T23:59:59', '0001-01-01T00:00:00',
    'yesterday', '2026-01-01T00:00:00+05:00', '', '2026-01-01 00:00'])
NUMBERS = st.one_of(st.integers(-10 ** 6, 10 ** 6), HUGE,
                    st.floats(allow_nan=False, allow_infinity=False),
                    st.sampled_from(['1e400', 'nan', 'inf', '-inf', '12']))
JSON_LEAF = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT)
JSON = st.recursive(JSON_LEAF, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(TEXT, inner, max_size=4)), max_leaves=12)


def wrong(value_strategy):
    """A value, or something of another JSON type in its place."""
    return st.one_of(value_strategy, value_strategy, value_strategy,
                     JSON, HUGE)


def ids(seeded):
    return st.one_of(st.sampled_from(seeded), TEXT,
                     st.sampled_from(['..', '%2F', 'a/b', ' ', 'x' * 300,
                                      '\u00e9\u4e2d', '%00']))


def q_terms(seeded):
    value = st.one_of(st.sampled_from(seeded), TEXT, TIMESTAMPS,
                      NUMBERS.map(str), st.sampled_from(['true', 'False']))
    term = st.fixed_dictionaries(
        {'field': st.one_of(st.sampled_from(FIELDS), TEXT)},
        optional={'op': st.one_of(st.sampled_from(OPS), TEXT),
                  'type': st.one_of(st.sampled_from(TYPES), TEXT),
                  'value': value})
    return st.lists(term, max_size=4)


def q_params(terms):
    """The parallel q.field/q.op/q.type/q.value lists of the terms."""
    params = []
    for key in ('field', 'op', 'type', 'value'):
        params += [('q.' + key, t[key]) for t in terms if key in t]
    return params


@st.composite
def params(draw, seeded):
    out = q_params(draw(q_terms(seeded)))
    extra = draw(st.dictionaries(st.sampled_from([
        'limit', 'period', 'groupby', 'aggregate.func', 'aggregate.param',
        'meter_links', 'sort', 'unknown']), st.one_of(
            NUMBERS.map(str), TEXT, st.sampled_from(
                list(AGGREGATES) + ['resource_id', 'project_id',
                                    'metadata.x', 'name:desc', 'x:y:z'])),
        max_size=4))
    out += sorted(extra.items())
    if draw(st.booleans()):
        # Repeated list parameters, and more ops than fields.
        out += [('groupby', draw(TEXT)), ('q.op', draw(TEXT))]
    return out


def sample_body(seeded):
    sample = st.fixed_dictionaries({}, optional={
        'counter_name': wrong(st.sampled_from(METERS)),
        'counter_type': wrong(st.sampled_from(SAMPLE_TYPES)),
        'counter_unit': wrong(TEXT),
        'counter_volume': wrong(NUMBERS),
        'resource_id': wrong(st.sampled_from(seeded)),
        'project_id': wrong(TEXT),
        'user_id': wrong(TEXT),
        'source': wrong(TEXT),
        'timestamp': wrong(TIMESTAMPS),
        'resource_metadata': wrong(st.dictionaries(TEXT, JSON, max_size=3)),
        'message_id': wrong(TEXT)})
    return st.one_of(st.lists(sample, min_size=1, max_size=3), JSON)


def threshold_rule(seeded):
    return st.fixed_dictionaries({}, optional={
        'meter_name': wrong(st.sampled_from(METERS)),
        'query': wrong(q_terms(seeded)),
        'period': wrong(st.integers(-5, 10 ** 7)),
        'comparison_operator': wrong(st.sampled_from(OPS)),
        'threshold': wrong(NUMBERS),
        'statistic': wrong(st.sampled_from(AGGREGATES)),
        'evaluation_periods': wrong(st.integers(-2, 100)),
        'exclude_outliers': wrong(st.booleans())})


def alarm_body(seeded):
    constraint = st.fixed_dictionaries({}, optional={
        'name': wrong(TEXT), 'start': wrong(st.sampled_from(
            ['0 11 * * *', '* * *', 'x'])),
        'duration': wrong(st.integers(-10, 10 ** 6)),
        'timezone': wrong(st.sampled_from(['Europe/Paris', 'Mars/Base']))})
    return st.one_of(st.fixed_dictionaries({
        'name': wrong(TEXT),
        'type': wrong(st.sampled_from(['threshold', 'combination'])),
    }, optional={
        'threshold_rule': wrong(threshold_rule(seeded)),
        'combination_rule': wrong(st.fixed_dictionaries({}, optional={
            'alarm_ids': wrong(st.lists(st.sampled_from(seeded),
                                        max_size=3)),
            'operator': wrong(st.sampled_from(['and', 'or']))})),
        'time_constraints': wrong(st.lists(constraint, max_size=2)),
        'alarm_actions': wrong(st.lists(st.sampled_from([
            'http://127.0.0.1:9/x', 'log://', 'ftp://x', 'x']),
            max_size=2)),
        'severity': wrong(st.sampled_from(['low', 'critical', 'x'])),
        'enabled': wrong(st.booleans()),
        'repeat_actions': wrong(st.booleans()),
        'state': wrong(st.sampled_from(ALARM_STATES)),
        'project_id': wrong(TEXT), 'user_id': wrong(TEXT),
        'description': wrong(TEXT)}), JSON)


def complex_query_body():
    leaf = st.dictionaries(st.sampled_from(COMPLEX_OPS), st.dictionaries(
        st.sampled_from(['resource_id', 'counter_volume', 'timestamp',
                         'name', 'state', 'metadata.x', 'x']), JSON,
        max_size=2), max_size=2)
    filter_ = st.one_of(leaf.map(json.dumps), leaf, JSON, TEXT)
    return st.one_of(st.fixed_dictionaries({}, optional={
        'filter': filter_,
        'orderby': st.one_of(st.lists(st.dictionaries(
            TEXT, st.sampled_from(['asc', 'desc', 'x']), max_size=2),
            max_size=2).map(json.dumps), JSON, TEXT),
        'limit': wrong(st.integers(-3, 10 ** 6))}), JSON)


def registration_body(seeded):
    return st.one_of(st.fixed_dictionaries({}, optional={
        'resource_id': wrong(st.sampled_from(seeded)),
        'project_id': wrong(TEXT), 'user_id': wrong(TEXT),
        'metadata': wrong(st.dictionaries(st.sampled_from(
            ['region', 'cascaded_resource_id', 'type', 'x']), JSON,
            max_size=3))}), JSON)


@st.composite
def endpoint(draw, seeded, cascading=False):
    """(method, path, JSON body or None) of one v2 call."""
    rid = draw(ids(seeded))
    meter = draw(st.one_of(st.sampled_from(METERS), ids(seeded)))
    choices = [
        ('GET', '/v2/meters', None),
        ('GET', '/v2/meters/%s' % meter, None),
        ('POST', '/v2/meters/%s' % meter, sample_body(seeded)),
        ('GET', '/v2/meters/%s/statistics' % meter, None),
        ('GET', '/v2/samples', None),
        ('GET', '/v2/samples/%s' % rid, None),
        ('GET', '/v2/resources', None),
        ('GET', '/v2/resources/%s' % rid, None),
        ('GET', '/v2/alarms', None),
        ('POST', '/v2/alarms', alarm_body(seeded)),
        ('GET', '/v2/alarms/%s' % rid, None),
        ('PUT', '/v2/alarms/%s' % rid, alarm_body(seeded)),
        ('DELETE', '/v2/alarms/%s' % rid, None),
        ('GET', '/v2/alarms/%s/state' % rid, None),
        ('PUT', '/v2/alarms/%s/state' % rid, wrong(st.sampled_from(
            ALARM_STATES))),
        ('GET', '/v2/alarms/%s/history' % rid, None),
        ('POST', '/v2/query/samples', complex_query_body()),
        ('POST', '/v2/query/alarms', complex_query_body()),
        ('POST', '/v2/query/alarms/history', complex_query_body()),
        ('GET', '/v2/capabilities', None),
        ('GET', '/v2/events', None),
        ('GET', '/v2/events/%s' % rid, None),
        ('GET', '/v2/event_types', None),
        ('GET', '/v2/event_types/%s' % meter, None),
        ('GET', '/v2/event_types/%s/traits' % meter, None),
        ('GET', '/v2/event_types/%s/traits/%s' % (meter, rid), None),
        ('GET', '/', None),
        ('GET', '/v2', None),
    ]
    if cascading:
        choices += [('POST', '/v2/resources', registration_body(seeded)),
                    ('DELETE', '/v2/resources/%s' % rid, None)]
    method, path, body = draw(st.sampled_from(choices))
    return method, path, None if body is None else draw(body)


def deep(depth):
    return '[' * depth + ']' * depth


@st.composite
def raw_body(draw, body):
    """The bytes sent, and the Content-Type: the body as JSON, or broken."""
    kind = draw(st.sampled_from(['json'] * 6 + [
        'latin1', 'garbage', 'deep', 'long-list', 'empty', 'truncated',
        'form']))
    text = json.dumps(body) if body is not None else None
    if kind == 'json':
        return (text.encode() if text is not None else None,
                draw(st.sampled_from(['application/json', None,
                                      'text/json'])))
    if kind == 'latin1':
        return b'{"name": "\xff\xfe"}', 'application/json'
    if kind == 'garbage':
        return draw(st.binary(max_size=64)), draw(st.sampled_from(
            ['application/json', 'text/plain', 'application/xml']))
    if kind == 'deep':
        return deep(draw(st.sampled_from([50, 2000, 20000]))).encode(), \
            'application/json'
    if kind == 'long-list':
        return json.dumps([{'counter_name': 'x'}] * draw(
            st.sampled_from([1000, 20000]))).encode(), 'application/json'
    if kind == 'empty':
        return b'', 'application/json'
    if kind == 'truncated':
        return (text or '{"a": [1, 2').encode()[:-1], 'application/json'
    return b'a=1&b=2', 'application/x-www-form-urlencoded'


@st.composite
def requests_(draw, seeded, cascading=False):
    """{'method', 'path', 'params', 'data', 'headers'} of one request."""
    method, path, body = draw(endpoint(seeded, cascading))
    data, content_type = draw(raw_body(body))
    if method == 'GET' and draw(st.integers(0, 9)) == 0:
        data, content_type = deep(5000).encode(), 'application/json'
    headers = {}
    if content_type and data is not None:
        headers['Content-Type'] = content_type
    headers['Accept'] = draw(st.sampled_from([
        'application/json', 'application/xml', '*/*', 'text/html']))
    request = {'method': method, 'path': path,
               'params': draw(params(seeded)), 'data': data,
               'headers': headers}
    if draw(st.integers(0, 11)) == 0:
        # Percent-escapes that are not UTF-8, or not escapes at all.
        request['raw_query'] = draw(st.sampled_from([
            'q.field=%ff&q.value=x', 'limit=%c3%28', 'q.field=name&q.value='
            '%00', 'a=%zz&period=%', '%%%', 'groupby=%ed%a0%80']))
    return request
