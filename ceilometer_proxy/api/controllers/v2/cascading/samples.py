"""/v2/samples in cascading mode: samples from the regions."""

import pecan
from pecan import rest
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api.controllers.v2 import cascading
from ceilometer_proxy.api.controllers.v2 import samples as local
from ceilometer_proxy.api.controllers.v2 import utils as v2_utils
from ceilometer_proxy.api import rbac
from ceilometer_proxy.cascading import metering


def _sample(values):
    names = {a.name for a in local.Sample._wsme_attributes}
    return local.Sample(**{k: v for k, v in values.items() if k in names})


class SamplesController(rest.RestController):
    """Samples of every region, merged newest first."""

    @wsme_pecan.wsexpose([local.Sample], [base.Query], int)
    @cascading.translate_errors
    def get_all(self, q=None, limit=None):
        """Samples matching the query, from the regions it concerns."""
        rbac.enforce('get_samples', pecan.request)
        # Scoped here, not only by the region: with a service token the
        # region would answer for every project.
        q = v2_utils.sanitize_query(q or [])
        limit = base.positive_limit(limit, pecan.request.cfg)
        v2_utils.validate_query(q, v2_utils.SAMPLE_KEYS)
        return [_sample(s) for s in metering.get_samples(
            cascading.context(), None, cascading.terms(q), limit)]

    @wsme_pecan.wsexpose(local.Sample, wtypes.text)
    @cascading.translate_errors
    def get_one(self, sample_id):
        """One sample, from whichever region holds it."""
        rbac.enforce('get_sample', pecan.request)
        found = metering.get_sample(cascading.context(), sample_id)
        if found is None:
            raise base.EntityNotFound('Sample', sample_id)
        return _sample(found)
