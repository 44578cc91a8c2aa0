"""Registration of resources, and resources and meters read from the map.

Services that create resources in a region register them at the cascading
level, either the way the original proxy took them (``POST
/v2/meters/<any>`` with samples whose ``resource_metadata`` holds
``region``, ``cascaded_resource_id`` and ``type``; empty metadata deletes)
or through ``POST``/``DELETE /v2/resources``. Only administrators may.
Listing resources and meters needs no region: the map holds the resources,
and a resource's meters are those its type has in type2meters.json.
"""

from ceilometer_proxy.cascading import errors
from ceilometer_proxy.cascading import metering
from ceilometer_proxy import query_values
from ceilometer_proxy import utils

ROUTING_KEYS = ('region', 'cascaded_resource_id')
REQUIRED = ('resource_id', 'user_id', 'project_id')


def _require_admin(ctx):
    if not ctx.caller.is_admin:
        raise errors.NotAuthorized(
            'Only administrators may register resources')


def registration_row(ctx, types, registration):
    """The map row of one registration, or None for a deletion.

    :param registration: dict with resource_id, user_id, project_id,
        source, timestamp and metadata (the sample's resource_metadata).
    """
    for field in REQUIRED:
        if not registration.get(field):
            raise errors.InvalidRequest('%s is required to register a '
                                        'resource' % field)
    metadata = dict(registration.get('metadata') or {})
    if not metadata:
        return None
    missing = [k for k in ROUTING_KEYS + ('type',) if not metadata.get(k)]
    if missing:
        raise errors.InvalidRequest(
            'Resource %s: metadata must hold %s'
            % (registration['resource_id'], ', '.join(missing)))
    resource_type = metadata['type']
    if resource_type not in types:
        raise errors.InvalidRequest(
            'Resource %s: unknown type %s (known: %s)'
            % (registration['resource_id'], resource_type,
               ', '.join(types.names())))
    region = ctx.regions.resolve(str(metadata.pop('region')))
    timestamp = registration.get('timestamp') or utils.utcnow()
    return {'resource_id': registration['resource_id'],
            'region': region,
            'driver': ctx.regions.registry.driver_name(region),
            'cascaded_resource_id': str(metadata.pop('cascaded_resource_id')),
            'type': resource_type,
            'project_id': registration['project_id'],
            'user_id': registration['user_id'],
            'source': (registration.get('source') or
                       types.source(resource_type)),
            'metadata': metadata,
            'first_sample_timestamp': timestamp,
            'last_sample_timestamp': timestamp}


def register(ctx, types, registrations):
    """Apply registrations in order (all are checked before any is)."""
    _require_admin(ctx)
    rows = [(r['resource_id'], registration_row(ctx, types, r))
            for r in registrations]
    for resource_id, row in rows:
        if row is None:
            ctx.resource_map.delete(resource_id)
        else:
            ctx.resource_map.upsert(row)
    return rows


def unregister(ctx, resource_id):
    _require_admin(ctx)
    if not ctx.resource_map.delete(resource_id):
        raise errors.UnknownResource(resource_id)


def shown(ctx, row):
    """A map row as the caller may see it: region, cascaded id and the
    region's driver (``region_driver``) are in the metadata for
    administrators only."""
    resource = dict(row)
    metadata = dict(row.get('metadata') or {})
    for key in ROUTING_KEYS:
        value = resource.pop(key, None)
        if ctx.caller.is_admin:
            metadata[key] = value
    driver = resource.pop('driver', None)
    if ctx.caller.is_admin and driver:
        metadata['region_driver'] = driver
    resource.pop('type', None)
    resource['metadata'] = metadata
    return resource


def _filters(ctx, query):
    """ResourceMap.list arguments of a validated, scoped query."""
    kwargs = {'metaquery': {}}
    names = {'user_id': 'user', 'user': 'user', 'project_id': 'project',
             'project': 'project', 'resource_id': 'resource',
             'resource': 'resource', 'source': 'source'}
    for term in query:
        field = term['field']
        if field in names:
            kwargs[names[field]] = term['value']
        elif field.startswith(('metadata.', 'resource_metadata.')):
            key = field.split('.', 1)[1]
            if key in ROUTING_KEYS and ctx.caller.is_admin:
                if key == 'region':
                    kwargs['region'] = ctx.regions.resolve(term['value'])
                else:
                    kwargs['cascaded'] = term['value']
            else:
                kwargs['metaquery']['metadata.' + key] = term['typed_value']
    if not ctx.caller.is_admin:
        kwargs['project'] = ctx.caller.project_id
    return kwargs


def list_rows(ctx, query, limit):
    """Map rows the caller may see that match a validated query."""
    kwargs = _filters(ctx, query)
    cascaded = kwargs.pop('cascaded', None)
    timed = any(t['field'] == 'timestamp' for t in query)
    rows = ctx.resource_map.list(
        limit=None if cascaded or timed else limit, **kwargs)
    rows = [r for r in rows if _in_time_range(r, query) and (
        cascaded is None or r['cascaded_resource_id'] == cascaded)]
    return rows[:limit] if limit else rows


def _in_time_range(row, query):
    """Whether a row's registration span meets the query's timestamp
    terms (the map knows when a resource was registered, not its
    samples)."""
    for term in query:
        if term['field'] != 'timestamp':
            continue
        bound = query_values.parse_timestamp(term['value'])
        first = row.get('first_sample_timestamp')
        last = row.get('last_sample_timestamp') or first
        if term.get('op') in ('gt', 'ge') and last and last < bound:
            return False
        if term.get('op') in ('lt', 'le') and first and first > bound:
            return False
    return True


def get_row(ctx, resource_id):
    """The map row of one resource the caller may see (UnknownResource)."""
    return metering.visible_row(ctx, resource_id)


def meter_names(types, row):
    return [m['name'] for m in types.meters(row.get('type'))]


def list_meters(ctx, types, query, limit):
    """One meter per (resource, meter of its type), as Meter dicts."""
    kwargs = _filters(ctx, query)
    cascaded = kwargs.pop('cascaded', None)
    meters = []
    for row in ctx.resource_map.list(**kwargs):
        if cascaded is not None and row['cascaded_resource_id'] != cascaded:
            continue
        for meter in types.meters(row['type']):
            meters.append({'name': meter['name'], 'type': meter['type'],
                           'unit': meter['unit'],
                           'resource_id': row['resource_id'],
                           'project_id': row['project_id'],
                           'user_id': row['user_id'],
                           'source': row['source']})
            if limit and len(meters) >= limit:
                return meters
    return meters
