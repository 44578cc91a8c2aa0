"""Where a cascading alarm goes, and how its ids are translated (pure).

An alarm is created in one region. A threshold alarm is routed, in this
order, by a ``resource_id`` in its query (the resource's region; the id is
rewritten to the cascaded one), by a ``metadata.<alarm_metadata_region_key>``
term (an availability zone or region name, what Heat's
``matching_metadata`` produces; the term is removed, no region sample
carries it), or by ``[cascading] default_region``. A combination alarm goes
where its sub-alarms are, and they must all be in one region.

Alarms move between two shapes here: the storage shape (``rule``, as
``alarm.storage.models.Alarm``) that the table keeps and the API types are
built from, and the region's copy in the same shape, whose ids and query
are the region's; region drivers turn that into whatever the region
keeps. Nothing here does I/O: lookups are passed in as functions, so
every rule is unit-tested directly.
"""

import json

from ceilometer_proxy.cascading import errors

RESOURCE_FIELDS = ('resource_id', 'resource')
METADATA_PREFIXES = ('metadata.', 'resource_metadata.')
# Fields the region sets; never sent to it.
SERVER_FIELDS = ('alarm_id', 'timestamp', 'state_timestamp')
MOVE_REFUSED = ('Moving an alarm to another %s is not supported: delete it '
                'and create a new one')


class AlarmError(errors.CascadingError):
    """A refused alarm request; ``status`` is the HTTP answer."""

    status = 400


class AlarmNotFound(AlarmError):
    status = 404

    def __init__(self, alarm_id, project=None):
        if project:
            message = 'Alarm %s not found in project %s' % (alarm_id,
                                                            project)
        else:
            message = 'Alarm %s not found' % alarm_id
        super().__init__(message)


class NameConflict(AlarmError):
    status = 409

    def __init__(self, name):
        super().__init__('Alarm with name=%s exists' % name)


class Route(object):
    """Where an alarm goes and what the region is told.

    :ivar region: the region name.
    :ivar rule: the rule as sent to the region.
    :ivar routing: what to remember to show the user's rule again:
        ``query`` or ``alarm_ids`` as the user gave them, and
        ``resource_id`` when a resource chose the region.
    """

    def __init__(self, region, rule, routing):
        self.region = region
        self.rule = rule
        self.routing = routing


def region_key_fields(key):
    """The query fields naming the region (``metadata.metering.region``)."""
    return tuple(prefix + key for prefix in METADATA_PREFIXES)


def _single_value(terms, what):
    values = {t['value'] for t in terms}
    if len(values) > 1:
        raise AlarmError('An alarm can only be routed by one %s; got %s'
                         % (what, ', '.join(sorted(values))))
    return terms[0]['value'] if terms else None


def route_threshold(rule, region_key, default_region, find_resource,
                    resolve_region):
    """The Route of a threshold rule (a dict with ``query``).

    :param region_key: ``[cascading] alarm_metadata_region_key``.
    :param default_region: ``[cascading] default_region`` or None.
    :param find_resource: cascading resource id -> resource map row (with
        ``region`` and ``cascaded_resource_id``); raises UnknownResource.
    :param resolve_region: region or AZ name -> region name; raises
        UnknownRegion.
    """
    query = [dict(q) for q in rule.get('query') or []]
    key_fields = region_key_fields(region_key)
    by_resource = [q for q in query if q['field'] in RESOURCE_FIELDS]
    by_region = [q for q in query if q['field'] in key_fields]
    resource_id = _single_value(by_resource, 'resource')
    named = _single_value(by_region, 'region')
    forwarded = [dict(q) for q in query if q['field'] not in key_fields]
    routing = {'query': query}
    if resource_id is not None:
        row = find_resource(resource_id)
        region = row['region']
        if named is not None and resolve_region(named) != region:
            raise AlarmError('Resource %s is in region %s, not in %s'
                             % (resource_id, region, named))
        for q in forwarded:
            if q['field'] in RESOURCE_FIELDS:
                q['value'] = row['cascaded_resource_id']
        routing['resource_id'] = resource_id
    elif named is not None:
        region = resolve_region(named)
    elif default_region:
        region = resolve_region(default_region)
    else:
        raise errors.NoRoute(
            'Cannot tell which region this alarm belongs to: put a '
            'resource_id or a %s term in its query (or set [cascading] '
            'default_region)' % key_fields[0])
    return Route(region, dict(rule, query=forwarded), routing)


