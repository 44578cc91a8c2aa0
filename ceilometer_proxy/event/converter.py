"""Notifications into events, by the rules of ``event_definitions.yaml``.

The definitions file is Ceilometer's, so a deployment keeps the one it
has: a list of definitions, each an ``event_type`` (fnmatch patterns,
``!pattern`` to exclude) and the ``traits`` to pick out of notifications of
those types.  When several definitions match a type the last one in the
file is used, which lets a file define a broad case first and refine it
below with YAML merge keys (``<<: *instance_traits``).

The collector converts thousands of notifications a second, so everything
that can be decided from the file alone is decided once, when it is
loaded: patterns become regular expressions, plain JSONPaths
(``payload.image_meta.os_type``) become key lookups and only the others
keep a JSONPath matcher, and the definition chosen for an event type is
remembered.  A bad file is refused at that point with a DefinitionError;
a bad notification raises MalformedNotification for the caller to count
and drop, while a field that does not convert to its trait's type just
leaves that trait out.
"""

import fnmatch
import os
import re

from oslo_config import cfg
from oslo_log import log
import stevedore
import yaml

from ceilometer_proxy.event import models
from ceilometer_proxy.event.paths import compile_path
from ceilometer_proxy import utils

OPTS = [
    cfg.StrOpt('definitions_cfg_file',
               default='event_definitions.yaml',
               help='The event definitions file: an existing path, or a '
                    'name looked for where the configuration files are '
                    'searched (/etc/ceilometer-proxy...). Without one, '
                    'events get only the default traits.'),
    cfg.BoolOpt('drop_unmatched_notifications',
                default=False,
                help='Drop notifications that no event definition matches; '
                     'by default they become events with just the default '
                     'traits (service, request_id, project_id, user_id, '
                     'tenant_id).'),
    cfg.ListOpt('store_raw',
                default=[],
                help='Notification priorities (info, error, ...) whose '
                     'events keep the whole notification as their raw '
                     'data; the events of other priorities keep none.'),
]

LOG = log.getLogger(__name__)

PLUGIN_NAMESPACE = 'ceilometer_proxy.event.trait_plugin'

# Ceilometer cut text traits to the 255 characters its trait tables held;
# events read back through the API look the same here.
TEXT_TRAIT_LIMIT = 255

# Traits every event gets, unless its definition defines them itself.
DEFAULT_TRAITS = {
    'service': {'fields': 'publisher_id'},
    'request_id': {'fields': '_context_request_id'},
    'project_id': {'fields': ['payload.tenant_id', '_context_tenant',
                              '_context_project_id', '_context_project']},
    'user_id': {'fields': ['payload.user_id', '_context_user_id',
                           '_context_user']},
    # Ceilometer's older name of project_id, still queried by clients.
    'tenant_id': {'fields': ['payload.tenant_id', '_context_tenant',
                             '_context_project_id', '_context_project']},
}

_DEFINITION_KEYS = frozenset(('event_type', 'traits'))
_TRAIT_KEYS = frozenset(('fields', 'type', 'plugin'))
_PLUGIN_KEYS = frozenset(('name', 'parameters'))
# Event types are few; the bound only guards against a flood of odd ones.
_MATCH_CACHE_SIZE = 4096


class DefinitionError(ValueError):
    """The event definitions cannot be used; the text says where and why."""


class MalformedNotification(ValueError):
    """A notification that cannot become an event; the text says why."""


def old_format(priority, notification):
    """The flat notification body the definitions' paths are written for.

    oslo.messaging hands listeners the context, envelope and payload
    apart; Ceilometer's definitions address them in one dict, the context
    keys prefixed with ``_context_``.  The input is left untouched (the
    payload is shared, not copied).
    """
    if not isinstance(notification, dict):
        raise MalformedNotification('notification is a %s, not a mapping'
                                    % type(notification).__name__)
    metadata = notification.get('metadata') or {}
    context = notification.get('ctxt') or {}
    if not isinstance(metadata, dict):
        raise MalformedNotification('notification metadata is not a mapping')
    if not isinstance(context, dict):
        raise MalformedNotification('notification context is not a mapping')
    if priority is None:
        priority = notification.get('priority')
    if isinstance(priority, str):
        priority = priority.lower()
    body = dict(metadata)
    body.update(priority=priority,
                event_type=notification.get('event_type'),
                publisher_id=notification.get('publisher_id'),
                payload=notification.get('payload'))
    for key, value in context.items():
        body['_context_%s' % key] = value
    return body


