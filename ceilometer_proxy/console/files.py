"""Serving the console's files under /console/ (a WSGI filter).

The filter sits in the paste pipeline in front of the auth filter: the
files are the same for everyone and hold no data, and a browser cannot
send a token before it has the page that asks for one. Everything the
page shows it reads afterwards from /v2 with the caller's identity, which
the API checks as for any other client.

Files are read once, at start-up, into memory (the whole console is a
few hundred kilobytes) and answered with an ETag, so a reload costs a
304. Only GET and HEAD are served; a path outside the files is a 404 in
Ceilometer's error body, like any other unknown path of the API.
"""

import hashlib
import json
import mimetypes
import os

from ceilometer_proxy.api import errors as error_bodies
from ceilometer_proxy.api import middleware
from ceilometer_proxy import console

PREFIX = '/console'
STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          'static')
TYPES = {'.js': 'text/javascript; charset=utf-8',
         '.css': 'text/css; charset=utf-8',
         '.html': 'text/html; charset=utf-8',
         '.json': 'application/json',
         '.png': 'image/png',
         '.svg': 'image/svg+xml'}
# The page loads nothing from elsewhere (uPlot is vendored), frames
# nothing and may not be framed.
SECURITY_HEADERS = [
    ('Content-Security-Policy',
     "default-src 'self'; img-src 'self' data:; "
     "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; "
     "base-uri 'none'; form-action 'none'"),
    ('X-Content-Type-Options', 'nosniff'),
    ('Referrer-Policy', 'no-referrer'),
]


class StaticFile(object):
    """One file's bytes, content type and ETag."""

    def __init__(self, body, content_type):
        self.body = body
        self.content_type = content_type
        self.etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]


def load_files(root=STATIC_DIR):
    """{url path below /console/: StaticFile} of every file under root."""
    files = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, root).replace(os.sep, '/')
            extension = os.path.splitext(name)[1].lower()
            content_type = TYPES.get(extension) or mimetypes.guess_type(
                name)[0] or 'application/octet-stream'
            with open(path, 'rb') as source:
                files[relative] = StaticFile(source.read(), content_type)
    return files


def settings_file(conf):
    """What the page needs to know before its first API call: how to
    sign in, and whether regions exist."""
    body = json.dumps({'auth_mode': conf.api.auth_mode,
                       'mode': conf.api.mode,
                       'title': conf.console.title,
                       'kwh_price': conf.console.kwh_price,
                       'currency': conf.console.currency}).encode('utf-8')
    return StaticFile(body, TYPES['.json'])


class ConsoleFiles(object):
    """WSGI filter answering GET/HEAD below /console (when enabled)."""

    def __init__(self, app, conf, root=STATIC_DIR):
        console.register_opts(conf)
        self.app = app
        self.enabled = conf.console.enabled
        self.files = load_files(root) if self.enabled else {}
        if self.enabled:
            self.files['config.json'] = settings_file(conf)

    def __call__(self, environ, start_response):
        path = environ.get('PATH_INFO', '')
        if not self.enabled or not (path == PREFIX
                                    or path.startswith(PREFIX + '/')):
            return self.app(environ, start_response)
        method = environ.get('REQUEST_METHOD')
        if method not in ('GET', 'HEAD'):
            return error_bodies.respond(
                environ, _with_allow(start_response), 405,
                'The console is read-only: %s is not allowed' % method)
        if path == PREFIX:
            # Relative module and style paths need the trailing slash.
            location = environ.get('SCRIPT_NAME', '') + PREFIX + '/'
            start_response('301 Moved Permanently',
                           [('Location', location),
                            ('Content-Length', '0')])
            return [b'']
        relative = path[len(PREFIX) + 1:] or 'index.html'
        found = self.files.get(relative)
        if found is None:
            return error_bodies.respond(
                environ, start_response, 404,
                'The resource could not be found.')
        headers = [('ETag', found.etag), ('Cache-Control', 'no-cache')]
        headers.extend(SECURITY_HEADERS)
        if environ.get('HTTP_IF_NONE_MATCH') == found.etag:
            start_response('304 Not Modified', headers)
            return [b'']
        headers.extend([('Content-Type', found.content_type),
                        ('Content-Length', str(len(found.body)))])
        start_response('200 OK', headers)
        return [b''] if method == 'HEAD' else [found.body]


def _with_allow(start_response):
    def respond(status, headers, exc_info=None):
        return start_response(status, headers + [('Allow', 'GET, HEAD')],
                              exc_info)
    return respond


def filter_factory(global_conf, **local_conf):
    """paste.deploy factory of ConsoleFiles."""
    conf = middleware.registered_conf(global_conf['configkey'])
    return lambda app: ConsoleFiles(app, conf)
