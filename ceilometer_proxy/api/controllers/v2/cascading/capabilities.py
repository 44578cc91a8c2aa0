"""/v2/capabilities in cascading mode: what the cascading API serves."""

import pecan
from pecan import rest
import wsmeext.pecan as wsme_pecan

from ceilometer_proxy.api.controllers.v2 import capabilities as local
from ceilometer_proxy import utils


class CapabilitiesController(rest.RestController):
    """The features of cascading mode (alarms: those of its alarm table)."""

    @wsme_pecan.wsexpose(local.Capabilities)
    def get(self):
        conn = pecan.request.storage_conn
        alarm_conn = pecan.request.alarm_storage_conn
        api = utils.update_nested(local.API_CAPABILITIES,
                                  conn.get_capabilities())
        alarm_storage = {'storage': {'production_ready': False}}
        if alarm_conn is not None:
            api = utils.update_nested(api, alarm_conn.get_capabilities())
            alarm_storage = alarm_conn.get_storage_capabilities()
        event_conn = pecan.request.event_storage_conn
        api = utils.update_nested(api, event_conn.get_capabilities())
        return local.Capabilities(
            api=local.flatten(api),
            storage=local.flatten(conn.get_storage_capabilities()),
            alarm_storage=local.flatten(alarm_storage),
            event_storage=local.flatten(
                event_conn.get_storage_capabilities()))
