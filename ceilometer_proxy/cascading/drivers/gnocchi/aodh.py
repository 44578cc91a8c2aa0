"""v2 alarms as Aodh's Gnocchi alarms, and back (pure).

Aodh dropped the v2 ``threshold`` (6.0.0) and ``combination`` (5.0.0)
rules; a region running it is told:

- a threshold on one resource (a ``resource_id`` term alone) ->
  ``gnocchi_resources_threshold`` on that resource's metric;
- any other threshold query (Heat's ``metadata.user_metadata.*`` /
  ``metadata.metering.*`` matching, projects, users) ->
  ``gnocchi_aggregation_by_resources_threshold`` with the query in
  Gnocchi's search syntax (search.py) and the owner's project added for
  scoped owners;
- period -> granularity (which the metric's archive policy must keep),
  statistic -> aggregation method (avg is ``mean``), the comparison,
  threshold, evaluation periods, actions, repeat_actions, time constraints
  and severity as they are; ``exclude_outliers`` has no counterpart;
- a combination -> ``composite``: the sub-alarms' rules, copied, joined by
  the operator (Aodh evaluates rules, not other alarms' states).

Going back, the region's rule is shown as a v2 rule; the query and the
sub-alarm ids the user gave are the cascading table's (alarm_routing).
"""

import json

from ceilometer_proxy.cascading import errors

TO_METHOD = {'avg': 'mean', 'max': 'max', 'min': 'min', 'sum': 'sum',
             'count': 'count'}
TO_STATISTIC = {method: statistic for statistic, method in TO_METHOD.items()}
BY_RESOURCE = 'gnocchi_resources_threshold'
BY_QUERY = 'gnocchi_aggregation_by_resources_threshold'
BY_METRICS = 'gnocchi_aggregation_by_metrics_threshold'
COMPOSITE = 'composite'
RESOURCE_FIELDS = ('resource_id', 'resource')
COMMON_RULE_FIELDS = ('comparison_operator', 'threshold',
                      'evaluation_periods')


def _single_resource(query):
    """The resource id of a query naming one resource and nothing else."""
    if len(query) == 1 and query[0]['field'] in RESOURCE_FIELDS and (
            query[0].get('op') or 'eq') == 'eq':
        return query[0]['value']
    return None


def threshold_rule(region, rule, translate):
    """(Aodh type, Aodh rule) of a v2 threshold rule.

    :param translate: v2 terms -> search.Search (the region's resource
        types, the owner's project when scoped).
    """
    if rule.get('exclude_outliers'):
        raise errors.InvalidRequest(
            'Region %s (Aodh) cannot exclude outliers: Aodh evaluates '
            'Gnocchi aggregates, not samples' % region)
    common = {k: rule[k] for k in COMMON_RULE_FIELDS if k in rule}
    common.update(metric=rule['meter_name'],
                  granularity=rule.get('period', 60),
                  aggregation_method=TO_METHOD[rule.get('statistic',
                                                        'avg')])
    query = rule.get('query') or []
    resource_id = _single_resource(query)
    if resource_id is not None:
        # Its project was checked by whoever routed the alarm here.
        return BY_RESOURCE, dict(common, resource_id=resource_id,
                                 resource_type='generic')
    search = translate(query)
    return BY_QUERY, dict(common, resource_type=search.resource_type,
                          query=json.dumps(search.body, sort_keys=True))


def composite_rule(operator, sub_rules):
    """Aodh's composite rule of (type, rule) pairs joined by ``operator``."""
    return {operator: [rule if kind == COMPOSITE else dict(rule, type=kind)
                       for kind, rule in sub_rules]}


def to_aodh(region, alarm, translate, sub_rule):
    """The Aodh-shaped copy of a storage-shaped v2 alarm.

    :param sub_rule: region alarm id -> its (Aodh type, Aodh rule), for
        the sub-alarms of a combination.
    """
    rule = alarm['rule']
    if alarm['type'] == 'threshold':
        kind, aodh_rule = threshold_rule(region, rule, translate)
    elif alarm['type'] == 'combination':
        kind = COMPOSITE
        aodh_rule = composite_rule(rule.get('operator', 'and'),
                                   [sub_rule(a) for a in rule['alarm_ids']])
    else:
        raise errors.InvalidRequest('Region %s (Aodh) has no %s alarms'
                                    % (region, alarm['type']))
    return dict(alarm, type=kind, rule=aodh_rule)


def v2_rule(kind, rule):
    """(v2 type, v2 rule) of an Aodh alarm's rule."""
    if kind in (BY_RESOURCE, BY_QUERY, BY_METRICS):
        shown = {k: rule[k] for k in COMMON_RULE_FIELDS if k in rule}
        shown.update(meter_name=rule.get('metric'),
                     period=rule.get('granularity'),
                     statistic=TO_STATISTIC.get(
                         rule.get('aggregation_method'),
                         rule.get('aggregation_method')),
                     exclude_outliers=False, query=[])
        if kind == BY_RESOURCE:
            shown['query'] = [{'field': 'resource_id', 'op': 'eq',
                               'value': rule.get('resource_id'),
                               'type': 'string'}]
        return 'threshold', shown
    if kind == COMPOSITE:
        operator = next(iter(rule), 'and') if isinstance(rule, dict) else 'and'
        return 'combination', {'operator': operator, 'alarm_ids': []}
    return kind, rule


def from_aodh(alarm):
    """A storage-shaped Aodh alarm with a v2 rule."""
    kind, rule = v2_rule(alarm.get('type'), alarm.get('rule') or {})
    return dict(alarm, type=kind, rule=rule)


def rule_of_detail(detail):
    """A history detail (decoded) with its type and rule in v2 terms."""
    if 'type' in detail and isinstance(detail.get('rule'), dict):
        kind, rule = v2_rule(detail['type'], detail['rule'])
        return dict(detail, type=kind, rule=rule)
    if isinstance(detail.get('rule'), dict):
        rule = detail['rule']
        kind = (BY_RESOURCE if 'resource_id' in rule else
                BY_QUERY if 'query' in rule else
                BY_METRICS if 'metrics' in rule else
                COMPOSITE if rule and set(rule) <= {'and', 'or'} else None)
        if kind:
            return dict(detail, rule=v2_rule(kind, rule)[1])
    return detail
