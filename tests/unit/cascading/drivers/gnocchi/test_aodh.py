"""v2 alarms as Aodh's Gnocchi alarms and back: a single-resource
threshold on that resource's metric, any other query as an aggregation
across the resources it matches, combinations as composite rules; and
Aodh's rules (of alarms and of their history) shown as v2 rules."""

import json

import pytest

from ceilometer_proxy.cascading.drivers.gnocchi import aodh
from ceilometer_proxy.cascading.drivers.gnocchi import search
from ceilometer_proxy.cascading import errors

REGION = 'RegionTwo'
TYPES = {'instance': {'display_name', 'flavor_id', 'server_group'}}


def _translate(query, project=None):
    return search.translate(REGION, query, TYPES, project=project,
                            times=False)


def _no_translate(query):
    raise AssertionError('a single-resource query is not searched')


def _rule(query, **extra):
    rule = {'meter_name': 'cpu_util', 'comparison_operator': 'gt',
            'threshold': 80.0, 'evaluation_periods': 3, 'period': 600,
            'statistic': 'avg', 'query': query}
    rule.update(extra)
    return rule


RESOURCE_QUERY = [{'field': 'resource_id', 'op': 'eq', 'value': 'vm-1'}]
HEAT_QUERY = [{'field': 'metadata.user_metadata.server_group', 'op': 'eq',
               'value': 'stack-1'}]


# -- threshold rules ----------------------------------------------------------

def test_single_resource_query_is_a_resources_threshold():
    kind, rule = aodh.threshold_rule(REGION, _rule(RESOURCE_QUERY),
                                     _no_translate)
    assert kind == 'gnocchi_resources_threshold'
    assert rule == {'metric': 'cpu_util', 'resource_id': 'vm-1',
                    'resource_type': 'generic', 'granularity': 600,
                    'aggregation_method': 'mean',
                    'comparison_operator': 'gt', 'threshold': 80.0,
                    'evaluation_periods': 3}


@pytest.mark.parametrize('field, op', [('resource', 'eq'),
                                       ('resource_id', None)])
def test_single_resource_by_alias_or_default_operator(field, op):
    query = [{'field': field, 'op': op, 'value': 'vm-1'}]
    kind, rule = aodh.threshold_rule(REGION, _rule(query), _no_translate)
    assert kind == 'gnocchi_resources_threshold'
    assert rule['resource_id'] == 'vm-1'


@pytest.mark.parametrize('statistic, method', [
    ('avg', 'mean'), ('max', 'max'), ('min', 'min'), ('sum', 'sum'),
    ('count', 'count')])
def test_statistic_is_the_aggregation_method(statistic, method):
    _kind, rule = aodh.threshold_rule(
        REGION, _rule(RESOURCE_QUERY, statistic=statistic), _no_translate)
    assert rule['aggregation_method'] == method


def test_defaults_are_avg_over_60_seconds():
    rule = _rule(RESOURCE_QUERY)
    del rule['statistic'], rule['period']
    _kind, aodh_rule = aodh.threshold_rule(REGION, rule, _no_translate)
    assert aodh_rule['granularity'] == 60
    assert aodh_rule['aggregation_method'] == 'mean'


def test_other_query_is_an_aggregation_by_resources_threshold():
    kind, rule = aodh.threshold_rule(REGION, _rule(HEAT_QUERY), _translate)
    assert kind == 'gnocchi_aggregation_by_resources_threshold'
    assert rule['resource_type'] == 'instance'
    assert json.loads(rule['query']) == {'=': {'server_group': 'stack-1'}}
    assert rule['metric'] == 'cpu_util'
    assert rule['granularity'] == 600
    assert rule['aggregation_method'] == 'mean'
    assert 'resource_id' not in rule


def test_scoped_owner_project_joins_the_query():
    kind, rule = aodh.threshold_rule(
        REGION, _rule(HEAT_QUERY),
        lambda query: _translate(query, project='p1'))
    assert json.loads(rule['query']) == {'and': [
        {'=': {'server_group': 'stack-1'}}, {'=': {'project_id': 'p1'}}]}


