"""Pecan hooks: what every request carries into the controllers."""

import collections
import json

from pecan import hooks
import webob.exc
import webob.request
from wsme import types as wtypes

from ceilometer_proxy.api import body_types
from ceilometer_proxy.api import guards
from ceilometer_proxy.api import rbac
from ceilometer_proxy.cascading import caller as cascading_caller
from ceilometer_proxy.cascading import context as cascading_context


class ConfigHook(hooks.PecanHook):
    """Attach the service configuration (``request.cfg``)."""

    def __init__(self, conf):
        self.conf = conf

    def before(self, state):
        state.request.cfg = self.conf


class BackendHook(hooks.PecanHook):
    """Attach the metering backend (``request.storage_conn``).

    In local mode that is the MongoDB driver; in cascading mode it is the
    proxy, which serves the same interface.
    """

    def __init__(self, conn):
        self.conn = conn

    def before(self, state):
        state.request.storage_conn = self.conn


class AlarmBackendHook(hooks.PecanHook):
    """Attach the alarm store (``request.alarm_storage_conn``)."""

    def __init__(self, conn):
        self.conn = conn

    def before(self, state):
        state.request.alarm_storage_conn = self.conn


class EventBackendHook(hooks.PecanHook):
    """Attach the event store (``request.event_storage_conn``).

    In cascading mode it is the regions' fan-out, bound to the request's
    CascadingContext (so it runs after the CascadingHook).

    :param conn: the event storage driver, or a function of the request
        giving the request's event backend.
    """

    def __init__(self, conn):
        self.conn = conn

    def before(self, state):
        conn = self.conn
        if callable(conn):
            conn = conn(state.request)
        state.request.event_storage_conn = conn


class TranslationHook(hooks.PecanHook):
    """Hand a ClientSideError's text to the error middleware."""

    def after(self, state):
        if hasattr(state.response, 'translatable_error'):
            state.request.environ['translatable_error'] = (
                state.response.translatable_error)


def _bad_request(message):
    body = json.dumps({'faultcode': 'Client', 'faultstring': message,
                       'debuginfo': None})
    return webob.exc.HTTPBadRequest(body=body,
                                    content_type='application/json',
                                    charset='utf-8')


class RequestShapeHook(hooks.PecanHook):
    """Refuse malformed requests before WSME parses them.

    WSME answers 500 when a JSON body is not the object or list the call
    takes, or when a list parameter such as ``q`` has more ``q.op`` (or
    ``q.type``, ``q.value``) items than ``q.field`` ones; these are the
    client's mistakes: 400. Fewer items are fine: they pair with the first
    queries, as Ceilometer's clients rely on.
    """

    def before(self, state):
        self._check_array_params(state.request)
        funcdef = getattr(state.controller, '_wsme_definition', None)
        body_type = getattr(funcdef, 'body_type', None)
        body = state.request.environ.get(guards.JSON_BODY)
        if body_type is not None and body is not None:
            self._check_body(body, body_type)

    @staticmethod
    def _check_array_params(request):
        counts = collections.defaultdict(dict)
        for key in request.params.keys():
            prefix, dot, attr = key.partition('.')
            if dot and attr and '.' not in attr:
                counts[prefix][attr] = len(request.params.getall(key))
        for prefix, attrs in counts.items():
            # WSME fills items attribute by attribute in name order; the
            # first attribute present sets how many items there are.
            first = attrs[min(attrs)]
            extra = sorted(a for a, n in attrs.items() if n > first)
            if extra:
                raise _bad_request(
                    'There are more %s.%s parameters than %s.%s ones'
                    % (prefix, extra[0], prefix, min(attrs)))

    @staticmethod
    def _check_body(body, body_type):
        """The JSON body (parsed by guards.RequestLimits) is the list or
        object the call takes, every field of its declared JSON type."""
        if isinstance(body_type, wtypes.ArrayType):
            if not isinstance(body, list) or not all(
                    isinstance(item, dict) for item in body):
                raise _bad_request('The body must be a JSON list of objects')
        elif wtypes.iscomplex(body_type) and not isinstance(body, dict):
            raise _bad_request('The body must be a JSON object')
        try:
            body_types.check(body_type, body)
        except body_types.WrongType as err:
            raise _bad_request(str(err))


class CascadingHook(hooks.PecanHook):
    """Give each request of cascading mode its CascadingContext.

    ``request.cascading`` carries the caller (from the identity headers),
    the regions and the resource map; after the call, the regions a fan-out
    had to leave out (``[cascading] partial_results = true``) are listed in
    the X-Cascading-Missing-Regions response header.

    :param conf: the service's ConfigOpts.
    :param backend: the cascading backend (``regions``, ``resource_map``).
    """

    def __init__(self, conf, backend):
        self.conf = conf
        self.backend = backend

    def before(self, state):
        state.request.cascading = request_context(
            self.conf, self.backend, state.request.headers)

    def after(self, state):
        context = getattr(state.request, 'cascading', None)
        if context is not None and context.missing_regions:
            state.response.headers[
                cascading_context.MISSING_REGIONS_HEADER] = ','.join(
                    context.missing_regions)


def request_headers(environ):
    """The request headers of a WSGI environ, as webob reads them."""
    return webob.request.EnvironHeaders(environ)


def request_context(conf, backend, headers):
    """A request's CascadingContext: its caller (asked of the policy
    whether it is an administrator only when that matters), the regions
    and the resource map."""
    caller = cascading_caller.Caller.from_headers(
        headers, admin=lambda: rbac.is_admin(headers, conf))
    return cascading_context.CascadingContext(
        conf, caller, backend.regions, backend.resource_map)
