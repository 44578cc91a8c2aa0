"""Cascading mode: single-resource samples and statistics without pecan.

``GET /v2/meters/<meter>`` and ``GET /v2/meters/<meter>/statistics`` that
name one resource are most of what a cascading API answers, and their
answer is the region's (cascading/passthrough.py). Routing them through
pecan and WSME (controller look-up, argument conversion, objects built
and encoded again) costs more than the proxying itself, so this
middleware, in front of pecan, answers them: it applies the policy and
the project scoping the controllers apply, asks cascading.passthrough, and
sends the bytes it gets.

Whatever it is not sure of goes on to pecan untouched, whose answer is
then the one Ceilometer gives: any parameter it does not know, ``q``
lists whose lengths do not pair one to one, a body, XML wanted, a policy
refusal, another project named by a scoped caller, an invalid ``limit``,
and every question cascading.passthrough leaves (None). The region
checks the rest of the query itself (it is a v2 API); a question it
refuses (a 4xx) goes through pecan again, so that the refusal is the
API's own, in its words and with the caller's ids. A region that fails
(no answer, a 5xx, garbage) is a 503 naming it, as on the general path;
asking it again would only double the wait.
"""

import re
from urllib import parse

from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api.controllers.v2 import cascading as controllers
from ceilometer_proxy.api import errors as error_bodies
from ceilometer_proxy.api import hooks
from ceilometer_proxy.api import rbac
from ceilometer_proxy.cascading import errors
from ceilometer_proxy.cascading import passthrough

STATISTICS = re.compile(r'^/v2/meters/([^/]+)/statistics$')
SAMPLES = re.compile(r'^/v2/meters/([^/]+)$')
TERM_KEYS = ('q.field', 'q.op', 'q.type', 'q.value')
STATISTICS_KEYS = frozenset(('period', 'groupby', 'aggregate.func',
                             'aggregate.param'))
PROJECT_FIELDS = ('project', 'project_id')


class PassThrough(object):
    """The WSGI middleware (see the module).

    :param app: the pecan application behind.
    :param conf: the service's ConfigOpts.
    :param backend: the cascading backend (regions, resource map).
    """

    def __init__(self, app, conf, backend):
        self.app = app
        self.conf = conf
        self.backend = backend

    def __call__(self, environ, start_response):
        if (environ.get('REQUEST_METHOD') != 'GET' or
                not self.conf.cascading.pass_through):
            return self.app(environ, start_response)
        path = environ.get('PATH_INFO', '')
        stats = STATISTICS.match(path)
        plain = None if stats else SAMPLES.match(path)
        if not (stats or plain) or not self._plain_request(environ):
            return self.app(environ, start_response)
        meter = (stats or plain).group(1).encode('latin-1').decode('utf-8')
        try:
            body = self._answer(environ, meter, bool(stats))
        except errors.RegionHTTPError:
            # The region refused the question: the general path validates
            # it and says why in the API's own words (naming the ids the
            # caller gave, not the region's).
            body = None
        except errors.CascadingError as err:
            return self._fail(environ, start_response, err)
        if body is None:
            return self.app(environ, start_response)
        start_response('200 OK', [('Content-Type', 'application/json'),
                                  ('Content-Length', str(len(body)))])
        return [body]

    @staticmethod
    def _plain_request(environ):
        """No body, and JSON wanted."""
        if environ.get('CONTENT_LENGTH') not in (None, '', '0'):
            return False
        return error_bodies.wants_plain_json(environ)

    def _answer(self, environ, meter, statistics):
        pairs = parse.parse_qsl(environ.get('QUERY_STRING', ''),
                                keep_blank_values=True)
        terms = _terms(pairs)
        rest = [(k, v) for k, v in pairs if k not in TERM_KEYS]
        if terms is None:
            return None
        headers = hooks.request_headers(environ)
        action = 'compute_statistics' if statistics else 'get_samples'
        if not rbac.allowed(action, headers, self.conf):
            return None
        ctx = hooks.request_context(self.conf, self.backend, headers)
        if not ctx.caller.is_admin and not _scoped(terms,
                                                   ctx.caller.project_id):
            return None
        if statistics:
            if any(k not in STATISTICS_KEYS for k, _v in rest):
                return None
            return passthrough.statistics(ctx, meter, terms, rest)
        limit = self._limit(rest)
        if limit is None:
            return None
        return passthrough.samples(ctx, meter, terms, limit)

    def _limit(self, rest):
        """The limit of a samples question, or None when pecan must
        judge it (not a positive number, or another parameter)."""
        if any(k != 'limit' for k, _v in rest) or len(rest) > 1:
            return None
        if not rest:
            return self.conf.api.default_api_return_limit
        given = rest[0][1]
        if not given.isdigit() or not given.isascii() or int(given) <= 0:
            return None
        return min(int(given), base.MAX_LIMIT)

    @staticmethod
    def _fail(environ, start_response, err):
        status, message = controllers.failure(err)
        return error_bodies.respond(environ, start_response, status, message)


def _terms(pairs):
    """The q terms as dicts, when q.field and q.value pair one to one
    (and q.op, q.type too, or are left out) and no op is empty; else
    None."""
    lists = {key: [v for k, v in pairs if k == key] for key in TERM_KEYS}
    count = len(lists['q.field'])
    if len(lists['q.value']) != count or any(
            len(lists[key]) not in (0, count) for key in ('q.op', 'q.type')):
        return None
    terms = []
    for i in range(count):
        op = lists['q.op'][i] if lists['q.op'] else 'eq'
        if not op:
            return None
        kind = lists['q.type'][i] if lists['q.type'] else ''
        terms.append({'field': lists['q.field'][i], 'op': op,
                      'type': kind, 'value': lists['q.value'][i]})
    return terms


def _scoped(terms, project):
    """Whether a scoped caller's query may go on, its project added as
    the controllers add it; False when it names another project (pecan
    then refuses it)."""
    named = [t for t in terms if t['field'] in PROJECT_FIELDS]
    if any(t['value'] != project for t in named):
        return False
    if not named:
        terms.append({'field': 'project_id', 'op': 'eq', 'type': '',
                      'value': project})
    return True
