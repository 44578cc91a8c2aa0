"""Sending fuzzed requests and checking what every answer must be.

For every request, whatever it is:

- the status is below 500;
- an error answer has Ceilometer's body (``error_message`` with a
  ``faultstring``, JSON or XML as the client asked);
- no traceback or interpreter text leaks into the body;
- the caller (a plain member of the *other* project) sees none of the
  seeded project's hidden values.

A Campaign counts what it sent, so a long run can say how many requests
found nothing.
"""

import json
import re
import threading
from xml.etree import ElementTree

import requests

HIDDEN = 'hidden-a-'
TRACEBACK = re.compile(r'Traceback \(most recent call last\)|File "/|'
                       r'\bline \d+, in \w|<module>|site-packages')


class Campaign(object):
    """Requests against one API as one caller.

    :param url: base URL of the API.
    :param headers: the caller's identity headers.
    :param log: a function giving the server's log tail (for reports).
    """

    def __init__(self, url, headers, log=lambda: ''):
        self.url = url.rstrip('/')
        self.headers = headers
        self.log = log
        self.session = requests.Session()
        self.session.trust_env = False
        self.lock = threading.Lock()
        self.sent = 0
        self.server_errors = 0
        self.leaks = 0

    def send(self, request):
        """Send one drawn request; AssertionError says what was wrong."""
        headers = dict(request['headers'], **self.headers)
        url, params = self.url + request['path'], request['params']
        if request.get('raw_query'):
            url, params = url + '?' + request['raw_query'], None
        try:
            resp = self._request(request, url, params, headers)
        except requests.ConnectionError:
            # A kept-alive connection the server closed as it idled out
            # (the server's keep-alive timeout) fails like this before
            # any answer; the same request on a new connection is what
            # tells a closed socket from a worker that died of it.
            self.session.close()
            resp = self._request(request, url, params, headers)
        with self.lock:
            self.sent += 1
        problem = self.problem(resp)
        if problem:
            with self.lock:
                if resp.status_code >= 500:
                    self.server_errors += 1
                if problem.startswith('leak'):
                    self.leaks += 1
            raise AssertionError('%s\nrequest: %s %s params=%r data=%r '
                                 'headers=%r\nanswer %s: %s\nserver log:\n%s'
                                 % (problem, request['method'],
                                    request['path'], request['params'],
                                    (request['data'] or b'')[:300],
                                    request['headers'], resp.status_code,
                                    resp.text[:1500], self.log()[-3000:]))
        return resp

    def _request(self, request, url, params, headers):
        return self.session.request(request['method'], url, params=params,
                                    data=request['data'], headers=headers,
                                    timeout=120)

    @staticmethod
    def problem(resp):
        """What is wrong with an answer, or None."""
        text = resp.text
        if HIDDEN in text:
            return 'leak: the other project\'s data in the answer'
        if TRACEBACK.search(text):
            return 'traceback text in the answer'
        if resp.status_code >= 500:
            return 'server error %d' % resp.status_code
        if resp.status_code >= 400:
            return error_body_problem(resp)
        return None


def error_body_problem(resp):
    """None if an error answer has Ceilometer's body."""
    content_type = resp.headers.get('Content-Type', '')
    if 'xml' in content_type:
        try:
            root = ElementTree.fromstring(resp.content)
        except ElementTree.ParseError:
            return 'error body is not XML'
        if root.tag != 'error_message' or root.find(
                'error/faultstring') is None:
            return 'XML error body without error_message/faultstring'
        return None
    try:
        data = json.loads(resp.content)
    except ValueError:
        return 'error body is not JSON'
    fault = data.get('error_message') if isinstance(data, dict) else None
    if not isinstance(fault, dict) or not isinstance(
            fault.get('faultstring'), str) or not fault['faultstring']:
        return 'error body without error_message.faultstring'
    return None
