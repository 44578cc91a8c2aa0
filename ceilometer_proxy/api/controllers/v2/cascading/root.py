"""/v2 in cascading mode."""

from ceilometer_proxy.api.controllers.v2.cascading import alarms
from ceilometer_proxy.api.controllers.v2.cascading import capabilities
from ceilometer_proxy.api.controllers.v2.cascading import meters
from ceilometer_proxy.api.controllers.v2.cascading import regions
from ceilometer_proxy.api.controllers.v2.cascading import resources
from ceilometer_proxy.api.controllers.v2.cascading import samples
from ceilometer_proxy.api.controllers.v2.cascading import query
from ceilometer_proxy.api.controllers.v2 import events as event_controllers


class CascadingV2Controller(object):
    """Version 2 API root of cascading mode."""

    resources = resources.ResourcesController()
    meters = meters.MetersController()
    samples = samples.SamplesController()
    query = query.QueryController()
    capabilities = capabilities.CapabilitiesController()
    alarms = alarms.CascadingAlarmsController()
    events = event_controllers.EventsController()
    regions = regions.RegionsController()
    event_types = event_controllers.EventTypesController()
