"""GnocchiDriver: v2 questions answered by a region's Gnocchi and Aodh."""

import base64
import datetime

from oslo_log import log

from ceilometer_proxy.cascading import client as region_client
from ceilometer_proxy.cascading.drivers import base
from ceilometer_proxy.cascading.drivers import gnocchi
from ceilometer_proxy.cascading.drivers.gnocchi import aggregation
from ceilometer_proxy.cascading.drivers.gnocchi import aodh
from ceilometer_proxy.cascading.drivers.gnocchi import indexer
from ceilometer_proxy.cascading.drivers.gnocchi import search
from ceilometer_proxy.cascading.drivers import v2_api
from ceilometer_proxy.cascading import errors
from ceilometer_proxy.cascading import regions
from ceilometer_proxy import query_values
from ceilometer_proxy import utils

LOG = log.getLogger(__name__)

PAGE = 1000
NO_SAMPLES = ('Gnocchi keeps aggregates, not raw samples: ask for '
              'statistics of the meter instead')
AODH_ROLE = 'admin'


def _iso(moment):
    return None if moment is None else moment.isoformat() + '+00:00'


def _days(secs):
    return ('%g days' % (secs / 86400.0) if secs >= 86400
            else '%g s' % secs)


class _UnknownMetrics(Exception):
    """Gnocchi no longer has metrics the driver read the ids of."""


def _buckets(by_method):
    """{bucket start: {method: value}} of Gnocchi's {method: [[timestamp,
    granularity, value], ...]}."""
    buckets = {}
    for method, rows in by_method.items():
        for moment, _granularity, value in rows:
            bucket = query_values.parse_timestamp(moment)
            buckets.setdefault(bucket, {})[method] = value
    return buckets


def basic_authorization(user):
    token = base64.b64encode(('%s:' % user).encode('utf-8')).decode('ascii')
    return 'Basic ' + token


