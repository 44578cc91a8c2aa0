"""Turning v2 ``q`` filters into storage arguments, with project scoping."""

import datetime

import pecan
import wsme

from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api import rbac

# Query field -> storage argument name.
TRANSLATION = {'user_id': 'user', 'project_id': 'project',
               'resource_id': 'resource'}

# Which simple-query fields each storage call understands.
SAMPLE_KEYS = ('user', 'project', 'resource', 'meter', 'source',
               'message_id')
RESOURCE_KEYS = ('user', 'project', 'resource', 'source')
METER_KEYS = ('user', 'project', 'resource', 'source')

TIMESTAMP_OPS = ('lt', 'le', 'gt', 'ge')


def is_metadata_field(field):
    return field.startswith('metadata.') or field.startswith(
        'resource_metadata.')


def check_metadata_field(field):
    """metadata.<a>[.<b>...]: every part of the key must be non-empty."""
    parts = field.split('.')[1:]
    if not parts or not all(parts):
        raise wsme.exc.InvalidInput('field', field,
                                    'metadata keys cannot be empty')


def verify_query_segregation(query, auth_project=None):
    """A scoped caller may not name another project."""
    auth_project = auth_project or rbac.get_limited_to_project(
        pecan.request.headers)
    if not auth_project:
        return
    for q in query:
        if q.field in ('project', 'project_id') and auth_project != q.value:
            raise base.ProjectNotAuthorized(q.value)


def _check_timestamp_fields(query, name, ops, allowed):
    found = False
    for q in query:
        if q.field != name:
            continue
        if not allowed:
            raise wsme.exc.UnknownArgument(name, 'not valid for this resource')
        if q.op not in ops:
            raise wsme.exc.InvalidInput('op', q.op,
                                        'unimplemented operator for %s'
                                        % q.field)
        found = True
    return found


def validate_query(query, valid_keys, allow_timestamps=True,
                   allow_metadata=True):
    """Reject fields and operators the storage call cannot honour.

    Calls whose store has no metadata query (alarms, alarm history) pass
    ``allow_metadata=False``: a ``metadata.*`` field is refused here
    rather than silently ignored or handed to the store as an argument.
    """
    verify_query_segregation(query)
    has_ts = _check_timestamp_fields(query, 'timestamp', TIMESTAMP_OPS,
                                     allow_timestamps)
    has_offset = _check_timestamp_fields(query, 'search_offset', ('eq',),
                                         allow_timestamps)
    if has_offset and not has_ts:
        raise wsme.exc.InvalidInput('field', 'search_offset',
                                    'search_offset cannot be used without '
                                    'timestamp')
    keys = set(valid_keys)
    if allow_timestamps:
        keys.update(('timestamp', 'search_offset'))
    for q in query:
        if q.field in (None, wsme.Unset) or q.value in (None, wsme.Unset):
            raise wsme.exc.InvalidInput(
                'q', q, 'every query needs a field and a value')
        if q.field in ('timestamp', 'search_offset'):
            continue
        key = TRANSLATION.get(q.field, q.field)
        metadata = allow_metadata and is_metadata_field(q.field)
        if key not in keys and not metadata:
            raise wsme.exc.UnknownArgument(
                key, 'unrecognized field in query: %s, valid keys: %s'
                % (query, sorted(keys)))
        if q.op != 'eq':
            raise wsme.exc.InvalidInput('op', q.op,
                                        'unimplemented operator for %s'
                                        % q.field)
        if metadata:
            check_metadata_field(q.field)
            q.get_value()


def sanitize_query(query, auth_project=None):
    """Add the caller's project to a scoped caller's query."""
    q = list(query)
    auth_project = auth_project or rbac.get_limited_to_project(
        pecan.request.headers)
    if auth_project:
        verify_query_segregation(q, auth_project)
        if not any(i.field in ('project', 'project_id') for i in q):
            q.append(base.Query(field='project_id', op='eq',
                                value=auth_project))
    return q


def query_to_kwargs(query, valid_keys, allow_timestamps=True,
                    metaquery=True):
    """Storage keyword arguments for a validated, scoped query."""
    validate_query(query, valid_keys, allow_timestamps)
    query = sanitize_query(query)
    stamp = {}
    meta = {}
    kwargs = {}
    for q in query:
        if q.field == 'timestamp':
            if q.op in ('lt', 'le'):
                stamp['end_timestamp'] = q.value
                stamp['end_timestamp_op'] = q.op
            else:
                stamp['start_timestamp'] = q.value
                stamp['start_timestamp_op'] = q.op
        elif q.field == 'search_offset':
            stamp['search_offset'] = q.value
        elif q.field.startswith('metadata.'):
            meta[q.field] = q.get_value()
        elif q.field.startswith('resource_metadata.'):
            meta['metadata.' + q.field[len('resource_metadata.'):]] = (
                q.get_value())
        else:
            kwargs[TRANSLATION.get(q.field, q.field)] = q.value
    if meta and metaquery:
        kwargs['metaquery'] = meta
    if stamp:
        kwargs.update(query_timestamps(stamp))
    return kwargs


def query_timestamps(args):
    """Start/end timestamps of a query, widened by ``search_offset`` minutes.

    [start - offset ... start ... end ... end + offset]
    """
    try:
        offset = int(args.get('search_offset', 0))
    except ValueError:
        raise wsme.exc.InvalidInput('search_offset',
                                    args.get('search_offset'),
                                    'must be an integer')

    def parse(value):
        if not value:
            return None
        try:
            return base.parse_timestamp(value)
        except ValueError:
            raise wsme.exc.InvalidInput('timestamp', value,
                                        'invalid timestamp format')

    start = parse(args.get('start_timestamp'))
    end = parse(args.get('end_timestamp'))
    try:
        if start and offset:
            start -= datetime.timedelta(minutes=offset)
        if end and offset:
            end += datetime.timedelta(minutes=offset)
    except OverflowError:
        raise wsme.exc.InvalidInput('search_offset', offset, 'out of range')
    return {'start_timestamp': start,
            'end_timestamp': end,
            'start_timestamp_op': args.get('start_timestamp_op'),
            'end_timestamp_op': args.get('end_timestamp_op')}


def requested_range(query):
    """The (start, end) a statistics query asked for, before any offset."""
    start = end = None
    for q in query:
        if q.field != 'timestamp':
            continue
        try:
            value = base.parse_timestamp(q.value)
        except ValueError:
            raise wsme.exc.InvalidInput('timestamp', q.value,
                                        'invalid timestamp format')
        if q.op in ('lt', 'le'):
            end = value
        elif q.op in ('gt', 'ge'):
            start = value
    return start, end