def route_combination(rule, find_row):
    """The Route of a combination rule (a dict with ``alarm_ids``).

    :param find_row: cascading alarm id -> table row the caller may see;
        raises AlarmNotFound.
    """
    rows = [find_row(alarm_id) for alarm_id in rule['alarm_ids']]
    regions = sorted({row['region'] for row in rows})
    if len(regions) > 1:
        placed = ', '.join('%s in %s' % (row['_id'], row['region'])
                           for row in rows)
        raise AlarmError('The alarms of a combination must live in one '
                         'region: %s' % placed)
    cascaded = [row['cascaded_alarm_id'] for row in rows]
    return Route(regions[0], dict(rule, alarm_ids=cascaded),
                 {'alarm_ids': list(rule['alarm_ids'])})


def check_same_place(old_routing, old_region, new_route):
    """An update may change the rule, not the resource or region."""
    old_resource = old_routing.get('resource_id')
    if old_resource != new_route.routing.get('resource_id'):
        raise AlarmError(MOVE_REFUSED % 'resource')
    if old_region != new_route.region:
        raise AlarmError(MOVE_REFUSED % 'region')


# -- shapes -----------------------------------------------------------------

def region_alarm(alarm, rule):
    """What a region is asked to keep of a storage-shaped alarm: its rule
    replaced by ``rule`` (the routed one), without the fields the region
    sets itself."""
    kept = {k: v for k, v in alarm.items()
            if k not in SERVER_FIELDS and v is not None}
    kept['rule'] = rule
    return kept


def shown(region_alarm, alarm_id, routing):
    """The region's alarm (storage shape) as the cascading level shows it:
    the cascading id, and the rule's query or sub-alarms as the user gave
    them."""
    alarm = dict(region_alarm, alarm_id=alarm_id)
    rule = dict(alarm.get('rule') or {})
    if 'query' in routing:
        rule['query'] = [dict(q) for q in routing['query']] + _added_terms(
            rule.get('query') or [], routing['query'])
    if 'alarm_ids' in routing:
        rule['alarm_ids'] = list(routing['alarm_ids'])
    alarm['rule'] = rule
    return alarm


def _added_terms(region_query, user_query):
    """Terms the region added to the rule's query (the project of a
    scoped owner), which the user would see in local mode too."""
    known = {q['field'] for q in user_query} | set(RESOURCE_FIELDS)
    return [dict(q) for q in region_query if q.get('field') not in known]


def shown_change(change, row, cascaded_resource_id=None,
                 shown_detail=lambda detail: detail):
    """A region's history event (API JSON) with cascading ids only.

    :param shown_detail: the region driver's translation of a decoded
        detail (a region may keep its rules in another shape than v2's).
    """
    change = dict(change, alarm_id=row['_id'])
    detail = change.get('detail')
    if isinstance(detail, str):
        change['detail'] = _shown_detail(detail, row, cascaded_resource_id,
                                         shown_detail)
    return change


def _shown_detail(detail, row, cascaded_resource_id, shown_detail):
    routing = row.get('routing') or {}
    try:
        data = json.loads(detail)
    except ValueError:
        data = None
    if isinstance(data, dict):
        data = shown_detail(data)
        if 'alarm_id' in data:
            data['alarm_id'] = row['_id']
        rule = data.get('rule')
        if isinstance(rule, dict):
            data['rule'] = shown({'rule': rule}, None, routing)['rule']
        detail = json.dumps(data)
    # Whatever shape the region gave, no region id may leak.
    detail = detail.replace(row['cascaded_alarm_id'], row['_id'])
    if cascaded_resource_id and routing.get('resource_id'):
        detail = detail.replace(cascaded_resource_id,
                                routing['resource_id'])
    return detail
