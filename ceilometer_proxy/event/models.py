"""The records event storage drivers hand to the API.

Trait types carry Ceilometer's numbers (0 none ... 4 datetime), which its
MongoDB documents store as ``trait_type``, and the names the v2 API and
python-ceilometerclient use (``string``, ``integer``, ``float``,
``datetime``).
"""

import datetime

from ceilometer_proxy.storage import models
from ceilometer_proxy import utils


class Event(models.Model):
    """One notification as an event.

    :param generated: when it happened (naive UTC datetime).
    :param traits: a list of Trait.
    :param raw: the notification itself when kept, else {}.
    """

    FIELDS = ('message_id', 'event_type', 'generated', 'traits', 'raw')

    def trait(self, name):
        """The value of the trait ``name``, None when absent."""
        for trait in self.traits or ():
            if trait.name == name:
                return trait.value
        return None


class Trait(models.Model):
    """A named, typed value of an event."""

    FIELDS = ('name', 'dtype', 'value')

    NONE_TYPE = 0
    TEXT_TYPE = 1
    INT_TYPE = 2
    FLOAT_TYPE = 3
    DATETIME_TYPE = 4

    TYPE_NAMES = {NONE_TYPE: 'none', TEXT_TYPE: 'string',
                  INT_TYPE: 'integer', FLOAT_TYPE: 'float',
                  DATETIME_TYPE: 'datetime'}
    # Also the definition file's spelling of the types.
    TYPES_BY_NAME = {'none': NONE_TYPE, 'string': TEXT_TYPE,
                     'text': TEXT_TYPE, 'integer': INT_TYPE,
                     'int': INT_TYPE, 'float': FLOAT_TYPE,
                     'datetime': DATETIME_TYPE}

    def __init__(self, name, dtype, value):
        super().__init__(name=name, dtype=dtype, value=value)

    @classmethod
    def get_type_by_name(cls, type_name):
        """The number of a type name (API or definition spelling), or
        None for an unknown name."""
        return cls.TYPES_BY_NAME.get(str(type_name).lower())

    @classmethod
    def get_name_by_type(cls, dtype):
        return cls.TYPE_NAMES.get(dtype, 'none')

    @classmethod
    def convert_value(cls, dtype, value):
        """``value`` as a value of ``dtype``; ValueError (or TypeError)
        when it is not one."""
        if value is None:
            return None
        if dtype == cls.INT_TYPE:
            if isinstance(value, float):
                if value != value or value in (float('inf'), float('-inf')):
                    raise ValueError('%r is not an integer' % value)
                return int(value)
            return int(str(value).strip())
        if dtype == cls.FLOAT_TYPE:
            number = float(value)
            if number != number or number in (float('inf'), float('-inf')):
                raise ValueError('%r is not a finite number' % value)
            return number
        if dtype == cls.DATETIME_TYPE:
            return parse_datetime(value)
        if dtype == cls.TEXT_TYPE:
            return str(value)
        return value


def parse_datetime(value):
    """A naive UTC datetime from a datetime or the ISO 8601 (or
    ``YYYY-MM-DD HH:MM:SS[.ffffff]``, as nova writes it) text of one."""
    if isinstance(value, datetime.datetime):
        return utils.naive_utc(value)
    text = str(value).strip()
    if text.endswith('Z'):
        text = text[:-1] + '+00:00'
    return utils.naive_utc(datetime.datetime.fromisoformat(text))
