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
"""

import datetime
import heapq

from ceilometer_proxy.cascading import errors
from ceilometer_proxy.event import models
from ceilometer_proxy import query_values

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


def query_of(event_filter):
    """The v2 ``q`` terms asking a region for an EventFilter's events."""
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
                terms.append({'field': trait['key'],
                              'op': trait.get('op') or 'eq',
                              'type': type_name,
                              'value': _text(trait[type_name],
                                             type_name)})
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


class CascadingEvents(object):
    """The event backend of one cascading request.

    :param ctx: the request's CascadingContext.
    """

    def __init__(self, ctx):
        self.ctx = ctx

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

    def get_events(self, event_filter, limit=None):
        query = query_of(event_filter)
        if event_filter.message_id is not None:
            return self._one(event_filter.message_id, query)

        def ask(region, driver, caller):
            events = [event_of(region, e)
                      for e in driver.events(caller, query, limit)]
            return sorted(events, key=newest_first)
        return merge_events(self._ask(ask).values(), limit)

    def _one(self, message_id, query):
        """The event of this id, in whichever region has it."""
        def ask(region, driver, caller):
            found = driver.events(caller, query, 1)
            return [event_of(region, e) for e in found[:1]]
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
