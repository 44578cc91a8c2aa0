"""An HTTP proxy in front of one region's API, for tests and benchmarks.

It forwards every call to the region unchanged and records it, so a test
can count the calls the cascading level makes (``count``). It can also
hold the region's answer to a chosen call (``hold``): the region has done
the work but the caller has not heard of it yet, which is the moment a
crash or a store outage of the cascading level is injected. ``down`` makes
it answer 503 without calling the region, as a failing region would, and
``inject`` breaks one chosen answer in a chosen way (a Fault).
"""

import http.server
import threading
import time

import requests

HOP_HEADERS = ('connection', 'keep-alive', 'transfer-encoding',
               'content-length', 'content-encoding')


class Fault(object):
    """How to break the answer to the next ``method`` call whose path
    starts with ``prefix``.

    :param forward: call the region first (it does the work) or not.
    :param status: the status answered instead of the region's, with
        ``body`` (bytes); None keeps the region's answer.
    :param delay: seconds to wait before answering (past the caller's
        timeout, the region has done the work and the caller never hears).
    :param drop: close the connection without answering.
    """

    def __init__(self, method, prefix, forward=True, status=None,
                 body=b'', content_type='application/json', delay=0,
                 drop=False):
        self.method = method
        self.prefix = prefix
        self.forward = forward
        self.status = status
        self.body = body
        self.content_type = content_type
        self.delay = delay
        self.drop = drop
        self.hit = threading.Event()

    def matches(self, method, path):
        return method == self.method and path.startswith(self.prefix)


class Hold(object):
    """One held answer: ``reached`` is set once the region has answered,
    the caller gets the answer after ``release()``."""

    def __init__(self, method, path, prefix=False):
        self.method = method
        self.path = path
        self.prefix = prefix
        self.reached = threading.Event()
        self.released = threading.Event()
        self.status = None

    def matches(self, method, path):
        path = path.split('?')[0]
        return method == self.method and (
            path.startswith(self.path) if self.prefix else path == self.path)

    def release(self):
        self.released.set()


class RegionProxy(object):
    """Forwards to ``target`` (a base URL) from a free loopback port."""

    def __init__(self, target):
        self.target = target.rstrip('/')
        self.calls = []
        self.holds = []
        self.faults = []
        self.busy = 0
        self.down = False
        self.lock = threading.Lock()
        self.session = requests.Session()
        self.server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), self._handler_class())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.server.server_port

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        for hold in self.holds:
            hold.release()
        self.server.shutdown()
        self.server.server_close()
        self.session.close()

    def reset(self):
        with self.lock:
            self.calls = []

    def count(self, method=None, path=None):
        """Calls seen, optionally of one method and path (no query)."""
        with self.lock:
            return sum(1 for m, p in self.calls
                       if (method is None or m == method)
                       and (path is None or p.split('?')[0] == path))

    def hold(self, method, path, prefix=False):
        """Hold the answer to the next ``method path`` call (or the
        next whose path starts with ``path``)."""
        hold = Hold(method, path, prefix)
        with self.lock:
            self.holds.append(hold)
        return hold

    def inject(self, fault):
        """Break the next matching answer as ``fault`` says."""
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self):
        with self.lock:
            self.faults = []

    def idle(self, timeout=30):
        """Wait until no call is being answered (slow faults done)."""
        deadline = time.monotonic() + timeout
        while self.busy and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self.busy

    def _take(self, items, method, path):
        with self.lock:
            for item in items:
                if item.matches(method, path):
                    items.remove(item)
                    return item
        return None

    def forward(self, method, path, headers, body):
        """(status, headers, body) of the region, or a 503 when down."""
        with self.lock:
            self.calls.append((method, path))
        if self.down:
            return 503, {'Content-Type': 'application/json'}, (
                b'{"error_message": {"faultstring": "region down"}}')
        try:
            resp = self.session.request(method, self.target + path,
                                        headers=headers, data=body,
                                        timeout=60)
        except requests.RequestException as err:
            return 502, {'Content-Type': 'text/plain'}, str(err).encode()
        return resp.status_code, resp.headers, resp.content

    def _handler_class(self):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def _relay(self):
                size = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(size) if size else None
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in HOP_HEADERS + ('host',)}
                with proxy.lock:
                    proxy.busy += 1
                try:
                    self._answer(headers, body)
                finally:
                    with proxy.lock:
                        proxy.busy -= 1

            def _answer(self, headers, body):
                fault = proxy._take(proxy.faults, self.command, self.path)
                if fault is not None and not fault.forward:
                    with proxy.lock:
                        proxy.calls.append((self.command, self.path))
                    status, out_headers, content = 200, {}, b''
                else:
                    status, out_headers, content = proxy.forward(
                        self.command, self.path, headers, body)
                if fault is not None:
                    fault.hit.set()
                    if fault.delay:
                        time.sleep(fault.delay)
                    if fault.drop:
                        self.close_connection = True
                        return
                    if fault.status is not None:
                        status, content = fault.status, fault.body
                        out_headers = {'Content-Type': fault.content_type}
                hold = proxy._take(proxy.holds, self.command, self.path)
                if hold is not None:
                    hold.status = status
                    hold.reached.set()
                    hold.released.wait(120)
                try:
                    self.send_response(status)
                    for key, value in out_headers.items():
                        if key.lower() not in HOP_HEADERS:
                            self.send_header(key, value)
                    self.send_header('Content-Length', str(len(content)))
                    self.end_headers()
                    self.wfile.write(content)
                except OSError:
                    pass  # the caller is gone (a crash being tested)

            do_GET = do_POST = do_PUT = do_DELETE = _relay

            def log_message(self, *args):
                pass

        return Handler
