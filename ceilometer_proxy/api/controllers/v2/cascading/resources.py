"""/v2/resources in cascading mode: the resource map, or the regions.

``GET`` lists and shows registered resources (region and cascaded id only
for administrators), or, with ``[cascading] resource_source = regions``,
what the regions hold; ``POST`` and ``DELETE`` register and unregister
resources, for administrators only.
"""

import pecan
from pecan import rest
import wsme
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api.controllers.v2 import cascading
from ceilometer_proxy.api.controllers.v2 import resources as local
from ceilometer_proxy.api.controllers.v2 import utils as v2_utils
from ceilometer_proxy.api import rbac
from ceilometer_proxy.cascading import inventory
from ceilometer_proxy.cascading import region_inventory
from ceilometer_proxy import utils


def _links(resource_id, meter_names):
    url = pecan.request.application_url
    links = [local.make_link('self', url, 'resources', resource_id)]
    for name in meter_names:
        links.append(local.make_link(name, url, 'meters', name,
                                     query={'field': 'resource_id',
                                            'value': resource_id}))
    return links


FIELDS = {a.name for a in local.Resource._wsme_attributes}


def _resource(ctx, row, meter_links=True):
    types = pecan.request.storage_conn.types
    names = inventory.meter_names(types, row) if meter_links else []
    return _api_resource(inventory.shown(ctx, row), names)


def _api_resource(shown, meter_names):
    return local.Resource(links=_links(shown['resource_id'], meter_names),
                          **{k: v for k, v in shown.items() if k in FIELDS})


def _from_regions(ctx):
    return ctx.conf.cascading.resource_source == 'regions'


def _region_resource(found, meter_links=True):
    names = found.get('meter_names') or [] if meter_links else []
    return _api_resource(found, names)


def _set(value):
    return None if value is wsme.Unset else value


class ResourcesController(rest.RestController):
    """Registered resources."""

    @wsme_pecan.wsexpose(local.Resource, wtypes.text)
    @cascading.translate_errors
    def get_one(self, resource_id):
        """One registered resource."""
        rbac.enforce('get_resource', pecan.request)
        ctx = cascading.context()
        if _from_regions(ctx):
            found = region_inventory.get_resource(ctx, resource_id)
            if found is not None:
                return _region_resource(found)
        return _resource(ctx, inventory.get_row(ctx, resource_id))

    @wsme_pecan.wsexpose([local.Resource], [base.Query], int, int)
    @cascading.translate_errors
    def get_all(self, q=None, limit=None, meter_links=1):
        """Registered resources the caller may see."""
        rbac.enforce('get_resources', pecan.request)
        q = q or []
        limit = base.positive_limit(limit, pecan.request.cfg)
        v2_utils.validate_query(q, v2_utils.RESOURCE_KEYS)
        ctx = cascading.context()
        if _from_regions(ctx):
            return [_region_resource(r, meter_links) for r in
                    region_inventory.list_resources(
                        ctx, cascading.terms(q), limit)]
        return [_resource(ctx, r, meter_links)
                for r in inventory.list_rows(ctx, cascading.terms(q), limit)]

    @wsme_pecan.wsexpose(local.Resource, body=local.Resource,
                         status_code=201)
    @cascading.translate_errors
    def post(self, resource):
        """Register a resource: metadata holds region, cascaded_resource_id
        and type (admin only)."""
        rbac.enforce('create_resource', pecan.request)
        ctx = cascading.context()
        metadata = resource.metadata
        registration = {
            'resource_id': _set(resource.resource_id),
            'user_id': _set(resource.user_id),
            'project_id': _set(resource.project_id),
            'source': _set(resource.source),
            'timestamp': _set(resource.first_sample_timestamp),
            'metadata': utils.restore_nesting(_set(metadata) or {},
                                              separator='.')}
        if not registration['metadata']:
            raise base.ClientSideError(
                'metadata must hold region, cascaded_resource_id and type')
        inventory.register(ctx, pecan.request.storage_conn.types,
                           [registration])
        return _resource(ctx, ctx.resource_map.get(
            registration['resource_id']))

    @wsme_pecan.wsexpose(None, wtypes.text, status_code=204)
    @cascading.translate_errors
    def delete(self, resource_id):
        """Unregister a resource (admin only)."""
        rbac.enforce('delete_resource', pecan.request)
        inventory.unregister(cascading.context(), resource_id)
