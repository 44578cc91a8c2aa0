"""/v2: one sub-controller per resource."""

from ceilometer_proxy.api.controllers.v2 import alarms
from ceilometer_proxy.api.controllers.v2 import capabilities
from ceilometer_proxy.api.controllers.v2 import events as event_controllers
from ceilometer_proxy.api.controllers.v2 import meters
from ceilometer_proxy.api.controllers.v2 import query
from ceilometer_proxy.api.controllers.v2 import resources
from ceilometer_proxy.api.controllers.v2 import samples


class V2Controller(object):
    """Version 2 API controller root."""

    resources = resources.ResourcesController()
    meters = meters.MetersController()
    samples = samples.SamplesController()
    query = query.QueryController()
    capabilities = capabilities.CapabilitiesController()
    alarms = alarms.AlarmsController()
    events = event_controllers.EventsController()
    event_types = event_controllers.EventTypesController()