def _fail(where, problem):
    raise DefinitionError('%s: %s' % (where, problem))


def _trait_type(where, trait_cfg):
    type_name = trait_cfg.get('type', 'text')
    dtype = models.Trait.get_type_by_name(type_name)
    if dtype is None or dtype == models.Trait.NONE_TYPE:
        _fail(where, 'unknown type %r (text, int, float or datetime)'
              % (type_name,))
    return dtype


def _plugin(where, plugin_cfg, plugin_classes):
    if isinstance(plugin_cfg, str):
        name, parameters = plugin_cfg, {}
    elif isinstance(plugin_cfg, dict):
        unknown = set(plugin_cfg) - _PLUGIN_KEYS
        if unknown:
            _fail(where, 'unknown plugin keys %s' % sorted(map(str, unknown)))
        name = plugin_cfg.get('name')
        parameters = plugin_cfg.get('parameters') or {}
        if not isinstance(name, str):
            _fail(where, 'plugin given without a name')
        if not isinstance(parameters, dict):
            _fail(where, 'plugin parameters must be a mapping')
    else:
        _fail(where, 'plugin must be a name or {name, parameters}')
    plugin_class = plugin_classes.get(name)
    if plugin_class is None:
        _fail(where, 'no trait plugin named %r (known: %s)'
              % (name, ', '.join(sorted(plugin_classes)) or 'none'))
    try:
        return plugin_class(**parameters)
    except Exception as err:
        _fail(where, 'plugin %r refuses its parameters: %s' % (name, err))


def _converter(dtype):
    """A function turning a found value into one of ``dtype``, or None."""
    if dtype == models.Trait.TEXT_TYPE:
        def as_text(value):
            if value.__class__ is not str:
                if isinstance(value, bytes):
                    value = value.decode('utf-8', 'replace')
                else:
                    value = str(value)
            return value[:TEXT_TRAIT_LIMIT]
        return as_text

    convert_value = models.Trait.convert_value

    def as_type(value):
        # Nova sends '' for a date it does not have yet.
        if value == '':
            return None
        try:
            return convert_value(dtype, value)
        except (ValueError, TypeError, OverflowError):
            return None
    return as_type


def _new_trait(name, dtype, value, _new=object.__new__,
               _trait=models.Trait):
    """models.Trait(name, dtype, value), a third of the cost: an event
    has dozens of traits and the generic model constructor is what a
    conversion would spend most of its time in."""
    trait = _new(_trait)
    trait.__dict__ = {'name': name, 'dtype': dtype, 'value': value}
    return trait


class _TraitDefinition(object):
    """How to find, and type, one trait."""

    __slots__ = ('name', 'dtype', 'plugin', '_finders', '_find', '_convert')

    def __init__(self, name, trait_cfg, plugin_classes, where):
        where = '%s, trait %r' % (where, name)
        if isinstance(trait_cfg, str):
            trait_cfg = {'fields': trait_cfg}
        if not isinstance(trait_cfg, dict):
            _fail(where, 'must be a mapping with "fields" (or a JSONPath)')
        unknown = set(trait_cfg) - _TRAIT_KEYS
        if unknown:
            _fail(where, 'unknown keys %s' % sorted(map(str, unknown)))
        if 'fields' not in trait_cfg:
            _fail(where, '"fields" is required')
        fields = trait_cfg['fields']
        if isinstance(fields, str):
            fields = [fields]
        if (not isinstance(fields, list) or not fields
                or not all(isinstance(f, str) for f in fields)):
            _fail(where, '"fields" must be a JSONPath or a list of them')
        self.name = name
        self.dtype = _trait_type(where, trait_cfg)
        self.plugin = None
        if trait_cfg.get('plugin') is not None:
            self.plugin = _plugin(where, trait_cfg['plugin'], plugin_classes)
        try:
            self._finders = tuple(compile_path(f) for f in fields)
        except ValueError as err:
            _fail(where, str(err))
        if self.plugin is not None:
            self._find = self._plugin_value
        elif len(self._finders) == 1:
            self._find = self._finders[0].first
        else:
            self._find = self._first_value
        self._convert = _converter(self.dtype)

    def to_trait(self, body):
        """The trait found in ``body``, or None."""
        value = self._find(body)
        if value is None:
            return None
        value = self._convert(value)
        if value is None:
            return None
        return _new_trait(self.name, self.dtype, value)

    def _first_value(self, body):
        for finder in self._finders:
            value = finder.first(body)
            if value is not None:
                return value
        return None

    def _plugin_value(self, body):
        matches = []
        for finder in self._finders:
            matches.extend(finder.all(body))
        try:
            return self.plugin.trait_value(matches)
        except Exception:
            LOG.warning('Trait plugin of %s failed on %r', self.name,
                        matches, exc_info=True)
            return None


