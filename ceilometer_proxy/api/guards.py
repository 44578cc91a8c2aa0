"""The edge of the API: what a request may be, and the last resort.

RequestLimits refuses, before any framework code reads them, requests
that would otherwise reach a parser as something it cannot take: bodies
larger than ``[api] max_request_body_size`` (413), bodies, query strings
or paths that are not UTF-8, JSON that is not JSON, nested deeper than
``[api] max_json_depth`` or with lists longer than ``[api]
max_json_list_length`` (400). The JSON it parsed is left in the WSGI
environ (``ceilometer_proxy.json_body``) for the shape checks after it,
so a body is parsed by this layer once.

LastResort turns any exception that escapes the application into
Ceilometer's error body, status 500 with the request id; the traceback
goes to the log only, and the WSGI server's own error text never reaches
a client.
"""

import io
import json
import re
import sys
from urllib import parse

from oslo_config import cfg
from oslo_log import log

from ceilometer_proxy.api import errors as error_bodies

LOG = log.getLogger(__name__)

JSON_BODY = 'ceilometer_proxy.json_body'
REQUEST_ID = 'openstack.request_id'
JSON_TYPES = ('', 'application/json', 'text/json')

OPTS = [
    cfg.IntOpt('max_request_body_size', default=4 * 1024 * 1024, min=1024,
               help='Largest request body accepted, in bytes; larger ones '
                    'are answered 413.'),
    cfg.IntOpt('max_json_depth', default=32, min=2,
               help='Deepest nesting of JSON arrays and objects accepted '
                    'in a request body.'),
    cfg.IntOpt('max_json_list_length', default=10000, min=1,
               help='Longest JSON array accepted in a request body (a '
                    'POST of samples, say).'),
]

# Strings, and the brackets outside them.
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r'[\[\]{}]')


class Refused(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def json_depth(text):
    """The deepest nesting of arrays and objects in JSON text (cheap: the
    strings are skipped by a regular expression)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match.group() in '[{':
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def longest_list(value):
    """The length of the longest array in a decoded JSON value."""
    if isinstance(value, list):
        return max([len(value)] + [longest_list(v) for v in value])
    if isinstance(value, dict):
        return max([0] + [longest_list(v) for v in value.values()])
    return 0


def _utf8(raw, what):
    try:
        return raw.decode('utf-8')
    except UnicodeDecodeError as err:
        raise Refused(400, '%s is not UTF-8: %s' % (what, err))


def _content_type(environ):
    return (environ.get('CONTENT_TYPE') or '').split(';')[0].strip().lower()


class RequestLimits(object):
    """Refuse what the parsers after it cannot take (module docstring).

    :param app: the WSGI application behind.
    :param conf: the service's ConfigOpts ([api] limits).
    """

    def __init__(self, app, conf):
        self.app = app
        self.conf = conf

    def __call__(self, environ, start_response):
        try:
            self.check(environ)
        except Refused as err:
            return error_bodies.respond(environ, start_response, err.status,
                                        err.message)
        return self.app(environ, start_response)

    def check(self, environ):
        # WSGI hands the path over as latin-1 decoded bytes.
        _utf8(environ.get('PATH_INFO', '').encode('latin-1', 'replace'),
              'The path')
        _utf8(parse.unquote_to_bytes(environ.get('QUERY_STRING', '')),
              'The query string')
        body = self._read_body(environ)
        if not body:
            return
        text = _utf8(body, 'The body')
        if _content_type(environ) not in JSON_TYPES:
            return
        self._check_json(environ, text)

    def _read_body(self, environ):
        limit = self.conf.api.max_request_body_size
        try:
            length = int(environ.get('CONTENT_LENGTH') or 0)
        except ValueError:
            raise Refused(400, 'Content-Length is not a number')
        if length > limit:
            raise Refused(413, 'The body is larger than %d bytes' % limit)
        stream = environ.get('wsgi.input')
        body = stream.read(length) if stream is not None and length else b''
        environ['wsgi.input'] = io.BytesIO(body)
        environ['CONTENT_LENGTH'] = str(len(body))
        return body

    def _check_json(self, environ, text):
        api = self.conf.api
        if json_depth(text) > api.max_json_depth:
            raise Refused(400, 'The body nests JSON deeper than %d levels'
                          % api.max_json_depth)
        try:
            value = json.loads(text)
        except ValueError as err:
            raise Refused(400, 'The body is not valid JSON: %s' % err)
        if longest_list(value) > api.max_json_list_length:
            raise Refused(400, 'The body has a JSON list longer than %d '
                          'items' % api.max_json_list_length)
        environ[JSON_BODY] = value


class LastResort(object):
    """Any exception escaping the application: a 500 in Ceilometer's
    shape, naming the request id, with the traceback in the log only."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        started = []

        def recording_start_response(status, headers, exc_info=None):
            started.append(status)
            return start_response(status, headers, exc_info)

        try:
            result = self.app(environ, recording_start_response)
            # Drain here: an error while the body is made is ours too.
            body = b''.join(result)
            if hasattr(result, 'close'):
                result.close()
            return [body]
        except Exception:
            request_id = environ.get(REQUEST_ID) or 'unknown'
            LOG.exception('Unexpected error in request %s (%s %s)',
                          request_id, environ.get('REQUEST_METHOD'),
                          environ.get('PATH_INFO'))
            # The body was drained here, so nothing has been sent yet even
            # when the application had started its response.
            return error_bodies.respond(
                environ, start_response, 500,
                'Internal Server Error (request %s)' % request_id,
                faultcode='Server',
                exc_info=sys.exc_info() if started else None)
