"""Typing of query values, shared by the API and the alarm evaluator.

A v2 query value arrives as text with an optional type; the same rules
must hold whether it is asked at /v2/meters/<m>/statistics or stored in an
alarm's rule and evaluated later, so they live here, free of any web
framework. Errors are InvalidValue (a ValueError) with the message the API
shows its clients.
"""

import ast
import datetime

from oslo_utils import strutils

from ceilometer_proxy import utils

INT64_MIN = -2 ** 63
INT64_MAX = 2 ** 63 - 1
SUPPORTED_TYPES = ('integer', 'float', 'string', 'boolean', 'datetime')
# Literal types a value may be guessed as when it has no type.
GUESSED_TYPES = (str, int, float, bool, type(None))


class InvalidValue(ValueError):
    """A query value that cannot be used as asked."""


def parse_timestamp(value):
    """Parse ISO-8601 text into a naive UTC datetime (ValueError if bad)."""
    if isinstance(value, datetime.datetime):
        return utils.naive_utc(value)
    text = str(value).strip()
    if text.endswith('Z'):
        text = text[:-1] + '+00:00'
    return utils.naive_utc(datetime.datetime.fromisoformat(text))


CONVERTERS = {'integer': int,
              'float': float,
              'boolean': lambda v: strutils.bool_from_string(v, strict=True),
              'string': str,
              'datetime': parse_timestamp}


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
            raise InvalidValue('The number %s is out of range' % value)
    if isinstance(value, float) and value != value:
        raise InvalidValue('NaN is not a valid query value')
    return value


def typed_value(value, value_type=None):
    """The value converted to its declared type.

    Without a type, a literal is guessed the way Ceilometer did (``'42'``
    is an int, ``'True'`` a bool, anything else text).
    """
    if not value_type:
        try:
            guessed = ast.literal_eval(value)
        except (ValueError, SyntaxError, TypeError, MemoryError,
                RecursionError):
            return value
        # Sets, dicts (which would read as operators) and other literals
        # are not values a stored field can equal: keep the text.
        if isinstance(guessed, list) and all(
                isinstance(item, GUESSED_TYPES) for item in guessed):
            return [storable(item) for item in guessed]
        if not isinstance(guessed, GUESSED_TYPES):
            return value
        return storable(guessed)
    if value_type not in SUPPORTED_TYPES:
        raise InvalidValue(
            'The data type %s is not supported. The supported data type '
            'list is: %s' % (value_type, list(SUPPORTED_TYPES)))
    try:
        return storable(CONVERTERS[value_type](value))
    except InvalidValue:
        raise
    except (ValueError, TypeError, OverflowError):
        raise InvalidValue('Unable to convert the value %s to the expected '
                           'data type %s.' % (value, value_type))
