"""Ceilometer's error bodies, in JSON or XML as the client prefers.

``{"error_message": {"faultcode": ..., "faultstring": ..., "debuginfo":
...}}`` or ``<error_message><error>...</error></error_message>``: the
shape python-ceilometerclient and other v2 clients parse.
"""

import json
import re
from xml.etree import ElementTree

import webob

# Characters XML 1.0 cannot carry (an id a client sent may hold them).
_NOT_XML = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
STATUS_TEXT = {400: 'Bad Request', 404: 'Not Found',
               405: 'Method Not Allowed', 413: 'Request Entity Too Large',
               500: 'Internal Server Error'}


def prefers_xml(environ):
    try:
        best = webob.Request(environ).accept.best_match(
            ['application/json', 'application/xml'])
    except Exception:  # an Accept header webob cannot read: JSON
        return False
    return best == 'application/xml'


def wants_plain_json(environ):
    """Whether the client takes JSON without asking for anything else
    (no Accept, ``*/*`` or ``application/json``): the answers the fast
    paths in front of pecan give (api/intake.py, api/passthrough.py)."""
    accept = environ.get('HTTP_ACCEPT', '').split(';', 1)[0].strip()
    return accept in ('', '*/*', 'application/json')


def xml_body(fault):
    root = ElementTree.Element('error_message')
    error = ElementTree.SubElement(root, 'error')
    for key in ('faultcode', 'faultstring', 'debuginfo'):
        child = ElementTree.SubElement(error, key)
        value = fault.get(key)
        if value is not None:
            child.text = _NOT_XML.sub('?', str(value))
    return ElementTree.tostring(root, encoding='utf-8')


def render(environ, fault):
    """(content type, body bytes) of a fault dict."""
    if prefers_xml(environ):
        return 'application/xml', xml_body(fault)
    return 'application/json', json.dumps(
        {'error_message': fault}).encode('utf-8')


def respond(environ, start_response, status, message, faultcode=None,
            exc_info=None):
    """Answer an error from a WSGI middleware (``exc_info`` when the
    application had started a response already: WSGI lets headers not
    yet sent be replaced)."""
    fault = {'faultcode': faultcode or ('Client' if status < 500
                                        else 'Server'),
             'faultstring': message, 'debuginfo': None}
    content_type, body = render(environ, fault)
    start_response('%d %s' % (status, STATUS_TEXT.get(status, 'Error')),
                   [('Content-Type', content_type),
                    ('Content-Length', str(len(body)))], exc_info)
    return [body]
