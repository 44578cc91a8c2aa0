"""/v2/events and /v2/event_types: notifications kept as typed traits.

The same controllers serve both modes: ``request.event_storage_conn`` is
the event store in local mode and the regions' fan-out in cascading mode.
Access follows Ceilometer 5.0.0: anyone may list events, but a scoped
caller (not allowed ``segregation``) sees only events whose
``project_id`` trait is their project; event types and trait listings
are for administrators.
"""

import datetime

import pecan
from pecan import rest
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api.controllers.v2 import cascading as cascading_api
from ceilometer_proxy.api import rbac
from ceilometer_proxy.event import models
from ceilometer_proxy.event import storage as event_storage
from ceilometer_proxy import query_values

TRAIT_TYPES = ('integer', 'float', 'string', 'datetime')
# Fields of the event itself (not traits) and the operators each takes:
# the timestamps bound the range whatever Liberty clients send ('eq' is
# what `ceilometer event-list -q start_timestamp=...` sends).
EVENT_FIELDS = {'event_type': ('eq',), 'message_id': ('eq',),
                'start_timestamp': ('ge', 'gt', 'eq'),
                'end_timestamp': ('le', 'lt', 'eq')}


class TraitDescription(base.Base):
    """A trait name of an event type, with its data type."""

    type = wtypes.text
    "the data type, defaults to string"

    name = wtypes.text
    "the name of the trait"

    @classmethod
    def sample(cls):
        return cls(name='service', type='string')


class Trait(base.Base):
    """A named, typed value of an event."""

    name = wtypes.text
    "The name of the trait"

    value = wtypes.text
    "the value of the trait"

    type = wtypes.text
    "the type of the trait (string, integer, float or datetime)"

    @classmethod
    def from_db_model(cls, trait):
        if trait.dtype == models.Trait.DATETIME_TYPE and isinstance(
                trait.value, datetime.datetime):
            value = trait.value.isoformat()
        else:
            value = str(trait.value)
        return cls(name=trait.name, value=value,
                   type=models.Trait.get_name_by_type(trait.dtype))

    @classmethod
    def sample(cls):
        return cls(name='service', type='string', value='compute.hostname')


class Event(base.Base):
    """A notification, as an event."""

    message_id = wtypes.text
    "The message ID for the notification"

    event_type = wtypes.text
    "The type of the event"

    traits = [Trait]
    "Event specific properties"

    generated = datetime.datetime
    "The time the event occurred"

    raw = base.JsonType()
    "The raw copy of notification"

    @classmethod
    def from_db_model(cls, event):
        return cls(message_id=event.message_id, event_type=event.event_type,
                   generated=event.generated,
                   traits=[Trait.from_db_model(t) for t in event.traits],
                   raw=event.raw or {})

    @classmethod
    def sample(cls):
        return cls(event_type='compute.instance.update',
                   generated=datetime.datetime(2015, 1, 1, 12, 0, 0),
                   message_id='94834db1-8f1b-404d-b2ec-c35901f1b7f0',
                   traits=[Trait(name='request_id', type='string',
                                 value='req-4e2d67b8-31a4-48af-bb2f'),
                           Trait(name='service', type='string',
                                 value='conductor.tem-devstack-01')],
                   raw={'status': {'nested': 'started'}})


def scoped_project():
    """The project a caller is limited to; None for administrators.

    A scoped caller without a project (a domain-scoped token, say) could
    otherwise read as unlimited: it is refused, as Ceilometer did.
    """
    user, project = rbac.get_limited_to(pecan.request.headers)
    if user and not project:
        pecan.abort(403, 'RBAC Authorization Failed')
    return project


def _timestamp(term):
    try:
        return query_values.parse_timestamp(term.value)
    except (ValueError, TypeError, OverflowError):
        raise base.ClientSideError(
            'Invalid timestamp %r for %s' % (term.value, term.field))


def _trait_filter(term):
    if term.op not in base.operation_kind:
        raise base.ClientSideError(
            'Operator %s is not supported. The supported operators are: %s'
            % (term.op, ', '.join(base.operation_kind)))
    trait_type = term.type or 'string'
    if trait_type not in TRAIT_TYPES:
        raise base.ClientSideError(
            'The data type %s is not supported. The supported data type '
            'list is: %s' % (trait_type, list(TRAIT_TYPES)))
    value = term.get_value(trait_type)
    if isinstance(value, float) and value in (float('inf'), float('-inf')):
        raise base.ClientSideError('Infinity is not a trait value')
    return {'key': term.field, 'op': term.op, trait_type: value}