class GnocchiDriver(v2_api.AlarmMethods, base.RegionDriver):
    """A region whose ``metric`` endpoint is Gnocchi (and ``alarming``,
    when it has one, Aodh)."""

    name = 'gnocchi'
    aligned_periods = True

    def __init__(self, region, registry, conf):
        super().__init__(region, registry, conf)
        if gnocchi.GROUP not in conf:
            conf.register_opts(gnocchi.OPTS, group=gnocchi.GROUP)
        self.metric = region_client.RegionClient(region, registry, conf,
                                                 regions.METRIC)
        self.alarming = region_client.RegionClient(region, registry, conf,
                                                   regions.ALARMING)
        self.alarm_api = v2_api.AlarmApi(self.alarming, self.aodh_headers)
        self.indexer = indexer.Indexer(self._get, conf.gnocchi.cache_ttl)

    def close(self):
        self.metric.close()
        self.alarming.close()

    @property
    def label(self):
        return 'Region %s (Gnocchi)' % self.region

    # -- identity -----------------------------------------------------------

    def auth_mode(self):
        options = self.registry.spec(self.region).options
        mode = options.get('auth_mode') or self.conf.gnocchi.auth_mode
        if mode:
            return mode
        return 'keystone' if self.conf.api.auth_mode == 'keystone' \
            else 'basic'

    def _token_headers(self, caller):
        headers = caller.forward_headers(self.conf)
        return {'X-Auth-Token': headers['X-Auth-Token']} \
            if 'X-Auth-Token' in headers else {}

    def gnocchi_headers(self, caller):
        if self.auth_mode() == 'basic':
            return {'Authorization': basic_authorization(
                self.conf.gnocchi.basic_user)}
        return self._token_headers(caller)

    def aodh_headers(self, caller):
        """Aodh's noauth mode refuses members its default policy would let
        in with Keystone's implied roles, and scopes their Gnocchi queries
        by creator: the cascading level scopes callers itself, so it calls
        as an administrator in the caller's name."""
        if self.auth_mode() == 'basic':
            return {'X-User-Id': caller.user_id or 'ceilometer-proxy',
                    'X-Project-Id': caller.project_id or '',
                    'X-Roles': AODH_ROLE}
        return self._token_headers(caller)

    def _get(self, caller, path, params=None):
        return self.metric.request('GET', path, self.gnocchi_headers(caller),
                                   params=params)

    def _post(self, caller, path, body, params=None):
        return self.metric.request('POST', path,
                                   self.gnocchi_headers(caller),
                                   params=params, body=body)

    def _refused(self, what):
        return errors.InvalidRequest('%s %s' % (self.label, what))

    # -- resources ------------------------------------------------------------

    def _scope(self, caller):
        return None if caller.is_admin else caller.project_id

    def _translate(self, caller, query, times, project=None):
        return search.translate(self.region, query,
                                self.indexer.resource_types(caller),
                                project=project or self._scope(caller),
                                times=times)

    def _search(self, caller, found, limit=None, details=False):
        """Resources of a Search, every page (or ``limit`` of them)."""
        single = found.single_resource()
        if single is not None:
            doc = self.indexer.resource(caller, single)
            if doc is None or (found.project is not None and
                               doc.get('project_id') != found.project):
                return []
            if not details or doc.get('type') == search.GENERIC:
                return [doc]
        out, marker = [], None
        while True:
            page = min(PAGE, limit - len(out)) if limit else PAGE
            params = [('limit', page), ('sort', 'original_resource_id:asc'),
                      ('sort', 'id:asc')]
            if details:
                params.append(('details', 'true'))
            if marker:
                params.append(('marker', marker))
            docs = self._post(caller, '/v1/search/resource/%s'
                              % found.resource_type, found.body,
                              params) or []
            out.extend(docs)
            if len(docs) < page or (limit and len(out) >= limit):
                return out
            marker = docs[-1]['id']

    def resources(self, caller, query, limit):
        found = self._translate(caller, query, times=False)
        return [self._v2_resource(doc)
                for doc in self._search(caller, found, limit, details=True)]

    def resource(self, caller, resource_id):
        doc = self.indexer.resource(caller, resource_id)
        scope = self._scope(caller)
        if doc is None or (scope is not None and
                           doc.get('project_id') != scope):
            return None
        if doc.get('type') != search.GENERIC:
            doc = self._get(caller, '/v1/resource/%s/%s' % (
                v2_api.quoted(doc['type']), v2_api.quoted(doc['id'])))
        return self._v2_resource(doc)

    @staticmethod
    def _v2_resource(doc):
        """A Gnocchi resource in the v2 shape: the attributes of its type
        are its metadata; sample times are not kept (None), nor a source
        (an empty one: clients sort resources by it)."""
        metadata = {k: v for k, v in doc.items()
                    if k not in search.GENERIC_ATTRIBUTES and v is not None}
        return {'resource_id': doc.get('original_resource_id') or doc['id'],
                'project_id': doc.get('project_id'),
                'user_id': doc.get('user_id'), 'source': '',
                'first_sample_timestamp': None,
                'last_sample_timestamp': None, 'metadata': metadata,
                'meter_names': sorted(doc.get('metrics') or {})}

    def meters(self, caller, query, limit):
        """One meter per metric. Gnocchi aggregates every metric's values
        as they are, as v2 does a gauge's: the type shown is ``gauge``; a
        metric without a unit shows an empty one (clients sort by it)."""
        found = self._translate(caller, query, times=False)
        out = []
        for doc in self._search(caller, found):
            for name, metric_id in sorted((doc.get('metrics') or {}).items()):
                _policy, unit = self.indexer.metric(caller, metric_id)
                out.append({'name': name, 'type': 'gauge', 'unit': unit or '',
                            'resource_id': doc.get('original_resource_id'),
                            'project_id': doc.get('project_id'),
                            'user_id': doc.get('user_id'), 'source': ''})
                if limit and len(out) >= limit:
                    return out
        return out

    # -- samples --------------------------------------------------------------

    def samples(self, caller, meter, query, limit):
        raise errors.RegionCannotAnswer(self.region, NO_SAMPLES)

    def sample(self, caller, sample_id):
        return None  # it keeps none, so it has not this one

    # -- statistics -----------------------------------------------------------

    def statistics(self, caller, meter, query, period, groupby, aggregates):
        for field in groupby:
            if field not in aggregation.GROUP_ATTRIBUTES:
                raise self._refused(
                    'cannot group by %s: only by %s' % (field, ', '.join(
                        sorted(aggregation.GROUP_ATTRIBUTES))))
        found = self._translate(caller, query, times=True)
        gathered = None
        if found.single_resource() is None:
            gathered = self._gather_by_search(caller, meter, found, period,
                                              aggregates)
        if gathered is None:
            gathered = self._gather_by_ids(caller, meter, found, period,
                                           aggregates)
        metrics, infos, points, granularity = gathered
        if not metrics:
            return []
        self._check_retention(caller, meter, infos, granularity, found)
        series = [(doc, infos[m][1], points.get(m, {})) for doc, m in metrics]
        try:
            return aggregation.statistics(series, granularity, period,
                                          found.start, groupby, aggregates)
        except aggregation.NotExact as err:
            raise self._refused('cannot answer exactly: %s' % err)

    def _gather_by_ids(self, caller, meter, found, period, aggregates,
                       retry=True):
        """(metrics, infos, points, granularity): the resources first (a
        lone resource from the cache), then their metrics by id."""
        metrics = [(doc, doc['metrics'][meter])
                   for doc in self._search(caller, found)
                   if meter in (doc.get('metrics') or {})]
        if not metrics:
            return [], {}, {}, None
        infos = {m: self.indexer.metric(caller, m) for _doc, m in metrics}
        policies = [policy for policy, _unit in infos.values()]
        self.indexer.saw_policies(meter, [p.name for p in policies])
        granularity, methods = self._plan(meter, policies, period, found,
                                          aggregates)
        try:
            points = self._read(caller, list(infos), methods, granularity,
                                found.start, found.stop)
        except _UnknownMetrics:
            if not retry:
                raise self._refused('lost the metrics of %s while it was '
                                    'read; ask again' % meter)
            # A cached resource was deleted and made again (new metrics).
            for doc, _metric in metrics:
                self.indexer.forget_resource(doc.get('original_resource_id'))
            return self._gather_by_ids(caller, meter, found, period,
                                       aggregates, retry=False)
        return metrics, infos, points, granularity

    def _gather_by_search(self, caller, meter, found, period, aggregates):
        """The same in one call, planned from the archive policies this
        meter's metrics had last time; None when they are not known yet or
        a metric of another policy got in the way (then by ids)."""
        names = self.indexer.policies_seen(meter)
        policies = [self.indexer.policy(caller, n) for n in names or ()]
        if not policies or None in policies:
            return None
        try:
            granularity, methods = self._plan(meter, policies, period,
                                              found, aggregates)
        except errors.InvalidRequest:
            return None  # what this query's own metrics keep may do
        params = self._bounds(granularity, found.start, found.stop)
        params.append(('details', 'true'))
        body = {'resource_type': found.resource_type, 'search': found.body,
                'operations': ['metric'] + [[meter, m]
                                            for m in sorted(methods)]}
        try:
            answer = self._post(caller, '/v1/aggregates', body, params) or {}
        except errors.RegionHTTPError as err:
            if err.status == 404 and 'does not exist' in (err.faultstring
                                                          or ''):
                return [], {}, {}, None  # no resource has the metric
            return None
        metrics = [(doc, doc['metrics'][meter])
                   for doc in answer.get('references') or []
                   if meter in (doc.get('metrics') or {})]
        infos = {m: self.indexer.metric(caller, m) for _doc, m in metrics}
        self.indexer.saw_policies(meter, [p.name for p, _u in infos.values()])
        measures = answer.get('measures') or {}
        points = {metric_id: _buckets(measures.get(doc['id'], {}).get(
            meter, {})) for doc, metric_id in metrics}
        return metrics, infos, points, granularity

    def _plan(self, meter, policies, period, found, aggregates):
        """(granularity, methods) every metric's policy keeps and that
        answer exactly."""
        kept = frozenset.intersection(*[p.methods for p in policies])
        try:
            methods = aggregation.methods_for(aggregates, kept, meter)
        except aggregation.NotExact as err:
            raise self._refused('cannot answer exactly: %s' % err)
        common = set.intersection(*[set(p.granularities) for p in policies])
        granularity = aggregation.choose_granularity(
            common, period, found.start, found.stop)
        if granularity is None:
            kept_text = ', '.join('%g s' % g for g in sorted(common)) or \
                'no common granularity'
            asked = ('period %s' % period if period else 'no period')
            bounds = ', '.join('%s %s' % (name, moment.isoformat())
                               for name, moment in (('start', found.start),
                                                    ('end', found.stop))
                               if moment is not None)
            raise self._refused(
                'keeps granularity %s for %s; %s%s is not available (a '
                'period must be a multiple of a kept granularity, and '
                'its start and end on its boundaries)'
                % (kept_text, meter, asked,
                   ' with ' + bounds if bounds else ''))
        return granularity, methods

    @staticmethod
    def _bounds(granularity, start, stop):
        params = [('granularity', '%g' % granularity)]
        bounds = (('start', start), ('stop', stop))
        params += [(k, _iso(v)) for k, v in bounds if v]
        return params

    def _read(self, caller, metric_ids, methods, granularity, start, stop):
        """{metric id: {bucket start: {method: value}}} at a granularity."""
        operations = ['metric'] + [[m, method] for m in metric_ids
                                   for method in sorted(methods)]
        try:
            answer = self._post(caller, '/v1/aggregates',
                                {'operations': operations},
                                self._bounds(granularity, start, stop)) or {}
        except errors.RegionHTTPError as err:
            if 'Unknown metrics' in (err.faultstring or ''):
                raise _UnknownMetrics()
            raise self._refused('refused the read: %s' % err.faultstring)
        return {metric_id: _buckets(by_method) for metric_id, by_method in
                (answer.get('measures') or {}).items()}

    def _check_retention(self, caller, meter, infos, granularity, found):
        """Refuse when a granularity has dropped measures that a coarser
        one of the same metric still holds (it is kept for its own
        timespan only): the numbers would silently miss them.

        Only a range reaching back past what the granularity surely keeps
        is checked: both series' counts (or, without a count method, their
        buckets) are read from the coarse bucket holding the start, so the
        coarse buckets compare whole."""
        now = utils.utcnow()
        checks = {}
        for metric_id, (policy, _unit) in infos.items():
            timespan = policy.timespans[granularity]
            coarse = policy.longest_kept()
            safe_from = now - datetime.timedelta(seconds=timespan -
                                                 granularity)
            if coarse == granularity or policy.timespans[coarse] <= timespan:
                continue
            if found.start is not None and found.start >= safe_from:
                continue
            method = 'count' if 'count' in policy.methods else min(
                policy.methods)
            checks.setdefault((coarse, method), []).append(metric_id)
        for (coarse, method), metric_ids in checks.items():
            start = found.start and utils.floor_to_period(found.start,
                                                          coarse)
            held = self._read(caller, metric_ids, {method}, coarse, start,
                              found.stop)
            fine = self._read(caller, metric_ids, {method}, granularity,
                              start, found.stop)
            for metric_id in metric_ids:
                if aggregation.truncated(fine.get(metric_id, {}),
                                         held.get(metric_id, {}), coarse):
                    timespan = infos[metric_id][0].timespans[granularity]
                    raise self._refused(
                        'keeps granularity %g s of %s for %s only, and '
                        'older measures of it are kept at %g s: start '
                        'the query after %s, or ask for a period that '
                        'is a multiple of %g' % (
                            granularity, meter, _days(timespan), coarse,
                            (now - datetime.timedelta(
                                seconds=timespan)).isoformat(), coarse))

    # -- alarms ---------------------------------------------------------------

    def _aodh(self, caller, alarm):
        if alarm['type'] == 'threshold':
            self._check_alarm_rule(caller, alarm)

        def translate(query):
            owner = None if caller.is_admin else alarm.get('project_id')
            return self._translate(caller, query, times=False,
                                   project=owner)

        def sub_rule(alarm_id):
            sub = self.alarm_api.get(caller, alarm_id)
            return sub['type'], sub.get('%s_rule' % sub['type'])

        return aodh.to_aodh(self.region, alarm, translate, sub_rule)

    def _check_alarm_rule(self, caller, alarm):
        """The rule's period must be a granularity, and its statistic a
        method, of the metric's policy (when a metric it names exists)."""
        rule = alarm['rule']
        meter = rule['meter_name']
        resource_id = aodh._single_resource(rule.get('query') or [])
        if resource_id is None:
            return  # resources it matches may not exist yet (Heat)
        doc = self.indexer.resource(caller, resource_id)
        metric_id = (doc or {}).get('metrics', {}).get(meter)
        if metric_id is None:
            return
        policy, _unit = self.indexer.metric(caller, metric_id)
        period = rule.get('period', 60)
        if period not in policy.timespans:
            raise self._refused(
                'keeps granularity %s for %s; period %s is not available' % (
                    ', '.join('%g s' % g for g in policy.granularities),
                    meter, period))
        method = aodh.TO_METHOD[rule.get('statistic', 'avg')]
        if method not in policy.methods:
            raise self._refused('keeps no %s aggregates of %s (policy %s)'
                                % (method, meter, policy.name))

    def alarm_to_body(self, caller, alarm):
        return v2_api.alarm_body(self._aodh(caller, alarm))

    def alarm_of_body(self, body):
        return aodh.from_aodh(v2_api.alarm_from_body(body))

    def list_alarms(self, caller, query):
        """Aodh lists by name, project, user, state ... but not by id: a
        list of one id is a read of it; an administrator's list without a
        project asks for every project (Aodh scopes even admins)."""
        ids = [t['value'] for t in query if t['field'] == 'alarm_id']
        if ids:
            try:
                return [self.get_alarm(caller, ids[0])]
            except errors.RegionHTTPError as err:
                if err.status == 404:
                    return []
                raise
        query = list(query)
        if caller.is_admin and not any(t['field'] == 'project_id'
                                       for t in query):
            query.append({'field': 'all_projects', 'op': 'eq',
                          'value': 'true', 'type': ''})
        return super().list_alarms(caller, query)

    def alarm_detail_shown(self, detail):
        return aodh.rule_of_detail(detail)
