"""Samples and statistics at the cascading level.

A question about one resource goes to that resource's region with the
resource id replaced by the id the region knows, and the answer's ids are
translated back. Any other question (a project, a metadata filter, an
admin's view) fans out to every region, or to those a ``metadata.region``
term names, and the answers are merged (merge.py). Each region is asked
through its region driver (drivers/), whatever it runs. Resources and
meters are answered from the resource map (inventory.py) or the regions
(region_inventory.py).

Queries are lists of ``{'field', 'op', 'value', 'type'}`` dicts already
validated by the API; every function takes the request's
CascadingContext.
"""

import datetime

from oslo_log import log

from ceilometer_proxy.cascading import errors
from ceilometer_proxy.cascading import merge
from ceilometer_proxy.cascading import region_pool
from ceilometer_proxy.cascading import resource_map as cascading_map
from ceilometer_proxy import utils

LOG = log.getLogger(__name__)

RESOURCE_FIELDS = ('resource_id', 'resource')
REGION_FIELDS = ('metadata.region', 'resource_metadata.region')

CAPABILITIES = {
    'meters': {'query': {'simple': True, 'metadata': True}},
    'resources': {'query': {'simple': True, 'metadata': True}},
    'samples': {'query': {'simple': True, 'metadata': True}},
    'statistics': {'groupby': True,
                   'query': {'simple': True, 'metadata': True},
                   'aggregation': {'standard': True,
                                   'selectable': {
                                       'max': True, 'min': True, 'sum': True,
                                       'avg': True, 'count': True,
                                       'stddev': True, 'cardinality': True}}},
}


class CascadingBackend(object):
    """What the API holds in cascading mode (``request.storage_conn``).

    :param conf: the service's ConfigOpts.
    """

    CAPABILITIES = CAPABILITIES

    def __init__(self, conf, regions=None, resource_map=None, types=None):
        self.conf = conf
        self.regions = regions or region_pool.Regions(conf)
        self.resource_map = resource_map or cascading_map.ResourceMap(conf)
        self.types = types or cascading_map.TypeCatalog(conf)

    def upgrade(self):
        self.resource_map.upgrade()

    def close(self):
        self.regions.close()
        self.resource_map.close()

    @classmethod
    def get_capabilities(cls):
        return cls.CAPABILITIES

    @staticmethod
    def get_storage_capabilities():
        return {'storage': {'production_ready': True}}


class Route(object):
    """Where a sample query goes and in what form.

    :ivar regions: region names to ask.
    :ivar query: the query to send (ids rewritten, region terms removed).
    :ivar row: the resource-map row when the query names one resource.
    """

    def __init__(self, regions, query, row=None):
        self.regions = regions
        self.query = query
        self.row = row


def visible_row(ctx, resource_id):
    """The map row of a resource the caller may see; UnknownResource if
    there is none (another project's resource looks the same)."""
    row = ctx.resource_map.get(resource_id)
    if row is None or not (ctx.caller.is_admin or
                           row['project_id'] == ctx.caller.project_id):
        raise errors.UnknownResource(resource_id)
    return row


def route(ctx, query):
    """The Route of a validated sample or statistics query.

    With ``[cascading] resource_source = regions`` a resource id the map
    does not hold is taken as an id some region knows: the query fans out
    with it, and each region answers for its own resources.
    """
    routing = RESOURCE_FIELDS + REGION_FIELDS
    rest = [t for t in query if t['field'] not in routing]
    named = [t for t in query if t['field'] in RESOURCE_FIELDS]
    wanted = {ctx.regions.resolve(t['value']) for t in query
              if t['field'] in REGION_FIELDS}
    regions = [] if len(wanted) > 1 else sorted(wanted) or ctx.regions.names()
    if named:
        if len({t['value'] for t in named}) > 1:
            return Route([], rest)
        try:
            row = visible_row(ctx, named[0]['value'])
        except errors.UnknownResource:
            if ctx.conf.cascading.resource_source != 'regions':
                raise
            term = dict(named[0], field='resource_id', op='eq')
            return Route(regions, rest + [term])
        term = {'field': 'resource_id', 'op': 'eq',
                'value': row['cascaded_resource_id'], 'type': ''}
        return Route([row['region']], rest + [term], row)
    return Route(regions, rest)


class IdTranslator(object):
    """Cascaded ids of one region -> cascading ids, cached per request.

    An id the map does not know (a resource nobody registered) is shown as
    the region knows it.
    """

    def __init__(self, ctx, row=None):
        self.ctx = ctx
        self._known = {}
        if row is not None:
            self._known[(row['region'], row['cascaded_resource_id'])] = (
                row['resource_id'])

    def __call__(self, region, cascaded_id):
        key = (region, cascaded_id)
        if key not in self._known:
            row = self.ctx.resource_map.find_by_cascaded(region, cascaded_id)
            self._known[key] = row['resource_id'] if row else cascaded_id
        return self._known[key]


