"""/v2/regions in cascading mode: where things are, for administrators.

The v2 types have no place for a region: a resource shows its region in
its metadata to administrators (resources.py), and an alarm shows none.
This read-only listing names each region the cascading level knows, the
driver that reaches it, and the cascading ids of the alarms it serves,
so an operator (or the console's alarm view) can tell where an alarm
lives without reading the alarm table. Administrators only (401
otherwise, as resource registration answers).
"""

import pecan
from pecan import rest
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api.controllers.v2 import cascading
from ceilometer_proxy.cascading import errors


class Region(base.Base):
    """One region of the cascade."""

    name = wtypes.text
    "The region's name (as in the Keystone catalog or [cascading] regions)"

    driver = wtypes.text
    "The region driver reaching it: v2 (Ceilometer) or gnocchi (+ Aodh)"

    alarm_ids = [wtypes.text]
    "Cascading ids of the alarms this region evaluates"


def placements(rows):
    """{region: sorted cascading alarm ids} of alarm table rows."""
    found = {}
    for row in rows:
        found.setdefault(row['region'], []).append(row['_id'])
    return {region: sorted(ids) for region, ids in found.items()}


class RegionsController(rest.RestController):
    """The regions, with the alarms each one serves."""

    @wsme_pecan.wsexpose([Region])
    @cascading.translate_errors
    def get_all(self):
        """Every known region, sorted by name (admin only)."""
        ctx = cascading.context()
        if not ctx.caller.is_admin:
            raise errors.NotAuthorized('Listing regions needs the admin role')
        alarms = placements(pecan.request.alarm_storage_conn.find())
        return [Region(name=name,
                       driver=ctx.regions.registry.driver_name(name),
                       alarm_ids=alarms.get(name, []))
                for name in ctx.regions.names()]
