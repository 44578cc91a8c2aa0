"""Resources and meters as the regions hold them.

With ``[cascading] resource_source = regions`` the cascading level lists
what every region holds (a v2 region's /v2/resources and /v2/meters, a
Gnocchi region's indexer) rather than only what was registered in the
map: a modern cloud's resources are created by its services, and nobody
registers them at the top. Resources the map knows are shown under their
cascading ids; the others as their region knows them, which is also how
statistics name them. Administrators see each resource's region in its
metadata, as for registered ones.

Each listing is the request's query sent to every region (or to the one
a ``metadata.region`` term or a registered resource names), merged by
resource id with ``limit`` applied to the whole.
"""

from ceilometer_proxy.cascading import errors
from ceilometer_proxy.cascading import metering


def _where(ctx, query):
    """(region names, query for them, translator) of a listing: routed
    as statistics are (a registered resource to its region, under the id
    it knows there), scoped to the caller's project."""
    where = metering.route(ctx, query)
    rest = list(where.query)
    if not ctx.caller.is_admin:
        rest.append({'field': 'project_id', 'op': 'eq',
                     'value': ctx.caller.project_id, 'type': ''})
    return where.regions, rest, metering.IdTranslator(ctx, where.row)


def _shown(ctx, resource, region, translate):
    """A region's resource under its cascading id (admins: with its
    routing in the metadata)."""
    resource = dict(resource)
    cascaded = resource['resource_id']
    resource['resource_id'] = translate(region, cascaded)
    if ctx.caller.is_admin:
        resource['metadata'] = dict(resource.get('metadata') or {},
                                    region=region,
                                    cascaded_resource_id=cascaded)
    return resource


def list_resources(ctx, query, limit):
    """Resource dicts (with ``meter_names``) of every region."""
    names, rest, translate = _where(ctx, query)

    def ask(region):
        return [_shown(ctx, r, region, translate) for r in
                ctx.driver(region).resources(ctx.caller, rest, limit)]

    found = metering.ask_regions(ctx, names, ask)
    merged = sorted((r for answer in found.values() for r in answer),
                    key=lambda r: r['resource_id'])
    return merged[:limit] if limit else merged


def get_resource(ctx, resource_id):
    """One resource: a registered one from its region (the map's row when
    the region no longer has it, None then), else whichever region holds
    one of that id."""
    row = ctx.resource_map.get(resource_id)
    if row is not None:
        if not (ctx.caller.is_admin or
                row['project_id'] == ctx.caller.project_id):
            raise errors.UnknownResource(resource_id)
        found = ctx.driver(row['region']).resource(
            ctx.caller, row['cascaded_resource_id'])
        if found is None:
            return None
        return _shown(ctx, found, row['region'],
                      metering.IdTranslator(ctx, row))
    translate = metering.IdTranslator(ctx)

    def ask(region):
        found = ctx.driver(region).resource(ctx.caller, resource_id)
        if found is None or not (ctx.caller.is_admin or found.get(
                'project_id') == ctx.caller.project_id):
            return None
        if translate(region, resource_id) != resource_id:
            return None  # registered under another id: shown by that one
        return _shown(ctx, found, region, translate)

    answers = metering.ask_regions(ctx, ctx.regions.names(), ask)
    for region in sorted(answers):
        if answers[region] is not None:
            return answers[region]
    raise errors.UnknownResource(resource_id)


def list_meters(ctx, query, limit):
    """Meter dicts of every region, resource ids translated."""
    names, rest, translate = _where(ctx, query)

    def ask(region):
        meters = ctx.driver(region).meters(ctx.caller, rest, limit)
        for meter in meters:
            meter['resource_id'] = translate(region, meter['resource_id'])
        return meters

    found = metering.ask_regions(ctx, names, ask)
    merged = sorted((m for answer in found.values() for m in answer),
                    key=lambda m: (m['resource_id'], m['name']))
    return merged[:limit] if limit else merged