def test_query_is_the_json_of_the_search_body():
    class Found(object):
        resource_type = 'volume'
        body = {'and': [{'=': {'volume_type': 'ssd'}},
                        {'=': {'project_id': 'p1'}}]}

    seen = []

    def translate(query):
        seen.append(query)
        return Found()

    query = [{'field': 'project_id', 'op': 'eq', 'value': 'p1'}]
    _kind, rule = aodh.threshold_rule(REGION, _rule(query), translate)
    assert seen == [query]
    assert rule['resource_type'] == 'volume'
    assert rule['query'] == json.dumps(Found.body, sort_keys=True)


def test_empty_query_is_an_aggregation_over_every_resource():
    kind, rule = aodh.threshold_rule(REGION, _rule([]), _translate)
    assert kind == 'gnocchi_aggregation_by_resources_threshold'
    assert rule['resource_type'] == 'generic'
    assert json.loads(rule['query']) == {}


@pytest.mark.parametrize('query', [
    [{'field': 'resource_id', 'op': 'ne', 'value': 'vm-1'}],
    [{'field': 'resource_id', 'op': 'eq', 'value': 'vm-1'},
     {'field': 'project_id', 'op': 'eq', 'value': 'p1'}],
])
def test_resource_id_with_more_is_not_a_single_resource(query):
    kind, _rule_ = aodh.threshold_rule(REGION, _rule(query), _translate)
    assert kind == 'gnocchi_aggregation_by_resources_threshold'


def test_exclude_outliers_is_refused():
    with pytest.raises(errors.InvalidRequest) as caught:
        aodh.threshold_rule(REGION, _rule(RESOURCE_QUERY,
                                          exclude_outliers=True),
                            _no_translate)
    assert REGION in caught.value.message
    assert 'outliers' in caught.value.message


def test_exclude_outliers_false_is_fine():
    kind, _rule_ = aodh.threshold_rule(
        REGION, _rule(RESOURCE_QUERY, exclude_outliers=False), _no_translate)
    assert kind == 'gnocchi_resources_threshold'


def test_refused_query_terms_are_refused():
    query = [{'field': 'source', 'op': 'eq', 'value': 'openstack'}]
    with pytest.raises(errors.InvalidRequest):
        aodh.threshold_rule(REGION, _rule(query), _translate)


# -- alarms -------------------------------------------------------------------

def test_to_aodh_threshold_alarm():
    alarm = {'alarm_id': 'a1', 'name': 'hot', 'type': 'threshold',
             'severity': 'critical', 'alarm_actions': ['log://'],
             'rule': _rule(RESOURCE_QUERY)}
    shown = aodh.to_aodh(REGION, alarm, _no_translate, None)
    assert shown['type'] == 'gnocchi_resources_threshold'
    assert shown['rule']['resource_id'] == 'vm-1'
    assert {k: shown[k] for k in ('alarm_id', 'name', 'severity',
                                  'alarm_actions')} == {
        'alarm_id': 'a1', 'name': 'hot', 'severity': 'critical',
        'alarm_actions': ['log://']}
    assert alarm['type'] == 'threshold'  # the original is not changed


def test_to_aodh_combination_is_composite_with_typed_sub_rules():
    subs = {
        'r1': ('gnocchi_resources_threshold',
               {'metric': 'cpu_util', 'resource_id': 'vm-1'}),
        'r2': ('gnocchi_aggregation_by_resources_threshold',
               {'metric': 'cpu_util', 'query': '{}'}),
    }
    alarm = {'alarm_id': 'c1', 'type': 'combination',
             'rule': {'operator': 'or', 'alarm_ids': ['r1', 'r2']}}
    shown = aodh.to_aodh(REGION, alarm, _no_translate, subs.__getitem__)
    assert shown['type'] == 'composite'
    assert shown['rule'] == {'or': [
        {'type': 'gnocchi_resources_threshold', 'metric': 'cpu_util',
         'resource_id': 'vm-1'},
        {'type': 'gnocchi_aggregation_by_resources_threshold',
         'metric': 'cpu_util', 'query': '{}'}]}


