"""Types and errors shared by the v2 controllers."""

import ast
import datetime
import functools
import json

from oslo_utils import strutils
import pecan
import wsme
from wsme import types as wtypes

from ceilometer_proxy import utils

operation_kind = ('lt', 'le', 'eq', 'ne', 'ge', 'gt')

INT64_MIN = -2 ** 63
INT64_MAX = 2 ** 63 - 1
# Larger limits are the same as no limit; stores take at most int32 here.
MAX_LIMIT = 2 ** 31 - 1
# Literal types a query value may be guessed as when it has no q.type.
GUESSED_TYPES = (str, int, float, bool, type(None))
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


def parse_timestamp(value):
    """Parse ISO-8601 text into a naive UTC datetime (ValueError if bad)."""
    if isinstance(value, datetime.datetime):
        return utils.naive_utc(value)
    text = str(value).strip()
    if text.endswith('Z'):
        text = text[:-1] + '+00:00'
    return utils.naive_utc(datetime.datetime.fromisoformat(text))


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


def _parse_bool(value):
    return strutils.bool_from_string(value, strict=True)


class Query(Base):
    """Query filter: ``field op value``, with an optional value ``type``."""

    _supported_types = ('integer', 'float', 'string', 'boolean', 'datetime')
    _converters = {'integer': int,
                   'float': float,
                   'boolean': _parse_bool,
                   'string': str,
                   'datetime': parse_timestamp}

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
        """The value converted to its declared type.

        Without a type, a literal is guessed the way Ceilometer did
        (``'42'`` is an int, ``'True'`` a bool, anything else text).
        """
        value_type = forced_type or self.type
        if not value_type:
            try:
                guessed = ast.literal_eval(self.value)
            except (ValueError, SyntaxError, TypeError, MemoryError,
                    RecursionError):
                return self.value
            # Sets, dicts (which would read as operators) and other
            # literals are not values a stored field can equal: text.
            if isinstance(guessed, list) and all(
                    isinstance(item, GUESSED_TYPES) for item in guessed):
                return [storable(item) for item in guessed]
            if not isinstance(guessed, GUESSED_TYPES):
                return self.value
            return storable(guessed)
        if value_type not in self._supported_types:
            raise ClientSideError(
                'The data type %s is not supported. The supported data type '
                'list is: %s' % (value_type, list(self._supported_types)))
        try:
            return storable(self._converters[value_type](self.value))
        except (ValueError, TypeError, OverflowError):
            raise ClientSideError(
                'Unable to convert the value %s to the expected data type '
                '%s.' % (self.value, value_type))


def storable(value):
    """A query value every MongoDB-wire server can encode and compare.

    Integers beyond 64 bits become floats (they can only equal or order
    against numbers as floats anyway); NaN, which matches nothing and
    upsets some servers, is refused.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        try:
            return float(value)
        except OverflowError:
            raise ClientSideError('The number %s is out of range' % value)
    if isinstance(value, float) and value != value:
        raise ClientSideError('NaN is not a valid query value')
    return value


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
