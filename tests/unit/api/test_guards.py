"""RequestLimits and LastResort around tiny WSGI applications."""

import json

from oslo_config import cfg
import pytest
import webtest

from ceilometer_proxy.api import guards


def make_conf(**api):
    conf = cfg.ConfigOpts()
    conf.register_opts(guards.OPTS, group='api')
    conf([])
    for name, value in api.items():
        conf.set_override(name, value, group='api')
    return conf


def echo(environ, start_response):
    """Answers what the layer before it left: the parsed body, if any."""
    parsed = environ.get(guards.JSON_BODY, 'unparsed')
    raw = environ['wsgi.input'].read()
    body = json.dumps({'parsed': parsed, 'raw': len(raw)}).encode()
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [body]


@pytest.fixture
def limited():
    conf = make_conf(max_request_body_size=2048, max_json_depth=4,
                     max_json_list_length=5)
    return webtest.TestApp(guards.RequestLimits(echo, conf))


def fault(resp):
    return resp.json['error_message']['faultstring']


def test_a_body_within_the_limits_is_parsed_once_and_still_readable(limited):
    resp = limited.post('/v2/x', json.dumps({'a': [1, [2, {'b': 3}]]}),
                        content_type='application/json')
    assert resp.json == {'parsed': {'a': [1, [2, {'b': 3}]]}, 'raw': 25}


def test_a_body_past_the_size_limit_is_413(limited):
    resp = limited.post('/v2/x', b'[' + b'1,' * 2000 + b'1]',
                        content_type='application/json', status=413)
    assert fault(resp) == 'The body is larger than 2048 bytes'


def test_depth_and_list_length_are_limited(limited):
    resp = limited.post('/v2/x', '[[[[[1]]]]]',
                        content_type='application/json', status=400)
    assert 'deeper than 4' in fault(resp)
    # Brackets inside strings are text, not nesting.
    assert limited.post('/v2/x', '["[[[[[[", {"k": "]]]}"}]',
                        content_type='application/json').json['parsed']
    resp = limited.post('/v2/x', '{"a": [1, 2, 3, 4, 5, 6]}',
                        content_type='application/json', status=400)
    assert 'longer than 5' in fault(resp)


@pytest.mark.parametrize('path,query,body', [
    ('/v2/x', '', b'{"name": "\xff"}'),
    ('/v2/x', 'q.value=%ff', b''),
])
def test_what_is_not_utf8_is_400(limited, path, query, body):
    resp = limited.post(path + ('?' + query if query else ''), body,
                        content_type='application/json', status=400)
    assert 'not UTF-8' in fault(resp)


def test_json_that_is_not_json_is_400_but_other_types_pass(limited):
    resp = limited.post('/v2/x', '{"a": ', content_type='application/json',
                        status=400)
    assert fault(resp).startswith('The body is not valid JSON')
    resp = limited.post('/v2/x', 'state=alarm', content_type='text/plain')
    assert resp.json == {'parsed': 'unparsed', 'raw': 11}


def test_an_xml_client_gets_the_error_in_xml(limited):
    resp = limited.post('/v2/x', '{', content_type='application/json',
                        headers={'Accept': 'application/xml'}, status=400)
    assert resp.content_type == 'application/xml'
    assert b'<faultstring>The body is not valid JSON' in resp.body


def broken(when):
    def app(environ, start_response):
        if when == 'before':
            raise RuntimeError('secret detail')
        start_response('200 OK', [('Content-Type', 'text/plain')])

        def body():
            yield b'partial'
            raise RuntimeError('secret detail')
        return body()
    return app


@pytest.mark.parametrize('when', ['before', 'while the body is made'])
def test_an_escaping_exception_is_a_500_with_the_request_id(when):
    app = webtest.TestApp(guards.LastResort(broken(when)))
    resp = app.get('/v2/x', extra_environ={guards.REQUEST_ID: 'req-1'},
                   status=500)
    assert resp.json == {'error_message': {
        'faultcode': 'Server', 'debuginfo': None,
        'faultstring': 'Internal Server Error (request req-1)'}}
    assert b'secret' not in resp.body and b'partial' not in resp.body