def test_combination_operator_defaults_to_and():
    alarm = {'type': 'combination', 'rule': {'alarm_ids': ['r1']}}
    shown = aodh.to_aodh(REGION, alarm, _no_translate,
                         lambda _id: ('gnocchi_resources_threshold', {}))
    assert list(shown['rule']) == ['and']


def test_nested_composite_sub_rule_is_kept_as_is():
    nested = {'and': [{'type': 'gnocchi_resources_threshold',
                       'resource_id': 'vm-1'}]}
    rule = aodh.composite_rule('or', [
        ('composite', nested),
        ('gnocchi_resources_threshold', {'resource_id': 'vm-2'})])
    assert rule == {'or': [
        nested, {'type': 'gnocchi_resources_threshold',
                 'resource_id': 'vm-2'}]}
    assert 'type' not in rule['or'][0]


def test_composite_rule_does_not_change_the_sub_rules():
    sub = {'resource_id': 'vm-1'}
    aodh.composite_rule('and', [('gnocchi_resources_threshold', sub)])
    assert sub == {'resource_id': 'vm-1'}


def test_other_alarm_types_are_refused():
    alarm = {'type': 'event', 'rule': {}}
    with pytest.raises(errors.InvalidRequest) as caught:
        aodh.to_aodh(REGION, alarm, _no_translate, None)
    assert REGION in caught.value.message
    assert 'event' in caught.value.message


# -- back to v2 ---------------------------------------------------------------

RESOURCE_RULE = {'metric': 'cpu_util', 'resource_id': 'vm-1',
                 'resource_type': 'generic', 'granularity': 600,
                 'aggregation_method': 'mean', 'comparison_operator': 'gt',
                 'threshold': 80.0, 'evaluation_periods': 3}
QUERY_RULE = {'metric': 'cpu_util', 'resource_type': 'instance',
              'query': '{"=": {"server_group": "stack-1"}}',
              'granularity': 300, 'aggregation_method': 'max',
              'comparison_operator': 'lt', 'threshold': 5.0,
              'evaluation_periods': 1}
V2_RESOURCE_RULE = {
    'meter_name': 'cpu_util', 'period': 600, 'statistic': 'avg',
    'comparison_operator': 'gt', 'threshold': 80.0,
    'evaluation_periods': 3, 'exclude_outliers': False,
    'query': [{'field': 'resource_id', 'op': 'eq', 'value': 'vm-1',
               'type': 'string'}]}
V2_QUERY_RULE = {
    'meter_name': 'cpu_util', 'period': 300, 'statistic': 'max',
    'comparison_operator': 'lt', 'threshold': 5.0,
    'evaluation_periods': 1, 'exclude_outliers': False, 'query': []}


def test_v2_rule_of_a_resources_threshold():
    assert aodh.v2_rule('gnocchi_resources_threshold', RESOURCE_RULE) == (
        'threshold', V2_RESOURCE_RULE)


def test_v2_rule_of_an_aggregation_by_resources_threshold():
    assert aodh.v2_rule('gnocchi_aggregation_by_resources_threshold',
                        QUERY_RULE) == ('threshold', V2_QUERY_RULE)


def test_v2_rule_of_an_aggregation_by_metrics_threshold():
    rule = dict(QUERY_RULE, metrics=['m1', 'm2'])
    del rule['query'], rule['resource_type']
    assert aodh.v2_rule('gnocchi_aggregation_by_metrics_threshold',
                        rule) == ('threshold', V2_QUERY_RULE)


def test_v2_rule_keeps_a_method_without_statistic():
    rule = dict(QUERY_RULE, aggregation_method='rate:mean')
    _kind, shown = aodh.v2_rule(
        'gnocchi_aggregation_by_resources_threshold', rule)
    assert shown['statistic'] == 'rate:mean'


