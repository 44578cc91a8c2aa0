"""/v2/meters in cascading mode: meters from the map, samples and
statistics from the regions, registration of resources by POST."""

import datetime

import pecan
from pecan import rest
import wsme
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api.controllers.v2 import cascading
from ceilometer_proxy.api.controllers.v2 import meters as local
from ceilometer_proxy.api.controllers.v2 import utils as v2_utils
from ceilometer_proxy.api import rbac
from ceilometer_proxy.cascading import inventory
from ceilometer_proxy.cascading import metering
from ceilometer_proxy.cascading import region_inventory
from ceilometer_proxy import utils


class MeterController(rest.RestController):
    """Samples and statistics of one meter, from the regions."""

    _custom_actions = {'statistics': ['GET']}

    def __init__(self, meter_name):
        pecan.request.context['meter_name'] = meter_name
        self.meter_name = meter_name

    @wsme_pecan.wsexpose([local.OldSample], [base.Query], int)
    @cascading.translate_errors
    def get_all(self, q=None, limit=None):
        """Samples of the meter, newest first, from the regions."""
        rbac.enforce('get_samples', pecan.request)
        # Scoped here, not only by the region: with a service token the
        # region would answer for every project.
        q = v2_utils.sanitize_query(q or [])
        limit = base.positive_limit(limit, pecan.request.cfg)
        v2_utils.validate_query(q, v2_utils.SAMPLE_KEYS)
        found = metering.get_samples(cascading.context(), self.meter_name,
                                     cascading.terms(q), limit)
        return [local.OldSample(**_known(local.OldSample, s))
                for s in found]

    @wsme_pecan.wsexpose([local.OldSample], str, body=[local.OldSample],
                         status_code=201)
    @cascading.translate_errors
    def post(self, direct='', samples=None):
        """Register (or, with empty resource_metadata, unregister) the
        resources the samples name. The samples are not stored."""
        rbac.enforce('create_samples', pecan.request)
        if not samples:
            raise base.ClientSideError(
                'Samples should be included in request body')
        ctx = cascading.context()
        registrations = []
        for s in samples:
            s.timestamp = utils.to_millis(
                utils.naive_utc(s.timestamp or utils.utcnow()))
            registrations.append({
                'resource_id': s.resource_id,
                'user_id': _given(s.user_id),
                'project_id': _given(s.project_id),
                'source': s.source, 'timestamp': s.timestamp,
                'metadata': utils.restore_nesting(
                    s.resource_metadata or {}, separator='.')})
        inventory.register(ctx, pecan.request.storage_conn.types,
                           registrations)
        return samples

    @wsme_pecan.wsexpose([local.Statistics], [base.Query], [wtypes.text],
                         int, [local.Aggregate])
    @cascading.translate_errors
    def statistics(self, q=None, groupby=None, period=None, aggregate=None):
        """Statistics of the meter, merged across regions when needed."""
        rbac.enforce('compute_statistics', pecan.request)
        q = v2_utils.sanitize_query(q or [])
        if period is not None and period < 0:
            raise base.ClientSideError('Period must be positive.')
        kwargs = v2_utils.query_to_kwargs(q, v2_utils.SAMPLE_KEYS)
        groups = local.validate_groupby(groupby or [])
        aggregates = [(a.func, a.param)
                      for a in local.validate_aggregates(aggregate or [])]
        start, end = v2_utils.requested_range(q)
        if period:
            try:
                datetime.timedelta(seconds=period)
                if kwargs.get('start_timestamp'):
                    kwargs['start_timestamp'] + datetime.timedelta(
                        seconds=period)
            except OverflowError as err:
                raise base.ClientSideError(
                    'Invalid period %s: %s' % (period, err))
        computed = metering.statistics(
            cascading.context(), self.meter_name, cascading.terms(q),
            groups, period, aggregates)
        return [local.Statistics(start_timestamp=start, end_timestamp=end,
                                 **_known(local.Statistics, c))
                for c in computed]


def _given(value):
    return None if value is wsme.Unset else value


def _known(wtype, values):
    """The keys of a region's answer the WSME type has (a newer region
    may send more)."""
    names = {a.name for a in wtype._wsme_attributes}
    return {k: v for k, v in values.items() if k in names}


class MetersController(rest.RestController):
    """Meters of the registered resources (from type2meters.json), or of
    what the regions hold."""

    @pecan.expose()
    def _lookup(self, meter_name, *remainder):
        return MeterController(meter_name), remainder

    @wsme_pecan.wsexpose([local.Meter], [base.Query], int)
    @cascading.translate_errors
    def get_all(self, q=None, limit=None):
        """Meters of every resource the caller may see."""
        rbac.enforce('get_meters', pecan.request)
        q = q or []
        limit = base.positive_limit(limit, pecan.request.cfg)
        v2_utils.validate_query(q, v2_utils.METER_KEYS,
                                allow_timestamps=False)
        ctx = cascading.context()
        if ctx.conf.cascading.resource_source == 'regions':
            return [local.Meter(**_known(local.Meter, m)) for m in
                    region_inventory.list_meters(ctx, cascading.terms(q),
                                                 limit)]
        return [local.Meter(**m) for m in inventory.list_meters(
            ctx, pecan.request.storage_conn.types, cascading.terms(q),
            limit)]
