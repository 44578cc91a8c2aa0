"""/v2/capabilities: what this API and its store can do."""

import pecan
from pecan import rest
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy import utils

API_CAPABILITIES = {
    'alarms': {'query': {'simple': False, 'complex': False},
               'history': {'query': {'simple': False, 'complex': False}}},
    'events': {'query': {'simple': False}},
}


def flatten(capabilities):
    return dict(utils.recursive_keypairs(capabilities))


class Capabilities(base.Base):
    """API and storage capabilities, as flattened ``a:b:c`` keys."""

    api = {wtypes.text: bool}
    "A flattened dictionary of API capabilities"

    storage = {wtypes.text: bool}
    "A flattened dictionary of storage capabilities"

    alarm_storage = {wtypes.text: bool}
    "A flattened dictionary of alarm storage capabilities"

    event_storage = {wtypes.text: bool}
    "A flattened dictionary of event storage capabilities"

    @classmethod
    def sample(cls):
        return cls(api=flatten({'samples': {'query': {'complex': True}}}),
                   storage=flatten({'storage': {'production_ready': True}}),
                   alarm_storage=flatten({'storage': {
                       'production_ready': True}}),
                   event_storage=flatten({'storage': {
                       'production_ready': False}}))


class CapabilitiesController(rest.RestController):
    """Manages capabilities queries."""

    @wsme_pecan.wsexpose(Capabilities)
    def get(self):
        """Return a flattened dictionary of API capabilities.

        The features depend on the storage driver in use.
        """
        conn = pecan.request.storage_conn
        alarm_conn = pecan.request.alarm_storage_conn
        api = utils.update_nested(API_CAPABILITIES, conn.get_capabilities())
        event_conn = pecan.request.event_storage_conn
        api = utils.update_nested(api, alarm_conn.get_capabilities())
        api = utils.update_nested(api, event_conn.get_capabilities())
        return Capabilities(
            api=flatten(api),
            storage=flatten(conn.get_storage_capabilities()),
            alarm_storage=flatten(alarm_conn.get_storage_capabilities()),
            event_storage=flatten(event_conn.get_storage_capabilities()))