def _glob_regex(patterns):
    if not patterns:
        return None
    return re.compile('|'.join(fnmatch.translate(p) for p in patterns))


class _EventDefinition(object):
    """The event types one definition handles, and their traits."""

    def __init__(self, definition_cfg, default_traits, plugin_classes,
                 where):
        if not isinstance(definition_cfg, dict):
            _fail(where, 'must be a mapping with event_type and traits')
        unknown = set(definition_cfg) - _DEFINITION_KEYS
        if unknown:
            _fail(where, 'unknown keys %s' % sorted(map(str, unknown)))
        for key in sorted(_DEFINITION_KEYS - set(definition_cfg)):
            _fail(where, '%r is required' % key)
        event_types = definition_cfg['event_type']
        where = '%s (%s)' % (where, event_types)
        if isinstance(event_types, str):
            event_types = [event_types]
        if (not isinstance(event_types, list) or not event_types
                or not all(isinstance(t, str) and t.lstrip('!')
                           for t in event_types)):
            _fail(where, 'event_type must be a pattern or a list of them')
        included = [t for t in event_types if not t.startswith('!')]
        excluded = [t[1:] for t in event_types if t.startswith('!')]
        # Exclusions alone mean "every other type".
        if not included:
            included = ['*']
        self.is_catchall = '*' in included and not excluded
        self._included = _glob_regex(included)
        self._excluded = _glob_regex(excluded)

        traits_cfg = definition_cfg['traits']
        if traits_cfg is None:
            traits_cfg = {}
        if not isinstance(traits_cfg, dict):
            _fail(where, 'traits must be a mapping of names to traits')
        traits = dict(default_traits)
        for name, trait_cfg in traits_cfg.items():
            if not isinstance(name, str) or not name:
                _fail(where, 'trait name %r is not a text' % (name,))
            traits[name] = _TraitDefinition(name, trait_cfg, plugin_classes,
                                            where)
        self.traits = tuple(traits.values())

    def matches(self, event_type):
        return (self._included.match(event_type) is not None
                and (self._excluded is None
                     or self._excluded.match(event_type) is None))


def installed_plugins():
    """The trait plugin classes of the entry points, by name."""
    manager = stevedore.ExtensionManager(PLUGIN_NAMESPACE,
                                         invoke_on_load=False)
    return {extension.name: extension.plugin for extension in manager}


