"""The v2 controllers of cascading mode, and how its errors become HTTP.

Everything below ``/v2`` in cascading mode reuses the WSME types and the
query validation of the local-mode controllers; only where the data comes
from differs. ``api_error`` is the one place that turns a CascadingError
into Ceilometer's error answers, and ``translate_errors`` applies it to a
controller method.
"""

import inspect

import pecan
import wsme

from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.cascading import errors


class ServiceUnavailable(wsme.exc.ClientSideError):
    """503 with a faultstring naming the regions that did not answer."""

    def __init__(self, message):
        super().__init__(message, status_code=503, faultcode='Server')


def failure(err):
    """(status, faultstring) of a CascadingError.

    UnknownRegion/NoRoute/InvalidRequest -> 400, UnknownResource -> 404,
    NotAuthorized -> 401, a region's 4xx -> the same status and the
    region's faultstring, unavailable region(s) -> 503 naming them.
    """
    if isinstance(err, errors.UnknownResource):
        return 404, 'Resource %s Not Found' % err.resource_id
    if isinstance(err, errors.RegionHTTPError):
        return err.status, err.faultstring or err.message
    if isinstance(err, errors.NotAuthorized):
        return 401, err.message
    if isinstance(err, errors.RegionsUnavailable):
        return 503, err.message
    if isinstance(err, errors.RegionUnavailable):
        return 503, 'Regions unavailable: %s (%s)' % (err.region, err.reason)
    return 400, err.message


def api_error(err):
    """The exception a controller raises for a CascadingError
    (failure())."""
    status, message = failure(err)
    if status >= 500:
        return ServiceUnavailable(message)
    return base.ClientSideError(message, status_code=status)


def same_signature(func, call):
    """A function with ``func``'s name and parameters that calls
    ``call(*args, **kwargs)``.

    WSME and pecan read a controller method's parameters from its code
    (``inspect.getfullargspec``); a ``*args, **kwargs`` wrapper would hide
    them, and a ``__signature__`` would leak into WSME's own wrapper and
    change pecan's routing. So the wrapper is compiled with the same
    parameter list.
    """
    params = inspect.signature(func).parameters.values()
    if any(p.kind not in (p.POSITIONAL_OR_KEYWORD,) for p in params):
        raise TypeError('%s: only plain parameters are supported'
                        % func.__name__)
    names = [p.name for p in params]
    defaults = {p.name: p.default for p in params
                if p.default is not p.empty}
    declared = ', '.join('%s=_defaults[%r]' % (n, n) if n in defaults
                         else n for n in names)
    passed = ', '.join('%s=%s' % (n, n) for n in names)
    source = 'def %s(%s):\n    return _call(%s)\n' % (
        func.__name__, declared, passed)
    namespace = {'_call': call, '_defaults': defaults}
    exec(source, namespace)  # noqa: S102 (built from parameter names only)
    wrapper = namespace[func.__name__]
    wrapper.__doc__ = func.__doc__
    wrapper.__module__ = func.__module__
    wrapper.__qualname__ = func.__qualname__
    return wrapper


def translate_errors(func):
    """Raise api_error(err) for any CascadingError of a controller method
    (put it under ``wsexpose``)."""
    def call(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except errors.CascadingError as err:
            raise api_error(err)
    return same_signature(func, call)


def context():
    """The CascadingContext of the current request."""
    return pecan.request.cascading


def terms(query):
    """Validated base.Query objects as the plain dicts cascading takes
    (``typed_value`` added for metadata terms)."""
    out = []
    for q in query:
        term = {'field': q.field, 'op': q.op, 'value': q.value,
                'type': q.type if q.type not in (None, wsme.Unset) else ''}
        if q.field.startswith(('metadata.', 'resource_metadata.')):
            term['typed_value'] = q.get_value()
        out.append(term)
    return out
