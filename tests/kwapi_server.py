"""A Kwapi-compatible HTTP API for tests and benchmarks.

Serves ``GET /v1/probes/`` with Kwapi's payload, ``{"probes": {"<id>":
{"timestamp": <epoch>, "kwh": <float>, "w": <float>}}}``. Each request is
answered with the next of the scripted ``answers`` (the last one repeats),
so a test can play a sequence of polling cycles: counters going up, a
probe reset, a probe disappearing, junk entries, a server error.
"""

import http.server
import json
import threading

from tests import services


def probes(**entries):
    """A /probes/ answer body from probe id -> (epoch, kwh, w) or junk."""
    body = {}
    for probe_id, entry in entries.items():
        if isinstance(entry, tuple):
            epoch, kwh, watts = entry
            entry = {'timestamp': epoch, 'kwh': kwh, 'w': watts}
        body[probe_id] = entry
    return {'probes': body}


class KwapiServer(object):
    """One Kwapi API on a free loopback port; ``url`` ends in /v1.

    :param answers: list of answers, each a JSON-able body (HTTP 200) or a
        ``(status, text)`` tuple sent as it is.
    """

    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []
        self.lock = threading.Lock()
        self.port = services.free_port()
        self.httpd = None
        self.thread = None

    @property
    def url(self):
        return 'http://127.0.0.1:%d/v1' % self.port

    def next_answer(self, path, headers):
        with self.lock:
            self.requests.append((path, dict(headers)))
            if path != '/v1/probes/':
                return 404, 'Not Found'
            answer = self.answers[0]
            if len(self.answers) > 1:
                self.answers.pop(0)
        if isinstance(answer, tuple):
            return answer
        return 200, json.dumps(answer)

    def start(self):
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                status, text = server.next_answer(self.path, self.headers)
                data = text.encode('utf-8')
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(
            ('127.0.0.1', self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()
        return self

    def probe_requests(self):
        with self.lock:
            return [r for r in self.requests if r[0] == '/v1/probes/']

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None