def event_filter(q):
    """The storage EventFilter of a list of Query terms, scoped to the
    caller's project."""
    args = {'traits_filter': [], 'project': scoped_project()}
    for term in q:
        if not term.field:
            raise base.ClientSideError('A query needs a field')
        if term.value in (None, wtypes.Unset):
            raise base.ClientSideError('The query on %s needs a value'
                                       % term.field)
        ops = EVENT_FIELDS.get(term.field)
        if ops is None:
            args['traits_filter'].append(_trait_filter(term))
            continue
        if term.op not in ops:
            raise base.ClientSideError(
                'Operator %s is not supported for field %s; supported: %s'
                % (term.op, term.field, ', '.join(ops)))
        if term.field in ('start_timestamp', 'end_timestamp'):
            args[term.field] = _timestamp(term)
        else:
            args[term.field] = term.value
    return event_storage.EventFilter(**args)


def require_admin():
    """Event types and trait values span projects: administrators only."""
    project = scoped_project()
    if project:
        err = base.ProjectNotAuthorized(project)
        pecan.abort(err.code, err.msg)


class TraitsController(rest.RestController):
    """/v2/event_types/<type>/traits[/<name>]."""

    @wsme_pecan.wsexpose([Trait], wtypes.text, wtypes.text)
    @cascading_api.translate_errors
    def get_one(self, event_type, trait_name):
        """Every value the trait has taken on events of the type.

        :param event_type: the event type.
        :param trait_name: the trait's name.
        """
        require_admin()
        return [Trait.from_db_model(t) for t in
                pecan.request.event_storage_conn.get_traits(event_type,
                                                            trait_name)]

    @wsme_pecan.wsexpose([TraitDescription], wtypes.text)
    @cascading_api.translate_errors
    def get_all(self, event_type):
        """The trait names and types seen on events of the type.

        :param event_type: the event type.
        """
        require_admin()
        return [TraitDescription(
                name=t['name'],
                type=models.Trait.get_name_by_type(t['data_type']))
                for t in pecan.request.event_storage_conn.get_trait_types(
                    event_type)]


class EventTypesController(rest.RestController):
    """/v2/event_types."""

    traits = TraitsController()

    @wsme_pecan.wsexpose(None, wtypes.text)
    @cascading_api.translate_errors
    def get_one(self, event_type):
        """Not a resource of its own (as in Ceilometer): always 404.

        :param event_type: an event type.
        """
        require_admin()
        pecan.abort(404)

    @wsme_pecan.wsexpose([wtypes.text])
    @cascading_api.translate_errors
    def get_all(self):
        """Every event type stored."""
        require_admin()
        return list(pecan.request.event_storage_conn.get_event_types())


class EventsController(rest.RestController):
    """/v2/events."""

    # Plain Query terms: a trait term without a type is a string one.
    # (A subclass would reorder WSME's attributes, which the request
    # shape check relies on.)
    @wsme_pecan.wsexpose([Event], [base.Query], int)
    @cascading_api.translate_errors
    def get_all(self, q=None, limit=None):
        """Events matching the filters, newest first.

        :param q: filters on event_type, message_id, start_timestamp,
                  end_timestamp and on traits (with type and operator).
        :param limit: at most this many events.
        """
        rbac.enforce('events:index', pecan.request)
        limit = base.positive_limit(limit, pecan.request.cfg)
        found = pecan.request.event_storage_conn.get_events(
            event_filter(q or []), limit=limit)
        return [Event.from_db_model(e) for e in found]

    @wsme_pecan.wsexpose(Event, wtypes.text)
    @cascading_api.translate_errors
    def get_one(self, message_id):
        """One event.

        :param message_id: the message id of its notification.
        """
        rbac.enforce('events:show', pecan.request)
        wanted = event_storage.EventFilter(message_id=message_id,
                                           project=scoped_project())
        found = list(pecan.request.event_storage_conn.get_events(wanted,
                                                                 limit=1))
        if not found:
            raise base.EntityNotFound('Event', message_id)
        return Event.from_db_model(found[0])
