"""Small real HTTP servers and configurations for the cascading unit
tests."""

import http.server
import json
import threading

from oslo_config import cfg

from ceilometer_proxy.api import options as api_options
from ceilometer_proxy import cascading
from ceilometer_proxy import storage


def make_conf(**cascading_values):
    """A ConfigOpts with the [api], [database] and [cascading] options."""
    conf = cfg.ConfigOpts()
    conf.register_opts(api_options.API_OPTS, group='api')
    conf.register_opts(storage.OPTS, group='database')
    conf.register_opts(cascading.OPTS, group='cascading')
    conf([], default_config_files=[])
    conf.set_override('auth_mode', 'noauth', group='api')
    for key, value in cascading_values.items():
        conf.set_override(key, value, group='cascading')
    return conf


class FakeRegion(object):
    """An HTTP server answering every request with a programmed reply and
    recording what it received.

    ``reply`` is a function (method, path, query, headers, body) ->
    (status, json_body_or_None).
    """

    def __init__(self, reply):
        self.reply = reply
        self.requests = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def _serve(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else b''
                path, _, query = self.path.partition('?')
                owner.requests.append({'method': self.command, 'path': path,
                                       'query': query,
                                       'headers': dict(self.headers),
                                       'body': body})
                status, data = owner.reply(self.command, path, query,
                                           self.headers, body)
                payload = b'' if data is None else json.dumps(data).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.server.server_address[1]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
