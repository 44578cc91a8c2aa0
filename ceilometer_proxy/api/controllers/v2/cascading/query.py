"""/v2/query in cascading mode.

Complex sample queries name resources inside free-form filter trees, which
the cascading level cannot route or translate, so they are refused with a
400 rather than answered wrongly; the simple queries of /v2/samples and
/v2/meters cover the same ground. Complex alarm queries are answered from
the cascading alarm table, as local mode answers them from its store.
"""

from pecan import rest
import wsmeext.pecan as wsme_pecan

from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api.controllers.v2 import query as local
from ceilometer_proxy.api.controllers.v2 import samples


class QuerySamplesController(rest.RestController):
    """Refuses complex sample queries."""

    @wsme_pecan.wsexpose([samples.Sample], body=local.ComplexQuery)
    def post(self, body):
        raise base.ClientSideError(
            'Complex sample queries are not available in cascading mode; '
            'use /v2/samples or /v2/meters/<meter> with q filters')


class QueryController(rest.RestController):
    """/v2/query of cascading mode."""

    samples = QuerySamplesController()
    alarms = local.QueryAlarmsController()
