"""ParsableErrorMiddleware around tiny WSGI applications."""

import json
from xml.etree import ElementTree

import pytest
import webtest

from ceilometer_proxy.api import middleware


def make_app(status, body=b'', content_type='text/plain', extra=None,
             translated=None):
    """A WSGI app answering ``status`` with ``body``; it records calls."""
    calls = {'closed': 0}

    class Body(list):
        def close(self):
            calls['closed'] += 1

    def app(environ, start_response):
        if translated is not None:
            environ['translatable_error'] = translated
        headers = [('Content-Type', content_type),
                   ('Content-Length', str(len(body)))]
        headers.extend(extra or [])
        start_response(status, headers)
        return Body([body])

    wrapped = webtest.TestApp(middleware.ParsableErrorMiddleware(app))
    return wrapped, calls


def get(app, accept=None, status='*'):
    headers = {'Accept': accept} if accept else {}
    return app.get('/anything', headers=headers, status=status,
                   expect_errors=True)


def xml_error(resp):
    root = ElementTree.fromstring(resp.body)
    assert root.tag == 'error_message'
    error = root.find('error')
    assert [child.tag for child in error] == ['faultcode', 'faultstring',
                                              'debuginfo']
    return {child.tag: child.text for child in error}


# -- successful answers pass untouched ---------------------------------------

@pytest.mark.parametrize('status', ['200 OK', '201 Created',
                                    '202 Accepted', '302 Found'])
def test_success_and_redirects_are_untouched(status):
    body = b'{"ok": true}'
    app, calls = make_app(status, body, 'application/json',
                          extra=[('X-Custom', 'kept')])
    resp = get(app, accept='application/xml')
    assert resp.status == status
    assert resp.body == body
    assert resp.headers['Content-Type'] == 'application/json'
    assert resp.headers['X-Custom'] == 'kept'
    assert calls['closed'] == 1


# -- JSON error bodies --------------------------------------------------------

def test_wsme_json_fault_is_wrapped():
    fault = {'faultcode': 'Client', 'faultstring': 'Limit must be positive',
             'debuginfo': None}
    app, calls = make_app('400 Bad Request', json.dumps(fault).encode(),
                          'application/json')
    resp = get(app)
    assert resp.status_int == 400
    assert resp.content_type == 'application/json'
    assert resp.json == {'error_message': fault}
    assert resp.headers['Content-Length'] == str(len(resp.body))
    assert calls['closed'] == 1


def test_already_wrapped_fault_is_not_wrapped_twice():
    fault = {'faultcode': 'Client', 'faultstring': 'nope',
             'debuginfo': None}
    app, _ = make_app('404 Not Found',
                      json.dumps({'error_message': fault}).encode(),
                      'application/json')
    assert get(app).json == {'error_message': fault}


def test_keystone_style_error_message_is_used():
    body = json.dumps({'error': {'code': 401, 'title': 'Unauthorized',
                                 'message': 'The request you have made '
                                            'requires authentication.'}})
    app, _ = make_app('401 Unauthorized', body.encode(), 'application/json')
    resp = get(app)
    assert resp.status_int == 401
    assert resp.json == {'error_message': {
        'faultcode': 'Client',
        'faultstring': 'The request you have made requires authentication.',
        'debuginfo': None}}


def test_plain_text_body_becomes_the_faultstring():
    app, _ = make_app('403 Forbidden', b'  RBAC Authorization Failed \n')
    resp = get(app)
    assert resp.status_int == 403
    assert resp.content_type == 'application/json'
    assert resp.json['error_message'] == {
        'faultcode': 'Client', 'faultstring': 'RBAC Authorization Failed',
        'debuginfo': None}


def test_html_body_gives_the_status_text():
    html = b'<html><body><h1>404 Not Found</h1></body></html>'
    app, _ = make_app('404 Not Found', html, 'text/html')
    assert get(app).json['error_message'] == {
        'faultcode': 'Client', 'faultstring': 'Not Found',
        'debuginfo': None}


@pytest.mark.parametrize('status,code,text', [
    ('405 Method Not Allowed', 'Client', 'Method Not Allowed'),
    ('500 Internal Server Error', 'Server', 'Internal Server Error'),
    ('503 Service Unavailable', 'Server', 'Service Unavailable'),
])
def test_empty_body_gives_status_text_and_fault_side(status, code, text):
    app, _ = make_app(status, b'')
    resp = get(app)
    assert resp.status == status
    assert resp.json == {'error_message': {
        'faultcode': code, 'faultstring': text, 'debuginfo': None}}


