"""Types and errors shared by the v2 controllers."""

import functools
import json

import pecan
import wsme
from wsme import types as wtypes

from ceilometer_proxy import query_values

operation_kind = ('lt', 'le', 'eq', 'ne', 'ge', 'gt')

# Larger limits are the same as no limit; stores take at most int32 here.
MAX_LIMIT = 2 ** 31 - 1
operation_kind_enum = wtypes.Enum(str, *operation_kind)


class ClientSideError(wsme.exc.ClientSideError):
    """A 4xx answer; the text also reaches the error middleware."""

    def __init__(self, error, status_code=400):
        pecan.response.translatable_error = error
        super().__init__(error, status_code)


class EntityNotFound(ClientSideError):
    def __init__(self, entity, entity_id):
        super().__init__('%s %s Not Found' % (entity, entity_id),
                         status_code=404)


class ProjectNotAuthorized(ClientSideError):
    def __init__(self, entity_id, aspect='project'):
        super().__init__('Not Authorized to access %s %s'
                         % (aspect, entity_id), status_code=401)


parse_timestamp = query_values.parse_timestamp


class Base(wtypes.DynamicBase):
    """Base of API types built from storage models."""

    @classmethod
    def from_db_model(cls, m):
        return cls(**m.as_dict())

    @classmethod
    def from_db_and_links(cls, m, links):
        return cls(links=links, **m.as_dict())

    def as_dict_from_keys(self, keys):
        return {k: getattr(self, k) for k in keys
                if hasattr(self, k) and getattr(self, k) != wsme.Unset}


class Link(Base):
    """A link representation."""

    href = wtypes.text
    "The url of a link"

    rel = wtypes.text
    "The name of a link"

    @classmethod
    def sample(cls):
        return cls(href=('http://localhost:8777/v2/meters/volume?'
                         'q.field=resource_id&'
                         'q.value=bd9431c1-8d69-4ad3-803a-8d4a6b89fd36'),
                   rel='volume')


class Query(Base):
    """Query filter: ``field op value``, with an optional value ``type``."""

    _op = None

    def get_op(self):
        return self._op or 'eq'

    def set_op(self, value):
        self._op = value

    field = wsme.wsattr(wtypes.text, mandatory=True)
    "The name of the field to test"

    op = wsme.wsproperty(operation_kind_enum, get_op, set_op)
    "The comparison operator. Defaults to 'eq'."

    value = wsme.wsattr(wtypes.text, mandatory=True)
    "The value to compare against the stored data"

    type = wtypes.text
    "The data type of value to compare against the stored data"

    def __repr__(self):
        return '<Query %r %s %r %s>' % (self.field, self.op, self.value,
                                        self.type)

    @classmethod
    def sample(cls):
        return cls(field='resource_id', op='eq',
                   value='bd9431c1-8d69-4ad3-803a-8d4a6b89fd36',
                   type='string')

    def as_dict(self):
        return self.as_dict_from_keys(['field', 'op', 'type', 'value'])

    def get_value(self, forced_type=None):
        """The value converted to its declared type (see query_values)."""
        try:
            return query_values.typed_value(self.value,
                                            forced_type or self.type)
        except query_values.InvalidValue as err:
            raise ClientSideError(str(err))


def storable(value):
    """query_values.storable, refusing with a 400."""
    try:
        return query_values.storable(value)
    except query_values.InvalidValue as err:
        raise ClientSideError(str(err))


class JsonType(wtypes.UserType):
    """A value that only has to be serialisable as JSON."""

    basetype = wtypes.text
    name = 'json'

    @staticmethod
    def validate(value):
        json.dumps(value)
        return value


class MetadataValue(wtypes.UserType):
    """A posted metadata value: text, a number, a boolean, null or a
    nested object (stored nested, shown flattened as text)."""

    basetype = wtypes.text
    name = 'metadata_value'

    @staticmethod
    def validate(value):
        if value is None or isinstance(value, (str, int, float, bool)):
            return value
        if isinstance(value, (dict, list)):
            json.dumps(value)
            return value
        raise ValueError('metadata values must be JSON values')


def positive_limit(limit, conf):
    """The limit to apply: the configured default when none was given."""
    if limit is None:
        return conf.api.default_api_return_limit
    if limit <= 0:
        raise ClientSideError('Limit must be positive')
    return min(limit, MAX_LIMIT)


def catch_overflow(func):
    """Turn arithmetic overflow from absurd input into a 400."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except OverflowError as err:
            raise ClientSideError('Invalid input: %s' % err)
    return wrapper
