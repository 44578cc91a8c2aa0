"""ConsoleFiles: the console's files under /console/, nothing else.

The filter must leave every other path to the API, serve only GET and
HEAD, refuse paths outside its files with Ceilometer's 404 body, answer
a reload with a 304, and say nothing at all when the console is off.
"""

import json

from oslo_config import cfg
import pytest
import webtest

from ceilometer_proxy.api import options as api_options
from ceilometer_proxy import console
from ceilometer_proxy.console import files


def make_conf(enabled=True, mode='local', auth_mode='noauth'):
    conf = cfg.ConfigOpts()
    conf.register_opts(api_options.API_OPTS, group='api')
    console.register_opts(conf)
    conf([])
    conf.set_override('enabled', enabled, group='console')
    conf.set_override('mode', mode, group='api')
    conf.set_override('auth_mode', auth_mode, group='api')
    return conf


def api(environ, start_response):
    body = json.dumps({'api': environ['PATH_INFO']}).encode()
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [body]


@pytest.fixture
def app():
    return webtest.TestApp(files.ConsoleFiles(api, make_conf()))


def fault(resp):
    return resp.json['error_message']['faultstring']


def test_other_paths_go_to_the_api(app):
    for path in ('/v2/meters', '/', '/consoles', '/v2/console'):
        assert app.get(path).json == {'api': path}


def test_index_and_modules_are_served_with_their_types(app):
    page = app.get('/console/')
    assert page.content_type == 'text/html'
    assert 'js/main.js' in page.text
    module = app.get('/console/js/main.js')
    assert module.content_type == 'text/javascript'
    assert module.body == open(files.STATIC_DIR + '/js/main.js', 'rb').read()
    assert app.get('/console/console.css').content_type == 'text/css'
    chart = app.get('/console/vendor/uplot/uPlot.esm.js')
    assert b'export { uPlot as default }' in chart.body


def test_every_page_file_loads_nothing_from_elsewhere(app):
    page = app.get('/console/')
    policy = page.headers['Content-Security-Policy']
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers['X-Content-Type-Options'] == 'nosniff'
    for name, found in files.load_files().items():
        if name.endswith(('.js', '.html', '.css')) and 'vendor/' not in name:
            assert b'http://' not in found.body, name
            assert b'https://' not in found.body, name


def test_console_without_slash_redirects(app):
    resp = app.get('/console', status=301)
    assert resp.headers['Location'].endswith('/console/')


def test_unknown_and_escaping_paths_are_404_in_ceilometers_body(app):
    for path in ('/console/nothing.js', '/console/../setup.cfg',
                 '/console/%2e%2e/setup.cfg', '/console/js/../../__init__.py',
                 '/console//etc/passwd'):
        resp = app.get(path, status=404)
        assert fault(resp) == 'The resource could not be found.'


def test_only_get_and_head(app):
    resp = app.post('/console/', 'x', status=405)
    assert resp.headers['Allow'] == 'GET, HEAD'
    assert 'read-only' in fault(resp)
    head = app.head('/console/js/api.js')
    assert head.body == b''
    assert int(head.headers['Content-Length']) == len(
        app.get('/console/js/api.js').body)


def test_reload_is_a_304(app):
    first = app.get('/console/js/energy.js')
    again = app.get('/console/js/energy.js',
                    headers={'If-None-Match': first.headers['ETag']},
                    status=304)
    assert again.body == b''
    app.get('/console/js/energy.js', headers={'If-None-Match': '"other"'},
            status=200)


@pytest.mark.parametrize('mode,auth_mode', [('local', 'noauth'),
                                            ('cascading', 'keystone')])
def test_config_json_tells_the_page_how_to_sign_in(mode, auth_mode):
    app = webtest.TestApp(files.ConsoleFiles(
        api, make_conf(mode=mode, auth_mode=auth_mode)))
    settings = app.get('/console/config.json').json
    assert settings == {'mode': mode, 'auth_mode': auth_mode,
                        'title': 'ceilometer-proxy', 'kwh_price': 0.0,
                        'currency': 'EUR'}


def test_disabled_console_is_the_apis_path():
    app = webtest.TestApp(files.ConsoleFiles(api, make_conf(enabled=False)))
    assert app.get('/console/').json == {'api': '/console/'}
    assert app.get('/console/config.json').json == {
        'api': '/console/config.json'}
