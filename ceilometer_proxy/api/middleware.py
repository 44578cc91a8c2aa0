"""WSGI middleware: Ceilometer's error bodies, and the keystone filter.

Every 4xx/5xx answer leaves as ``{"error_message": {"faultcode": ...,
"faultstring": ...}}`` (or ``<error_message>`` XML when the client prefers
XML), whatever produced it: WSME, pecan's routing, or the auth filter.
"""

import json
import threading
import uuid
from xml.etree import ElementTree

from keystonemiddleware import auth_token
from oslo_log import log
from oslo_middleware import cors
from oslo_middleware import http_proxy_to_wsgi

from ceilometer_proxy.api import errors as error_bodies
from ceilometer_proxy.api import guards

LOG = log.getLogger(__name__)


def _fault_from_body(body, status_code, status_text):
    """The fault dict of an error body, whatever format it came in."""
    text = body.decode('utf-8', 'replace') if body else ''
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if data is None and text.lstrip().startswith('<error'):
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError:
            root = None
        if root is not None and root.find('faultstring') is not None:
            return {key: root.findtext(key) or None
                    for key in ('faultcode', 'faultstring', 'debuginfo')}
    if isinstance(data, dict) and 'faultstring' in data:
        return data
    if isinstance(data, dict) and isinstance(data.get('error_message'), dict):
        return data['error_message']
    faultstring = status_text
    if isinstance(data, dict):
        # e.g. keystonemiddleware's {"error": {"message": ...}}
        inner = data.get('error')
        if isinstance(inner, dict) and inner.get('message'):
            faultstring = inner['message']
    elif text.strip() and not text.lstrip().startswith('<'):
        faultstring = text.strip()
    return {'faultcode': 'Client' if status_code < 500 else 'Server',
            'faultstring': faultstring,
            'debuginfo': None}


class ParsableErrorMiddleware(object):
    """Replace an error body with one the v2 clients can parse."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        state = {}

        def replacement_start_response(status, headers, exc_info=None):
            state['status'] = status
            state['headers'] = headers
            state['exc_info'] = exc_info
            return lambda data: None

        app_iter = self.app(environ, replacement_start_response)
        try:
            body = b''.join(app_iter)
        finally:
            if hasattr(app_iter, 'close'):
                app_iter.close()
        status = state['status']
        headers = state['headers']
        code = int(status.split(' ', 1)[0])
        if code // 100 in (2, 3):
            start_response(status, headers, state['exc_info'])
            return [body]

        status_text = status.split(' ', 1)[1] if ' ' in status else status
        fault = _fault_from_body(body, code, status_text)
        translated = environ.get('translatable_error')
        if translated is not None:
            fault = dict(fault, faultstring=translated)
        content_type, body = error_bodies.render(environ, fault)
        headers = [(h, v) for (h, v) in headers
                   if h.lower() not in ('content-length', 'content-type')]
        headers.append(('Content-Type', content_type))
        headers.append(('Content-Length', str(len(body))))
        start_response(status, headers, state['exc_info'])
        return [body]


_CONFIGS = {}
_CONFIGS_LOCK = threading.Lock()


def register_conf(conf):
    """Make ``conf`` reachable from the paste factories (they are given
    only strings); returns the key the pipeline's global_conf carries."""
    key = str(uuid.uuid4())
    with _CONFIGS_LOCK:
        _CONFIGS[key] = conf
    return key


def registered_conf(key):
    with _CONFIGS_LOCK:
        return _CONFIGS[key]


def _registered_conf(global_conf):
    return registered_conf(global_conf['configkey'])


def auth_filter_factory(global_conf, **local_conf):
    """keystonemiddleware auth_token, configured from our own ConfigOpts."""
    conf = _registered_conf(global_conf)
    return lambda app: auth_token.AuthProtocol(
        app, {'oslo_config_config': conf})


def cors_filter_factory(global_conf, **local_conf):
    """oslo.middleware CORS with the [cors] options of our ConfigOpts."""
    conf = _registered_conf(global_conf)
    return lambda app: cors.CORS(app, conf)


def proxy_headers_filter_factory(global_conf, **local_conf):
    """Honour X-Forwarded-Proto and friends ([oslo_middleware])."""
    conf = _registered_conf(global_conf)
    return lambda app: http_proxy_to_wsgi.HTTPProxyToWSGI(app, conf)


def last_resort_filter_factory(global_conf, **local_conf):
    """Ceilometer's 500 body for anything a filter lets escape."""
    return guards.LastResort


def error_filter_factory(global_conf, **local_conf):
    """Error bodies for what the filters in front of the app refuse."""
    return ParsableErrorMiddleware
