"""A JSON body checked against the WSME type a call declares, field by field.

WSME converts what it is given without asking whether it can: a list
where a number belongs, a number where an object belongs, an integer past
64 bits, and the conversion fails deep inside with a TypeError that it
answers as a 500. ``check`` walks the declared type over the decoded body
first and refuses, naming the field, anything of the wrong JSON type, so
only values of the declared shape reach WSME and the controllers.

What is still accepted is what WSME and Ceilometer's clients accept:
numbers as numeric text (python-ceilometerclient sends sample volumes as
text), null for any field (unset), and values of user types (JSON, alarm
metadata) whatever their shape.
"""

import datetime
import math

from wsme import types as wtypes

INT64 = 2 ** 63


class WrongType(Exception):
    """A value that is not of its declared type."""


def _name(path):
    return path or 'the body'


def _join(path, key):
    return '%s.%s' % (path, key) if path else str(key)


def _number(value, path, integer):
    if isinstance(value, bool):
        raise WrongType('%s must be a number, not a boolean' % _name(path))
    if isinstance(value, str):
        try:
            value = int(value) if integer else float(value)
        except ValueError:
            raise WrongType('%s must be a number: %r' % (_name(path),
                                                         value[:50]))
    if not isinstance(value, (int, float)):
        raise WrongType('%s must be a number, not %s'
                        % (_name(path), type(value).__name__))
    if isinstance(value, float) and not math.isfinite(value):
        raise WrongType('%s must be a finite number' % _name(path))
    if integer and isinstance(value, float) and not value.is_integer():
        raise WrongType('%s must be an integer' % _name(path))
    if integer and not -INT64 <= value < INT64:
        raise WrongType('%s is out of range (64-bit integers)'
                        % _name(path))
    if not integer and isinstance(value, int) and abs(value) > 1e308:
        raise WrongType('%s is out of range' % _name(path))


def _basic(datatype, value, path):
    if datatype in (int, wtypes.IntegerType) or isinstance(
            datatype, wtypes.IntegerType):
        _number(value, path, integer=True)
    elif datatype is float:
        _number(value, path, integer=False)
    elif datatype is bool:
        if not (isinstance(value, (bool, str)) or value in (0, 1)):
            raise WrongType('%s must be a boolean' % _name(path))
    elif datatype in (wtypes.text, str, wtypes.bytes) or isinstance(
            datatype, wtypes.StringType):
        if not isinstance(value, str):
            raise WrongType('%s must be a string, not %s'
                            % (_name(path), type(value).__name__))
    elif datatype in (datetime.datetime, datetime.date, datetime.time):
        if not isinstance(value, str):
            raise WrongType('%s must be an ISO 8601 timestamp' % _name(path))


def check(datatype, value, path=''):
    """Raise WrongType, naming the field, if ``value`` (decoded JSON)
    cannot be of ``datatype`` (a WSME type definition)."""
    if value is None:
        return
    if isinstance(datatype, wtypes.ArrayType):
        if not isinstance(value, list):
            raise WrongType('%s must be a list' % _name(path))
        for index, item in enumerate(value):
            check(datatype.item_type, item, '%s[%d]' % (path, index))
    elif isinstance(datatype, wtypes.DictType):
        if not isinstance(value, dict):
            raise WrongType('%s must be an object' % _name(path))
        for key, item in value.items():
            check(datatype.value_type, item, _join(path, key))
    elif wtypes.iscomplex(datatype):
        if not isinstance(value, dict):
            raise WrongType('%s must be an object' % _name(path))
        for attribute in wtypes.list_attributes(datatype):
            key = attribute.name
            if key in value:
                check(attribute.datatype, value[key], _join(path, key))
    elif isinstance(datatype, wtypes.Enum):
        if isinstance(value, (list, dict)):
            raise WrongType('%s must be one of %s' % (
                _name(path), ', '.join(sorted(map(str, datatype.values)))))
    elif wtypes.isusertype(datatype) and not isinstance(
            datatype, (wtypes.IntegerType, wtypes.StringType)):
        return  # JSON and metadata values take any shape
    else:
        _basic(datatype, value, path)
