"""Which Kwapi endpoints an agent polls.

Stock Ceilometer only polled the Kwapi of its own region; an agent at the
cascading level polls every region's (``[kwapi] all_regions``). Operators
without Kwapi in the catalog list endpoints statically. Each endpoint keeps
its region so that samples can say where the probe is.
"""

import collections


class KwapiEndpoint(collections.namedtuple('KwapiEndpoint',
                                           ['url', 'region'])):
    """One Kwapi API (a polling resource); ``region`` may be None."""

    def __str__(self):
        # Resource partitioning hashes str(resource): the URL identifies it.
        return self.url


def parse_static(entries):
    """Endpoints from ``[kwapi] endpoints``: ``URL`` or ``REGION:URL``."""
    endpoints = []
    for entry in entries:
        entry = entry.strip()
        if not entry:
            continue
        region, sep, rest = entry.partition(':')
        if sep and '://' in rest:
            endpoints.append(KwapiEndpoint(rest, region or None))
        else:
            endpoints.append(KwapiEndpoint(entry, None))
    return endpoints


def from_catalog(catalog, service_type, interface, region_name=None):
    """Endpoints of ``service_type`` in a keystoneauth service catalog.

    :param region_name: only this region; None for every region.
    """
    found = catalog.get_endpoints(service_type=service_type,
                                  interface=interface,
                                  region_name=region_name)
    endpoints = []
    for endpoint in found.get(service_type, []):
        url = endpoint.get('url') or endpoint.get(
            '%sURL' % (interface or 'public').replace('URL', ''))
        if not url:
            continue
        region = endpoint.get('region_id') or endpoint.get('region')
        item = KwapiEndpoint(url, region)
        if item not in endpoints:
            endpoints.append(item)
    return endpoints