def test_json_without_fault_fields_gives_the_status_text():
    app, _ = make_app('409 Conflict', b'{"something": "else"}',
                      'application/json')
    assert get(app).json['error_message']['faultstring'] == 'Conflict'
    app, _ = make_app('400 Bad Request', b'[1, 2, 3]', 'application/json')
    assert get(app).json['error_message']['faultstring'] == '[1, 2, 3]'


def test_undecodable_body_does_not_break_the_middleware():
    app, _ = make_app('400 Bad Request', b'\xff\xfe bad bytes')
    resp = get(app)
    assert resp.status_int == 400
    assert resp.json['error_message']['faultcode'] == 'Client'
    assert 'bad bytes' in resp.json['error_message']['faultstring']


def test_translated_text_replaces_the_faultstring():
    fault = {'faultcode': 'Client', 'faultstring': 'original',
             'debuginfo': None}
    app, _ = make_app('400 Bad Request', json.dumps(fault).encode(),
                      'application/json', translated='translated text')
    assert get(app).json['error_message'] == {
        'faultcode': 'Client', 'faultstring': 'translated text',
        'debuginfo': None}


def test_other_headers_are_kept_and_lengths_fixed():
    app, _ = make_app('404 Not Found', b'gone', 'text/plain',
                      extra=[('X-Openstack-Request-Id', 'req-1')])
    resp = get(app)
    assert resp.headers['X-Openstack-Request-Id'] == 'req-1'
    assert resp.headers.getall('Content-Type') == ['application/json']
    assert resp.headers.getall('Content-Length') == [str(len(resp.body))]


# -- XML error bodies ---------------------------------------------------------

@pytest.mark.parametrize('accept', ['application/xml',
                                    'application/xml,*/*',
                                    'application/json;q=0.8,application/xml',
                                    'text/html,application/xml'])
def test_xml_body_when_xml_is_preferred(accept):
    fault = {'faultcode': 'Client', 'faultstring': 'Sample x Not Found',
             'debuginfo': None}
    app, _ = make_app('404 Not Found', json.dumps(fault).encode(),
                      'application/json')
    resp = get(app, accept=accept)
    assert resp.status_int == 404
    assert resp.content_type == 'application/xml'
    assert xml_error(resp) == {'faultcode': 'Client',
                               'faultstring': 'Sample x Not Found',
                               'debuginfo': None}
    assert resp.headers['Content-Length'] == str(len(resp.body))


@pytest.mark.parametrize('accept', ['application/json',
                                    'application/json,application/xml',
                                    'application/xml;q=0.8, application/json',
                                    'text/html,*/*', '*/*', 'text/plain'])
def test_json_body_otherwise(accept):
    app, _ = make_app('400 Bad Request', b'oops')
    resp = get(app, accept=accept)
    assert resp.content_type == 'application/json'
    assert resp.json['error_message']['faultstring'] == 'oops'


def test_xml_fault_from_the_app_is_wrapped():
    body = (b'<error><faultcode>Client</faultcode>'
            b'<faultstring>Bad limit</faultstring>'
            b'<debuginfo /></error>')
    app, _ = make_app('400 Bad Request', body, 'application/xml')
    resp = get(app, accept='application/xml')
    assert xml_error(resp) == {'faultcode': 'Client',
                               'faultstring': 'Bad limit',
                               'debuginfo': None}
    resp = get(app, accept='application/json')
    assert resp.json == {'error_message': {'faultcode': 'Client',
                                           'faultstring': 'Bad limit',
                                           'debuginfo': None}}


def test_xml_special_characters_are_escaped():
    fault = {'faultcode': 'Client', 'faultstring': 'a < b & "c"',
             'debuginfo': None}
    app, _ = make_app('400 Bad Request', json.dumps(fault).encode(),
                      'application/json')
    resp = get(app, accept='application/xml')
    assert xml_error(resp)['faultstring'] == 'a < b & "c"'


def test_translated_text_in_xml():
    app, _ = make_app('400 Bad Request', b'original',
                      translated='texte traduit \xe9')
    resp = get(app, accept='application/xml,*/*')
    assert xml_error(resp)['faultstring'] == 'texte traduit \xe9'


def test_server_error_in_xml():
    app, _ = make_app('500 Internal Server Error', b'')
    resp = get(app, accept='application/xml')
    assert xml_error(resp) == {'faultcode': 'Server',
                               'faultstring': 'Internal Server Error',
                               'debuginfo': None}