def test_v2_rule_of_a_composite_is_a_combination():
    rule = {'or': [dict(RESOURCE_RULE, type='gnocchi_resources_threshold')]}
    assert aodh.v2_rule('composite', rule) == (
        'combination', {'operator': 'or', 'alarm_ids': []})


def test_v2_rule_of_other_kinds_is_unchanged():
    rule = {'event_type': 'compute.instance.*', 'query': []}
    assert aodh.v2_rule('event', rule) == ('event', rule)


def test_v2_rule_round_trips_a_threshold():
    _kind, aodh_rule = aodh.threshold_rule(REGION, _rule(RESOURCE_QUERY),
                                           _no_translate)
    kind, rule = aodh.v2_rule('gnocchi_resources_threshold', aodh_rule)
    assert kind == 'threshold'
    assert rule == {
        'meter_name': 'cpu_util', 'comparison_operator': 'gt',
        'threshold': 80.0, 'evaluation_periods': 3, 'period': 600,
        'statistic': 'avg', 'exclude_outliers': False,
        'query': [dict(RESOURCE_QUERY[0], type='string')]}


def test_from_aodh_alarm():
    alarm = {'alarm_id': 'a1', 'name': 'hot', 'state': 'alarm',
             'type': 'gnocchi_resources_threshold', 'rule': RESOURCE_RULE}
    assert aodh.from_aodh(alarm) == {
        'alarm_id': 'a1', 'name': 'hot', 'state': 'alarm',
        'type': 'threshold', 'rule': V2_RESOURCE_RULE}


def test_from_aodh_composite_alarm():
    alarm = {'alarm_id': 'c1', 'type': 'composite',
             'rule': {'and': [dict(QUERY_RULE, type=aodh.BY_QUERY)]}}
    shown = aodh.from_aodh(alarm)
    assert shown['type'] == 'combination'
    assert shown['rule'] == {'operator': 'and', 'alarm_ids': []}


# -- history details ----------------------------------------------------------

def test_rule_of_a_creation_detail():
    detail = {'alarm_id': 'a1', 'name': 'hot', 'state': 'insufficient data',
              'type': 'gnocchi_resources_threshold', 'rule': RESOURCE_RULE}
    assert aodh.rule_of_detail(detail) == dict(
        detail, type='threshold', rule=V2_RESOURCE_RULE)


def test_rule_of_a_composite_creation_detail():
    detail = {'type': 'composite',
              'rule': {'or': [dict(RESOURCE_RULE, type=aodh.BY_RESOURCE)]}}
    assert aodh.rule_of_detail(detail) == {
        'type': 'combination',
        'rule': {'operator': 'or', 'alarm_ids': []}}


def test_rule_change_detail_of_a_resource_rule():
    detail = {'rule': RESOURCE_RULE}
    assert aodh.rule_of_detail(detail) == {'rule': V2_RESOURCE_RULE}


def test_rule_change_detail_of_a_query_rule():
    detail = {'rule': QUERY_RULE}
    assert aodh.rule_of_detail(detail) == {'rule': V2_QUERY_RULE}


def test_rule_change_detail_of_a_metrics_rule():
    rule = dict(QUERY_RULE, metrics=['m1', 'm2'])
    del rule['query'], rule['resource_type']
    assert aodh.rule_of_detail({'rule': rule}) == {'rule': V2_QUERY_RULE}


def test_rule_change_detail_of_a_composite_rule():
    detail = {'rule': {'and': [dict(QUERY_RULE, type=aodh.BY_QUERY)]}}
    assert aodh.rule_of_detail(detail) == {
        'rule': {'operator': 'and', 'alarm_ids': []}}


@pytest.mark.parametrize('detail', [
    {'state': 'alarm'},
    {'threshold': 90.0},
    {'rule': {'event_type': 'compute.*'}},
    {'rule': 'not a rule'},
])
def test_other_details_are_unchanged(detail):
    assert aodh.rule_of_detail(detail) == detail
