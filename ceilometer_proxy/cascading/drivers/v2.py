"""The v2 driver: a region running a Ceilometer v2 API.

That is this project in local mode (what a cascaded region runs) or any
other Ceilometer v2 API. Questions are sent as they were asked, with the
caller's identity (its token, or the service's, per ``[cascading]
forward_user_token``); answers come back as the region gave them, with
their timestamps parsed.
"""

from ceilometer_proxy.cascading import client as region_client
from ceilometer_proxy.cascading.drivers import base
from ceilometer_proxy.cascading.drivers import v2_api
from ceilometer_proxy.cascading import errors
from ceilometer_proxy.cascading import merge
from ceilometer_proxy.cascading import regions

SAMPLE_TIMES = ('timestamp', 'recorded_at')
RESOURCE_TIMES = ('first_sample_timestamp', 'last_sample_timestamp')


def aggregate_params(aggregates):
    """``aggregate.func``/``aggregate.param`` lists of (func, param)
    pairs (the params only when one is set)."""
    funcs = [func for func, _param in aggregates]
    params = [param or '' for _func, param in aggregates]
    if not funcs:
        return {}
    if any(params):
        return {'aggregate.func': funcs, 'aggregate.param': params}
    return {'aggregate.func': funcs}


class V2Driver(v2_api.AlarmMethods, base.RegionDriver):
    """A region whose ``metering`` endpoint is a Ceilometer v2 API."""

    name = 'v2'
    passes_bytes = True

    def __init__(self, region, registry, conf):
        super().__init__(region, registry, conf)
        self.client = region_client.RegionClient(region, registry, conf,
                                                 regions.METERING)
        self.alarm_api = v2_api.AlarmApi(self.client, self.headers)

    def close(self):
        self.client.close()

    def headers(self, caller):
        return caller.forward_headers(self.conf)

    def _get(self, caller, path, params=None):
        return self.client.request('GET', path, self.headers(caller),
                                   params=params)

    # -- metering -----------------------------------------------------------

    def samples(self, caller, meter, query, limit):
        path = ('/v2/meters/%s' % v2_api.quoted(meter) if meter
                else '/v2/samples')
        samples = self._get(caller, path,
                            v2_api.query_params(query, limit=limit)) or []
        return [merge.parse_times(s, SAMPLE_TIMES) for s in samples]

    def sample(self, caller, sample_id):
        try:
            sample = self._get(caller,
                               '/v2/samples/' + v2_api.quoted(sample_id))
        except errors.RegionHTTPError as err:
            if err.status == 404:
                return None
            raise
        return merge.parse_times(sample, SAMPLE_TIMES) if sample else None

    def statistics(self, caller, meter, query, period, groupby, aggregates):
        params = v2_api.query_params(query, groupby=list(groupby) or None,
                                     period=period or None,
                                     **aggregate_params(aggregates))
        stats = self._get(caller, '/v2/meters/%s/statistics'
                          % v2_api.quoted(meter), params) or []
        return [merge.parse_times(s, merge.STAT_TIMES) for s in stats]

    def raw_samples(self, caller, meter, query, limit):
        return self._raw(caller, '/v2/meters/%s' % v2_api.quoted(meter),
                         v2_api.query_params(query, limit=limit))

    def raw_statistics(self, caller, meter, query, params):
        return self._raw(caller, '/v2/meters/%s/statistics'
                         % v2_api.quoted(meter),
                         v2_api.query_params(query) + list(params))

    def _raw(self, caller, path, params):
        return self.client.forward('GET', path, self.headers(caller),
                                   region_client.encode_params(params)
                                   ).content

    def resources(self, caller, query, limit):
        found = self._get(caller, '/v2/resources', v2_api.query_params(
            query, limit=limit)) or []
        return [self._resource(r) for r in found]

    @staticmethod
    def _resource(found):
        """A region's resource, its meters named from its links."""
        links = found.pop('links', None) or []
        found['meter_names'] = [link['rel'] for link in links
                                if link.get('rel') != 'self']
        return merge.parse_times(found, RESOURCE_TIMES)

    def resource(self, caller, resource_id):
        try:
            found = self._get(caller,
                              '/v2/resources/' + v2_api.quoted(resource_id))
        except errors.RegionHTTPError as err:
            if err.status == 404:
                return None
            raise
        return self._resource(found) if found else None

    def meters(self, caller, query, limit):
        return self._get(caller, '/v2/meters',
                         v2_api.query_params(query, limit=limit)) or []

    # -- events -------------------------------------------------------------

    def _events_get(self, caller, path, params=None):
        """A GET of the events API; a region without one (404 where the
        API would answer a list) cannot answer."""
        try:
            return self._get(caller, path, params) or []
        except errors.RegionHTTPError as err:
            if err.status == 404:
                raise errors.RegionCannotAnswer(self.region,
                                                'it has no events API')
            raise

    def events(self, caller, query, limit):
        return self._events_get(caller, '/v2/events',
                                v2_api.query_params(query, limit=limit))

    def event_types(self, caller):
        return self._events_get(caller, '/v2/event_types')

    def trait_descriptions(self, caller, event_type):
        return self._events_get(caller, '/v2/event_types/%s/traits'
                                % v2_api.quoted(event_type))

    def trait_values(self, caller, event_type, trait_name):
        return self._events_get(caller, '/v2/event_types/%s/traits/%s'
                                % (v2_api.quoted(event_type),
                                   v2_api.quoted(trait_name)))
