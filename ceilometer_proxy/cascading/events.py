"""Events at the cascading level: every v2 region's, as one store's.

Each region keeps the events of its own notifications, so a question
fans out to all of them and the answers are merged newest first with the
limit applied to the whole, as one store would have answered. Event types
and trait descriptions are unions; one event is looked for in every
region. Regions whose kind keeps no events (Gnocchi + Aodh) cannot
answer and are handled by ``[cascading] partial_results`` like any
other fan-out.

A scoped caller's project is added to every question as a ``project_id``
trait filter, so tenant rules hold even when the regions are asked with
the service's own (admin) token. CascadingEvents serves the interface of
an event storage driver, so the API controllers are those of local mode.

A region's notifications name its resources by the region's own ids.
The traits of ``[cascading] event_resource_traits`` (instance_id and the
like) are shown with the cascading ids of the resource map instead, as
samples are, and a filter on one of them asks the resource's region for
its own id: an instance's lifecycle is found by the id the user knows.
"""

import datetime
import heapq

from oslo_config import cfg

from ceilometer_proxy.cascading import errors
from ceilometer_proxy.cascading import metering
from ceilometer_proxy.event import models
from ceilometer_proxy import query_values

OPTS = [
    cfg.ListOpt('event_resource_traits',
                default=['instance_id', 'resource_id', 'volume_id',
                         'image_id', 'snapshot_id'],
                help='Event traits whose values are resource ids: a '
                     'region\'s id is shown as the cascading id of the '
                     'resource map, and a filter on one asks the '
                     'resource\'s region for its own id.'),
]

CAPABILITIES = {'events': {'query': {'simple': True}}}
TYPE_NAMES = ('string', 'integer', 'float', 'datetime')


def _text(value, type_name=None):
    if hasattr(value, 'isoformat'):
        return value.isoformat()
    if type_name == 'integer' and isinstance(value, float):
        # Beyond 64 bits the API keeps integers as floats; the region
        # must still read an integer.
        return '%d' % value
    return str(value)


def query_of(event_filter, region_value=lambda key, value: value):
    """The v2 ``q`` terms asking a region for an EventFilter's events.

    :param region_value: (trait name, string value) -> the value to ask
        this region for (its own id of a cascading resource id).
    """
    terms = []
    for field in ('event_type', 'message_id'):
        value = getattr(event_filter, field)
        if value is not None:
            terms.append({'field': field, 'op': 'eq', 'value': value})
    for field, op in (('start_timestamp', 'ge'), ('end_timestamp', 'le')):
        value = getattr(event_filter, field)
        if value is not None:
            terms.append({'field': field, 'op': op, 'value': _text(value)})
    for trait in event_filter.traits_filter:
        for type_name in TYPE_NAMES:
            if trait.get(type_name) is not None:
                value = _text(trait[type_name], type_name)
                if type_name == 'string':
                    value = region_value(trait['key'], value)
                terms.append({'field': trait['key'],
                              'op': trait.get('op') or 'eq',
                              'type': type_name, 'value': value})
    if event_filter.project is not None:
        terms.append({'field': 'project_id', 'op': 'eq', 'type': 'string',
                      'value': event_filter.project})
    return terms


def event_of(region, answer):
    """A region's event (decoded JSON) as a models.Event; an answer that
    is not one makes the region unavailable, never a 500."""
    try:
        traits = [models.Trait(t['name'],
                               models.Trait.get_type_by_name(t['type']),
                               t['value'])
                  for t in answer.get('traits') or ()]
        event = models.Event(
            message_id=str(answer['message_id']),
            event_type=str(answer['event_type']),
            generated=query_values.parse_timestamp(answer['generated']),
            traits=traits, raw=answer.get('raw') or {})
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise errors.RegionUnavailable(
            region, 'the answer is not an event (%s)' % err)
    if any(t.dtype is None for t in traits):
        raise errors.RegionUnavailable(region, 'unknown trait type')
    return event


def newest_first(event):
    # Naive UTC datetimes: no .timestamp(), which would read local time.
    return (datetime.datetime.max - event.generated, event.message_id)


