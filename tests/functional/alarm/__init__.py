"""Functional tests of the alarm evaluator, and the helpers they share: a
real evaluator process and a webhook receiver on 127.0.0.1."""

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from tests import services

READY = b'ceilometer-proxy-alarm-evaluator running as'
# Keep the debug log to the evaluator's own lines.
QUIET = ('pymongo=WARN,tooz=WARN,stevedore=WARN,urllib3=WARN,'
         'oslo_policy=WARN,futurist=WARN')


class Evaluator(object):
    """A ceilometer-proxy-alarm-evaluator process with its own config.

    :param db_url: the ``[database] connection`` of the API under test.
    :param extra: {section: {option: value}} added to its config file.
    """

    def __init__(self, db_url, extra=None):
        self.dir = tempfile.mkdtemp(prefix='ceilometer-proxy-alarm-')
        self.conf_path = os.path.join(self.dir, 'evaluator.conf')
        self.log_path = os.path.join(self.dir, 'evaluator.log')
        self.err_path = os.path.join(self.dir, 'stderr.log')
        self.sections = {
            'DEFAULT': {'log_file': self.log_path, 'debug': 'true',
                        'default_log_levels': QUIET},
            'database': {'connection': db_url},
            'alarm': {'evaluation_interval': 1,
                      'rest_notifier_timeout': 2},
        }
        for section, values in (extra or {}).items():
            self.sections.setdefault(section, {}).update(values)
        self.proc = None

    def start(self, timeout=30):
        services.write_config(self.conf_path, self.sections)
        out = open(self.err_path, 'ab')
        self.proc = subprocess.Popen(
            [sys.executable, '-m', 'ceilometer_proxy.cmd.alarm',
             '--config-file', self.conf_path],
            stdout=out, stderr=out, cwd=services.REPO)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.err_path, 'rb') as f:
                if READY in f.read():
                    return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError('evaluator did not start: %s' % self.stderr())

    def stop(self, timeout=15):
        """SIGTERM; return the exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        code, self.proc = self.proc.returncode, None
        return code

    def kill(self):
        self.proc.kill()
        self.proc.wait()
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self):
        if not os.path.exists(self.log_path):
            return ''
        with open(self.log_path, encoding='utf-8', errors='replace') as f:
            return f.read()

    def stderr(self):
        return services._tail(self.err_path)

    def cycles(self):
        """{cycle number: (members, [alarm ids evaluated])} from the log."""
        found = {}
        for m in re.finditer(r'Evaluation cycle (\d+): \d+ of \d+ alarms '
                             r'assigned, (\d+) members', self.log()):
            found[int(m.group(1))] = (int(m.group(2)), [])
        for m in re.finditer(r'cycle (\d+): evaluating alarm (\S+)',
                             self.log()):
            found[int(m.group(1))][1].append(m.group(2))
        return found


class Receiver(object):
    """Records the webhook calls it gets: [(path, json body, headers)]."""

    def __init__(self):
        self.calls = []
        self.changed = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                size = int(self.headers.get('Content-Length') or 0)
                body = json.loads(self.rfile.read(size) or b'null')
                with receiver.changed:
                    receiver.calls.append((self.path, body,
                                           dict(self.headers)))
                    receiver.changed.notify_all()
                self.send_response(200)
                self.send_header('Content-Length', '0')
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      Handler)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)

    def start(self):
        self.thread.start()
        return self

    def url(self, path):
        return 'http://127.0.0.1:%d%s' % (self.server.server_port, path)

    def bodies(self, path):
        with self.changed:
            return [body for p, body, _ in self.calls if p == path]

    def wait(self, path, count=1, timeout=10.0):
        """The bodies posted to ``path`` once there are ``count`` of them
        (an AssertionError after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while len(self.bodies(path)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError('%d call(s) to %s expected, got %r'
                                         % (count, path, self.calls))
                self.changed.wait(left)
            return self.bodies(path)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
