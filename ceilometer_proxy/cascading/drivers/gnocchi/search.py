"""v2 query terms as Gnocchi resource searches (pure).

A v2 term names a resource field (``resource_id``, ``project_id``,
``user_id``), a metadata key or a time bound. In Gnocchi these are
resource attributes: the generic ones every resource has, and those of a
resource type (an instance's ``display_name``, ``server_group`` ...).
``metadata.X`` becomes the attribute ``X`` of the one resource type that
has it (Heat's ``metadata.user_metadata.X`` and ``metadata.metering.X``
too: that is where Ceilometer's Gnocchi publisher takes them from);
``timestamp`` bounds become the start and stop of a measures read.

Anything without a Gnocchi counterpart is refused by name: the v2 answer
would otherwise be silently different.
"""

from ceilometer_proxy.cascading import errors
from ceilometer_proxy import query_values

GENERIC = 'generic'
OPS = {'eq': '=', 'ne': '!=', 'lt': '<', 'le': '<=', 'gt': '>', 'ge': '>='}
FIELDS = {'resource_id': 'original_resource_id',
          'resource': 'original_resource_id',
          'project_id': 'project_id', 'project': 'project_id',
          'user_id': 'user_id', 'user': 'user_id'}
METADATA_PREFIXES = ('metadata.', 'resource_metadata.')
# Nested keys Ceilometer's Gnocchi publisher flattens into attributes.
FLATTENED = ('user_metadata.', 'metering.')
# The attributes of every resource (not a resource type's own).
GENERIC_ATTRIBUTES = frozenset((
    'id', 'original_resource_id', 'project_id', 'user_id', 'type',
    'started_at', 'ended_at', 'revision_start', 'revision_end', 'creator',
    'created_by_user_id', 'created_by_project_id', 'metrics'))


class Search(object):
    """A translated query.

    :ivar resource_type: the Gnocchi resource type to search.
    :ivar filters: Gnocchi filter clauses of the terms, all of which must
        hold.
    :ivar project: the project every resource must belong to, or None.
    :ivar start: the inclusive lower time bound, or None.
    :ivar stop: the exclusive upper time bound, or None.
    """

    def __init__(self, resource_type=GENERIC, filters=None, project=None,
                 start=None, stop=None):
        self.resource_type = resource_type
        self.filters = filters or []
        self.project = project
        self.start = start
        self.stop = stop

    @property
    def body(self):
        """The filter as Gnocchi's search body takes it."""
        clauses = list(self.filters)
        if self.project is not None:
            clauses.append({'=': {'project_id': self.project}})
        if not clauses:
            return {}
        if len(clauses) == 1:
            return clauses[0]
        return {'and': clauses}

    def single_resource(self):
        """The resource id when the terms name one resource and nothing
        else (read directly, not searched)."""
        if len(self.filters) == 1 and self.resource_type == GENERIC:
            value = self.filters[0].get('=', {}).get('original_resource_id')
            if isinstance(value, str):
                return value
        return None


def refused(region, what):
    return errors.InvalidRequest('Region %s (Gnocchi) cannot %s'
                                 % (region, what))


def attribute_of(region, key, types):
    """(resource type, attribute) of a metadata key.

    :param types: {resource type: set of its own attribute names}.
    """
    for prefix in FLATTENED:
        if key.startswith(prefix):
            key = key[len(prefix):]
            break
    owners = sorted(t for t, attrs in types.items() if key in attrs)
    if not owners:
        raise refused(region, 'filter on metadata.%s: no resource type has '
                              'an attribute %s' % (key, key))
    if len(owners) > 1:
        raise refused(region, 'filter on metadata.%s: resource types %s all '
                              'have an attribute %s'
                      % (key, ', '.join(owners), key))
    return owners[0], key


def _time_bound(region, search, term):
    op = term.get('op') or 'eq'
    moment = query_values.parse_timestamp(term['value'])
    if op == 'ge':
        search.start = moment if search.start is None else max(search.start,
                                                               moment)
    elif op == 'lt':
        search.stop = moment if search.stop is None else min(search.stop,
                                                             moment)
    else:
        raise refused(region, 'bound time with timestamp %s: its measures '
                              'are aggregated into buckets [t, t + '
                              'granularity); use ge (>=) for the start and '
                              'lt (<) for the end' % op)


def translate(region, terms, types, project=None, times=True):
    """The Search of validated v2 terms.

    :param region: the region name (for messages).
    :param types: {resource type: set of its own attribute names}.
    :param project: the caller's project when it is scoped (added as a
        filter: Gnocchi's basic auth does not scope by project).
    :param times: whether timestamp terms are allowed (statistics) or
        refused (resources, meters).
    """
    search = Search()
    chosen = set()
    for term in terms:
        field = term['field']
        op = term.get('op') or 'eq'
        if field == 'timestamp' and times:
            _time_bound(region, search, term)
            continue
        if op not in OPS:
            raise refused(region, 'filter with the %s operator' % op)
        if field in FIELDS:
            attribute, value = FIELDS[field], term['value']
        elif field.startswith(METADATA_PREFIXES):
            resource_type, attribute = attribute_of(
                region, field.split('.', 1)[1], types)
            chosen.add(resource_type)
            value = term.get('typed_value', term['value'])
        else:
            raise refused(region, 'filter on %s: Gnocchi keeps no such '
                                  'field' % field)
        search.filters.append({OPS[op]: {attribute: value}})
    if len(chosen) > 1:
        raise refused(region, 'filter on attributes of several resource '
                              'types at once (%s)' % ', '.join(sorted(chosen)))
    if chosen:
        search.resource_type = chosen.pop()
    search.project = project
    return search
