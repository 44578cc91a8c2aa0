"""What one API request of cascading mode carries.

The CascadingHook builds a CascadingContext per request: the caller, the
regions and the resource map, plus the regions a fan-out had to leave out
under ``partial_results = true`` (the hook lists them in the
X-Cascading-Missing-Regions response header).
"""

from ceilometer_proxy.cascading import fanout

MISSING_REGIONS_HEADER = 'X-Cascading-Missing-Regions'


class CascadingContext(object):
    """Per-request state of cascading mode.

    :param conf: the service's ConfigOpts.
    :param caller: the Caller of the request.
    :param regions: the Regions object of the API.
    :param resource_map: the ResourceMap of the API.
    """

    def __init__(self, conf, caller, regions, resource_map):
        self.conf = conf
        self.caller = caller
        self.regions = regions
        self.resource_map = resource_map
        self.missing_regions = []

    def driver(self, region):
        """The region driver of a region."""
        return self.regions.driver(region)

    def fan_out(self, names, fn):
        """fan_out + settle: {region: result} of the regions that answered;
        the ones left out are added to missing_regions."""
        outcome = fanout.fan_out(names, fn, self.conf)
        self.add_missing(outcome.settle(self.conf))
        return outcome.results

    def add_missing(self, names):
        for name in names:
            if name not in self.missing_regions:
                self.missing_regions.append(name)
        self.missing_regions.sort()
