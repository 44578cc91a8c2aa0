"""The API root: version discovery and /v2."""

import pecan

from ceilometer_proxy.api.controllers.v2.cascading import root as cascading
from ceilometer_proxy.api.controllers.v2 import root as v2

MEDIA_TYPES = [{'base': 'application/json',
                'type': 'application/vnd.openstack.telemetry-v2+json'},
               {'base': 'application/xml',
                'type': 'application/vnd.openstack.telemetry-v2+xml'}]


class RootController(object):
    """Answers ``GET /`` with the versions document clients probe for."""

    v2 = v2.V2Controller()

    @pecan.expose(generic=True, template='json')
    def index(self):
        base_url = pecan.request.application_url
        return {'versions': {'values': [{
            'id': 'v2',
            'status': 'stable',
            'updated': '2013-02-13T00:00:00Z',
            'media-types': MEDIA_TYPES,
            'links': [{'href': base_url + '/v2', 'rel': 'self'},
                      {'href': 'https://docs.openstack.org/',
                       'rel': 'describedby', 'type': 'text/html'}],
        }]}}


class CascadingRootController(RootController):
    """The same root in cascading mode: /v2 proxies to the regions."""

    v2 = cascading.CascadingV2Controller()