class EventConverter(object):
    """Turns old-format notification bodies into models.Event.

    :param definitions: the parsed definitions file (a list).
    :param store_raw: priorities whose events keep the notification.
    :param drop_unmatched: return None for a notification no definition
        matches, instead of an event with only the default traits.
    :param plugins: trait plugin classes by name; the installed entry
        points by default.
    """

    def __init__(self, definitions, store_raw=(), drop_unmatched=False,
                 plugins=None):
        if definitions is None:
            definitions = []
        if not isinstance(definitions, list):
            raise DefinitionError('event definitions must be a list, not a '
                                  '%s' % type(definitions).__name__)
        if plugins is None:
            plugins = installed_plugins()
        default_traits = {
            name: _TraitDefinition(name, trait_cfg, plugins, 'default traits')
            for name, trait_cfg in DEFAULT_TRAITS.items()}
        compiled = [_EventDefinition(definition_cfg, default_traits, plugins,
                                     'event definition %d' % number)
                    for number, definition_cfg in enumerate(definitions, 1)]
        # Tried newest first: the last matching definition of the file wins.
        self._definitions = compiled[::-1]
        if not drop_unmatched and not any(d.is_catchall
                                          for d in self._definitions):
            self._definitions.append(_EventDefinition(
                {'event_type': '*', 'traits': {}}, default_traits, plugins,
                'catch-all definition'))
        self._raw_levels = frozenset(str(level).strip().lower()
                                     for level in store_raw or ())
        self._by_type = {}

    def _definition_for(self, event_type):
        try:
            return self._by_type[event_type]
        except KeyError:
            pass
        found = None
        for definition in self._definitions:
            if definition.matches(event_type):
                found = definition
                break
        if len(self._by_type) >= _MATCH_CACHE_SIZE:
            self._by_type.clear()
        self._by_type[event_type] = found
        return found

    def to_event(self, priority, body):
        """The event of an old-format notification ``body``.

        :returns: a models.Event, or None when no definition matches and
            unmatched notifications are dropped.
        :raises MalformedNotification: when ``body`` is no notification.
        """
        if not isinstance(body, dict):
            raise MalformedNotification('notification is a %s, not a mapping'
                                        % type(body).__name__)
        event_type = body.get('event_type')
        if not isinstance(event_type, str) or not event_type:
            raise MalformedNotification('notification has no event_type')
        message_id = body.get('message_id')
        if not isinstance(message_id, str) or not message_id:
            raise MalformedNotification('%s notification has no message_id'
                                        % event_type)
        payload = body.get('payload')
        if payload is not None and not isinstance(payload, dict):
            raise MalformedNotification('%s notification %s: payload is a '
                                        '%s, not a mapping'
                                        % (event_type, message_id,
                                           type(payload).__name__))
        generated = _generated(body, event_type, message_id)

        definition = self._definition_for(event_type)
        if definition is None:
            LOG.debug('Dropping notification %s (%s): no event definition '
                      'matches it', event_type, message_id)
            return None
        traits = []
        for trait_definition in definition.traits:
            trait = trait_definition.to_trait(body)
            if trait is not None:
                traits.append(trait)

        if priority is None:
            priority = body.get('priority')
        keep_raw = (isinstance(priority, str)
                    and priority.lower() in self._raw_levels)
        return models.Event(message_id=message_id, event_type=event_type,
                            generated=generated, traits=traits,
                            raw=body if keep_raw else {})


def _generated(body, event_type, message_id):
    """When the notification was sent, naive UTC (now when it does not
    say, as Ceilometer did)."""
    when = body.get('timestamp') or body.get('_context_timestamp')
    if not when:
        return utils.utcnow()
    try:
        return models.parse_datetime(when)
    except (ValueError, TypeError, OverflowError):
        raise MalformedNotification('%s notification %s: timestamp %r is '
                                    'not a datetime'
                                    % (event_type, message_id, when))


def definitions_file(conf):
    """The definitions file the options name, or None when there is none.

    An existing path is taken as it is; otherwise the name is looked for
    where the configuration files are.
    """
    name = conf.event.definitions_cfg_file
    if not name:
        return None
    if os.path.isfile(name):
        return name
    try:
        return conf.find_file(name)
    except cfg.Error:
        return None


def read_definitions(path):
    """The definitions of a YAML file; DefinitionError when unreadable."""
    try:
        with open(path) as stream:
            return yaml.safe_load(stream)
    except OSError as err:
        raise DefinitionError('cannot read event definitions %s: %s'
                              % (path, err))
    except yaml.YAMLError as err:
        mark = getattr(err, 'problem_mark', None)
        if mark is None:
            raise DefinitionError('invalid YAML in event definitions %s: %s'
                                  % (path, err))
        raise DefinitionError('invalid YAML in event definitions %s at line '
                              '%d, column %d: %s'
                              % (path, mark.line + 1, mark.column + 1,
                                 getattr(err, 'problem', None) or err))


def load_converter(conf, plugins=None):
    """The EventConverter the ``[event]`` options describe."""
    conf.register_opts(OPTS, group='event')
    path = definitions_file(conf)
    if path is None:
        LOG.warning('No event definitions file %r found: events will only '
                    'have the default traits',
                    conf.event.definitions_cfg_file)
        definitions = []
    else:
        LOG.info('Event definitions from %s', path)
        definitions = read_definitions(path)
        if definitions is None:
            definitions = []
        if not isinstance(definitions, list):
            raise DefinitionError('event definitions %s: the file must hold '
                                  'a list of definitions' % path)
    try:
        return EventConverter(
            definitions, store_raw=conf.event.store_raw,
            drop_unmatched=conf.event.drop_unmatched_notifications,
            plugins=plugins)
    except DefinitionError as err:
        raise DefinitionError('%s: %s' % (path, err))