def merge_events(answers, limit):
    """Events of every region, newest first, each once, at most
    ``limit``.

    :param answers: lists of models.Event, each newest first.
    """
    merged = heapq.merge(*answers, key=newest_first)
    seen = set()
    out = []
    for event in merged:
        if limit and len(out) >= limit:
            break
        if event.message_id in seen:
            continue
        seen.add(event.message_id)
        out.append(event)
    return out


class ResourceIds(object):
    """Resource-id traits between a region's ids and the cascading ones,
    for one request (map look-ups cached by metering.IdTranslator)."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.names = frozenset(ctx.conf.cascading.event_resource_traits)
        self.translate = metering.IdTranslator(ctx)

    def for_region(self, region):
        """region_value for query_of: an equality on a cascading id of
        this region's resource asks for the region's own id."""
        def value(key, text):
            if key not in self.names:
                return text
            row = self.ctx.resource_map.get(text)
            if row is not None and row['region'] == region:
                return row['cascaded_resource_id']
            return text
        return value

    def shown(self, region, event):
        """The event with its resource-id traits in cascading ids."""
        for trait in event.traits:
            if (trait.name in self.names and
                    trait.dtype == models.Trait.TEXT_TYPE and trait.value):
                trait.value = self.translate(region, trait.value)
        return event


class CascadingEvents(object):
    """The event backend of one cascading request.

    :param ctx: the request's CascadingContext.
    """

    def __init__(self, ctx):
        self.ctx = ctx
        self.ids = ResourceIds(ctx)

    @staticmethod
    def get_capabilities():
        return CAPABILITIES

    @staticmethod
    def get_storage_capabilities():
        return {'storage': {'production_ready': True}}

    def _ask(self, question):
        """{region: answer} of every region (partial-results policy)."""
        caller = self.ctx.caller
        return self.ctx.fan_out(
            self.ctx.regions.names(),
            lambda region: question(region, self.ctx.driver(region), caller))

    def _events(self, region, driver, caller, event_filter, limit):
        """A region's events of the filter, with cascading ids."""
        query = query_of(event_filter, self.ids.for_region(region))
        return [self.ids.shown(region, event_of(region, e))
                for e in driver.events(caller, query, limit)]

    def get_events(self, event_filter, limit=None):
        if event_filter.message_id is not None:
            return self._one(event_filter)

        def ask(region, driver, caller):
            return sorted(self._events(region, driver, caller, event_filter,
                                       limit), key=newest_first)
        return merge_events(self._ask(ask).values(), limit)

    def _one(self, event_filter):
        """The event of this id, in whichever region has it."""
        def ask(region, driver, caller):
            return self._events(region, driver, caller, event_filter, 1)[:1]
        for events in self._ask(ask).values():
            if events:
                return events
        return []

    def get_event_types(self):
        answers = self._ask(
            lambda region, driver, caller: driver.event_types(caller))
        return sorted({str(t) for types in answers.values() for t in types})

    def get_trait_types(self, event_type):
        answers = self._ask(
            lambda region, driver, caller: driver.trait_descriptions(
                caller, event_type))
        found = set()
        for region, descriptions in answers.items():
            for description in descriptions:
                dtype = models.Trait.get_type_by_name(
                    description.get('type'))
                if dtype is None or not description.get('name'):
                    raise errors.RegionUnavailable(
                        region, 'the answer is not a trait description')
                found.add((description['name'], dtype))
        return [{'name': name, 'data_type': dtype}
                for name, dtype in sorted(found)]

    def get_traits(self, event_type, trait_name=None):
        answers = self._ask(
            lambda region, driver, caller: driver.trait_values(
                caller, event_type, trait_name))
        traits = []
        for region in sorted(answers):
            for trait in answers[region]:
                try:
                    traits.append(models.Trait(
                        trait['name'],
                        models.Trait.get_type_by_name(trait['type']),
                        trait['value']))
                except (KeyError, TypeError) as err:
                    raise errors.RegionUnavailable(
                        region, 'the answer is not a trait (%s)' % err)
        return traits
