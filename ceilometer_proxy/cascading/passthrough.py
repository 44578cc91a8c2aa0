"""Single-resource samples and statistics, passed through as bytes.

The commonest metering question at the cascading level names one resource:
Heat's and an alarm evaluator's statistics, a dashboard's samples of one
instance. Its answer is the answer of that resource's region with at most
the resource id put back, so the general path (decode the region's JSON,
parse its timestamps, build WSME objects, encode them again) costs more
than the routing itself and buys nothing. Here the question goes to the
region with only its resource term rewritten, the answer is checked for
the shape the general path would have checked (drivers/answers.py: a
region's garbage is still that region failing), and its bytes are handed
back, re-encoded only where a resource id had to be put back.

Anything else (several resources, a region term, a resource the map does
not hold or the caller may not see, a region whose driver cannot pass
bytes) answers None: the general path (metering.py) takes the question,
so every error it gives stays its own.
"""

import json

from oslo_log import log

from ceilometer_proxy.cascading.drivers import answers
from ceilometer_proxy.cascading import errors
from ceilometer_proxy.cascading import metering

LOG = log.getLogger(__name__)


def _single_resource(ctx, query):
    """(Route, driver) when the query names one resource the map holds
    and the caller may see, in a region whose driver passes bytes; else
    None."""
    if any(t['field'] in metering.RESOURCE_FIELDS and t['op'] != 'eq'
           for t in query):
        return None
    try:
        where = metering.route(ctx, query)
    except errors.CascadingError:
        return None
    if where.row is None or len(where.regions) != 1:
        return None
    driver = ctx.driver(where.regions[0])
    if not getattr(driver, 'passes_bytes', False):
        return None
    return where, driver


def statistics(ctx, meter, query, params):
    """The body of the statistics of one resource, or None.

    :param query: the validated query terms, the caller's project already
        added for a scoped caller.
    :param params: the other request parameters as (key, value) pairs
        (period, groupby, aggregate.func, aggregate.param), sent as given.
    """
    found = _single_resource(ctx, query)
    if found is None:
        return None
    where, driver = found
    content = driver.raw_statistics(ctx.caller, meter, where.query, params)
    return _put_back(driver.region, content, answers.RAW_STATISTICS,
                     where.row, lambda stat: stat.get('groupby'))


def samples(ctx, meter, query, limit):
    """The body of the samples of one resource, newest first, or None."""
    found = _single_resource(ctx, query)
    if found is None:
        return None
    where, driver = found
    content = driver.raw_samples(ctx.caller, meter, where.query, limit)
    return _put_back(driver.region, content, answers.RAW_SAMPLE, where.row,
                     lambda sample: sample)


def _put_back(region, content, shape, row, holder):
    """The region's answer (a list of ``shape``) with the resource id put
    back where ``holder(item)`` carries the region's id; the bytes as they
    came when nothing was to be put back."""
    try:
        items = json.loads(content)
        answers.each(shape)(items)
    except (ValueError, answers.Unusable) as err:
        LOG.warning('Region %s: its answer is unusable: %s', region, err)
        raise errors.RegionUnavailable(region,
                                       'its answer is unusable: %s' % err)
    changed = False
    for item in items:
        ids = holder(item)
        if ids and ids.get('resource_id') == row['cascaded_resource_id']:
            ids['resource_id'] = row['resource_id']
            changed = True
    return _encoded(items) if changed else content


def _encoded(value):
    # The separators WSME's JSON renderer uses, so that a passed-through
    # answer reads like one the general path built.
    return json.dumps(value).encode('utf-8')
