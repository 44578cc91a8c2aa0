"""JSONPaths of event definitions, compiled once for fast lookups.

Most trait fields are plain paths (``payload.image_meta.os_type``,
``payload.fixed_ips[0].address``): those become straight dict and list
lookups, which cost a fraction of a JSONPath evaluation; only the others
(filters, wildcards, unions) keep jsonpath-ng's matcher. Every finder
reports the dotted path of what it found, as trait plugins are given it.
"""

import functools
import warnings

from jsonpath_ng import ext as jsonpath_ext
from jsonpath_ng import jsonpath


class _NamePath(object):
    """A path of plain names (``payload.instance_id``): dict lookups."""

    __slots__ = ('_names', '_text')

    def __init__(self, names, text):
        self._names = names
        self._text = text

    def first(self, body):
        node = body
        for name in self._names:
            if not isinstance(node, dict):
                return None
            node = node.get(name)
        return node

    def all(self, body):
        value = self.first(body)
        return [] if value is None else [(self._text, value)]


class _KeyPath(_NamePath):
    """A path of names and list indexes (``payload.volumes[0].id``)."""

    __slots__ = ()

    def first(self, body):
        node = body
        for key in self._names:
            if isinstance(key, str):
                if not isinstance(node, dict):
                    return None
                node = node.get(key)
            elif (isinstance(node, (list, tuple))
                    and -len(node) <= key < len(node)):
                node = node[key]
            else:
                return None
        return node


class _MatcherPath(object):
    """Any other JSONPath (filters, wildcards, ``split``...): jsonpath-ng
    does the matching."""

    __slots__ = ('_find',)

    def __init__(self, expression):
        self._find = expression.find

    def _matches(self, body):
        try:
            return self._find(body)
        except Exception:
            # An expression meeting data it was not written for (a filter
            # on a text...) finds nothing rather than failing the event.
            return ()

    def first(self, body):
        for match in self._matches(body):
            if match.value is not None:
                return match.value
        return None

    def all(self, body):
        return [(_match_path(match), match.value)
                for match in self._matches(body) if match.value is not None]


def _step_text(step):
    if type(step) is jsonpath.Fields:
        return ','.join(step.fields)
    if type(step) is jsonpath.Index:
        return ','.join('[%d]' % i for i in _indexes(step))
    return str(step)


def _indexes(step):
    indexes = getattr(step, 'indices', None)
    return (step.index,) if indexes is None else indexes


def _match_path(match):
    """The dotted path a match was found at, as plugins receive it."""
    steps = []
    while match is not None and match.context is not None:
        steps.append(_step_text(match.path))
        match = match.context
    return '.'.join(reversed(steps))


def _plain_keys(expression):
    """The names and indexes of a path made of nothing else, else None."""
    kind = type(expression)
    if kind is jsonpath.Root:
        return ()
    if kind is jsonpath.Fields:
        names = expression.fields
        return names if len(names) == 1 and names[0] != '*' else None
    if kind is jsonpath.Index:
        indexes = _indexes(expression)
        return tuple(indexes) if len(indexes) == 1 else None
    if kind is jsonpath.Child and type(expression.right) is not jsonpath.Root:
        left = _plain_keys(expression.left)
        right = _plain_keys(expression.right)
        if left is not None and right is not None:
            return tuple(left) + tuple(right)
    return None


@functools.lru_cache(maxsize=1024)
def compile_path(text):
    """A finder (``first(body)``, ``all(body)``) for one JSONPath;
    ValueError when it does not parse."""
    with warnings.catch_warnings():
        # Ceilometer-era spellings (unquoted filter words, "|") still work
        # but are deprecated by jsonpath-ng; they need not fill the logs.
        warnings.simplefilter('ignore', DeprecationWarning)
        try:
            expression = jsonpath_ext.parse(text)
        except Exception as err:
            raise ValueError('JSONPath %r does not parse: %s' % (text, err))
    keys = _plain_keys(expression)
    if keys is None:
        return _MatcherPath(expression)
    path_text = '.'.join(k if isinstance(k, str) else '[%d]' % k
                         for k in keys)
    if all(isinstance(k, str) for k in keys):
        return _NamePath(keys, path_text)
    return _KeyPath(keys, path_text)
