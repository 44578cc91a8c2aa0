"""Trait plugins: values worked out from what a trait's fields found.

A trait's ``fields`` can only pick values out of a notification.  Some
traits need something derived from them instead: the host part of a
``compute.host-1`` publisher, a set of flags raised by several fields, the
seconds between two dates.  A definition names a plugin for that, and the
plugin receives every ``(path, value)`` pair the fields matched.

Plugins are found by name among the ``ceilometer_proxy.event.trait_plugin``
entry points, so a deployment can ship its own next to ``split``,
``bitfield`` and ``timedelta`` without changing this package.  Their
parameters come from the definitions file and are checked when it is
loaded: a wrong one must fail there, loudly, rather than quietly produce
wrong traits for every notification afterwards.
"""

import abc

from oslo_log import log

from ceilometer_proxy.event import models

LOG = log.getLogger(__name__)


def _is_integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


class TraitPlugin(metaclass=abc.ABCMeta):
    """The contract between the converter and a plugin.

    The converter makes one instance per trait definition when the
    definitions are loaded, passing the definition's ``parameters`` as
    keyword arguments; an unusable parameter raises ValueError or TypeError
    right there.  ``trait_value`` then runs for every notification, even
    when the fields matched nothing, so it has to be quick and must not
    raise on odd data.
    """

    @abc.abstractmethod
    def trait_value(self, matches):
        """Return the trait's value worked out from ``matches``.

        :param matches: the ``(path, value)`` pairs the trait's fields
            found, in the order of the fields, without null values; the
            path is dotted (``payload.image_meta.os_type``, list indexes
            as ``[0]``).
        :returns: the value, converted to the trait's type afterwards, or
            None when the event should not get this trait.
        """


class SplitTraitPlugin(TraitPlugin):
    """One piece of a delimited text.

    Publishers are ``service.host`` (``compute.node-7``), so a host or a
    service trait is a piece of ``publisher_id``.  Each matched value is
    split on ``separator`` at most ``max_split`` times (no limit when None
    or negative); the first value that has a piece number ``segment``
    (negative counts from the end) gives it.
    """

    def __init__(self, separator='.', segment=0, max_split=None):
        if not isinstance(separator, str) or not separator:
            raise ValueError('separator must be a non-empty text, not %r'
                             % (separator,))
        if not _is_integer(segment):
            raise ValueError('segment must be an integer, not %r'
                             % (segment,))
        if max_split is not None and not _is_integer(max_split):
            raise ValueError('max_split must be an integer, not %r'
                             % (max_split,))
        self.separator = separator
        self.segment = segment
        self.max_split = -1 if max_split is None else max_split

    def trait_value(self, matches):
        for _path, value in matches:
            pieces = str(value).split(self.separator, self.max_split)
            try:
                return pieces[self.segment]
            except IndexError:
                continue
        return None


class BitfieldTraitPlugin(TraitPlugin):
    """An integer whose bits say which fields were present, or had a value.

    Each flag is ``{path: ..., bit: n}`` (set bit ``n``, the least
    significant being 0, when a field at ``path`` was found with a non-null
    value) or ``{path: ..., bit: n, value: v}`` (only when that value equals
    ``v``).  The paths must be among the trait's ``fields`` and are written
    the way the plugin receives them (``payload.state``).  Bits set by
    flags are added to ``initial_bitfield``.
    """

    _ANY = object()
    _FLAG_KEYS = frozenset(('path', 'bit', 'value'))

    def __init__(self, initial_bitfield=0, flags=None):
        if not _is_integer(initial_bitfield):
            raise ValueError('initial_bitfield must be an integer, not %r'
                             % (initial_bitfield,))
        if flags is None:
            flags = []
        if not isinstance(flags, list):
            raise ValueError('flags must be a list of {path, bit[, value]}')
        self.initial_bitfield = initial_bitfield
        self.flags = tuple(self._flag(number, flag)
                           for number, flag in enumerate(flags, 1))

    @classmethod
    def _flag(cls, number, flag):
        if not isinstance(flag, dict):
            raise ValueError('flag %d is not a mapping: %r' % (number, flag))
        unknown = set(flag) - cls._FLAG_KEYS
        if unknown:
            raise ValueError('flag %d has unknown keys %s'
                             % (number, ', '.join(sorted(map(str, unknown)))))
        path = flag.get('path')
        if not isinstance(path, str) or not path:
            raise ValueError('flag %d needs a path' % number)
        bit = flag.get('bit')
        if isinstance(bit, str) and bit.strip().isdigit():
            bit = int(bit)
        if not _is_integer(bit) or bit < 0:
            raise ValueError('flag %d needs a bit number >= 0, not %r'
                             % (number, bit))
        return path, 1 << bit, flag.get('value', cls._ANY)

    def trait_value(self, matches):
        found = dict(matches)
        bits = self.initial_bitfield
        for path, mask, wanted in self.flags:
            if path in found and (wanted is self._ANY
                                  or found[path] == wanted):
                bits |= mask
        return bits


class TimedeltaTraitPlugin(TraitPlugin):
    """The seconds between two datetimes, such as how long a boot took.

    The trait's fields must find exactly two datetimes (``created_at`` and
    ``launched_at``, say); the value is the absolute difference, in
    seconds, so their order does not matter.  Anything else (one of them
    missing, a text that is no datetime) gives no trait.
    """

    def __init__(self):
        pass

    def trait_value(self, matches):
        if len(matches) != 2:
            return None
        try:
            (_, first), (_, second) = matches
            start = models.parse_datetime(first)
            end = models.parse_datetime(second)
        except (ValueError, TypeError, OverflowError) as err:
            LOG.debug('timedelta: %s are not both datetimes: %s',
                      ' and '.join(path for path, _ in matches), err)
            return None
        return abs((end - start).total_seconds())