def ask_regions(ctx, names, ask):
    """{region: answer}; one region is called directly (its failure is
    the request's), several through the fan-out policy."""
    if not names:
        return {}
    if len(names) == 1:
        return {names[0]: ask(names[0])}
    return ctx.fan_out(names, ask)


# -- samples -----------------------------------------------------------------

def get_samples(ctx, meter, query, limit):
    """Samples of a meter (None: every meter), newest first, ids
    translated; ``limit`` holds over all regions together."""
    where = route(ctx, query)
    translate = IdTranslator(ctx, where.row)

    def ask(region):
        samples = ctx.driver(region).samples(ctx.caller, meter, where.query,
                                             limit)
        for sample in samples:
            if sample.get('resource_id'):
                sample['resource_id'] = translate(region,
                                                  sample['resource_id'])
        return samples

    answers = ask_regions(ctx, where.regions, ask)
    return merge.merge_samples(answers.values(), limit)


def get_sample(ctx, sample_id):
    """One sample by id from whichever region has it (None if none)."""
    translate = IdTranslator(ctx)

    def ask(region):
        sample = ctx.driver(region).sample(ctx.caller, sample_id)
        caller = ctx.caller
        if sample is None or not caller.is_admin and sample.get(
                'project_id') != caller.project_id:
            # A service token sees every project: scope here too.
            return None
        sample['resource_id'] = translate(region, sample['resource_id'])
        return sample

    answers = ask_regions(ctx, ctx.regions.names(), ask)
    found = [s for _region, s in sorted(answers.items()) if s]
    return found[0] if found else None


# -- statistics --------------------------------------------------------------

def _has_start(query):
    return any(t['field'] == 'timestamp' and t.get('op') in ('gt', 'ge')
               for t in query)


def _search_offset(query):
    for term in query:
        if term['field'] == 'search_offset':
            try:
                return int(term['value'])
            except ValueError:
                return 0
    return 0


def statistics(ctx, meter, query, groupby, period, aggregates):
    """Statistics of a meter, equal to one store holding every region.

    :param aggregates: (func, param) pairs, validated; empty = standard.
    """
    where = route(ctx, query)
    translate = IdTranslator(ctx, where.row)

    def ask_with(q, aggs):
        def ask(region):
            stats = ctx.driver(region).statistics(
                ctx.caller, meter, q, period, groupby, aggs)
            for stat in stats:
                _translate_groupby(stat, region, translate)
            return stats
        return ask

    if len(where.regions) <= 1:
        answers = ask_regions(ctx, where.regions,
                              ask_with(where.query, aggregates))
        return next(iter(answers.values()), [])
    if any(func == 'cardinality' for func, _param in aggregates):
        raise errors.InvalidRequest(
            'The cardinality aggregate cannot be combined across regions '
            '(the same value may be counted in several); name one resource '
            'or one region (metadata.region) to get it')
    names, q = where.regions, where.query
    if period and not _has_start(q):
        names, q = _with_common_start(ctx, names, q, meter, period)
        if not names:
            return []
    wanted = list(aggregates)
    if wanted:
        wanted += [a for a in (('count', None), ('sum', None))
                   if a not in wanted]
    answers = ctx.fan_out(names, ask_with(q, wanted))
    return merge.merge_statistics(
        [answers[r] for r in sorted(answers)], period, groupby, aggregates)


def _with_common_start(ctx, names, query, meter, period):
    """(regions holding matching samples, query with their earliest first
    sample as explicit start): periods then start at the same instant in
    every region, as they would in one store. When a region's periods are
    aligned to the epoch (Gnocchi), the start is aligned to the period,
    which every region can answer exactly."""
    def first_sample(region):
        stats = ctx.driver(region).statistics(ctx.caller, meter, query,
                                              None, [], [])
        starts = [s['period_start'] for s in stats if s.get('period_start')]
        return min(starts) if starts else None

    firsts = {r: t for r, t in ctx.fan_out(names, first_sample).items()
              if t is not None}
    if not firsts:
        return [], query
    start = min(firsts.values())
    if any(ctx.driver(r).aligned_periods for r in firsts):
        start = utils.floor_to_period(start, period)
    # A search_offset widens every timestamp term: pre-compensate.
    start += datetime.timedelta(minutes=_search_offset(query))
    term = {'field': 'timestamp', 'op': 'ge', 'type': '',
            'value': start.isoformat()}
    return sorted(firsts), list(query) + [term]


def _translate_groupby(stat, region, translate):
    groupby = stat.get('groupby')
    if groupby and groupby.get('resource_id'):
        groupby['resource_id'] = translate(region, groupby['resource_id'])
