"""The console behind keystonemiddleware, with real Keystone tokens.

Under ``[api] auth_mode = keystone`` the console's files are served to
anyone (they hold no data) while every /v2 call the page makes carries
the token typed into its sign-in form. So the page shows a member what
the API shows that member's token, an administrator everything, and a
bad token nothing but the API's own 401.
"""

import datetime
import uuid

import pytest

from tests import browser as browser_helper
from tests import services

pytestmark = pytest.mark.skipif(not browser_helper.available(),
                                reason='needs chromium and chromedriver')

PROBES = {'kprobe-p1': 'p1', 'kprobe-p2': 'p2'}


@pytest.fixture(scope='module')
def served(mongodb_url, keystone):
    name = services.unique_db_name('console-ks')
    server = services.ApiServer(
        services.db_url(mongodb_url, name), auth_mode='keystone',
        extra={'console': {'enabled': True},
               'keystone_authtoken': keystone.authtoken_section()})
    server.start()
    try:
        admin = services.Client(server.url, headers={
            'X-Auth-Token': keystone.admin_token()})
        now = datetime.datetime.utcnow()
        for probe, project in PROBES.items():
            samples = [{'counter_name': 'power', 'counter_type': 'gauge',
                        'counter_unit': 'W', 'counter_volume': 40.0 + i,
                        'resource_id': probe,
                        'project_id': keystone.projects[project],
                        'user_id': keystone.users['member-' + project],
                        'timestamp': (now - datetime.timedelta(
                            minutes=5 * i + 1)).isoformat()}
                       for i in range(6)]
            resp = admin.post('/v2/meters/power', samples)
            assert resp.status_code == 201, resp.text
        yield server
    finally:
        server.cleanup()
        services.drop_database(mongodb_url, name)


@pytest.fixture(scope='module')
def browser(served):
    tab = browser_helper.Browser(served.url)
    try:
        yield tab
    finally:
        tab.close()


def sign_in_with_token(tab, token):
    tab.open('/console/')
    tab.forget_identity()
    tab.open('/console/#/energy')
    tab.wait_until(lambda: tab.displayed('#signin-token'),
                   'the token form of keystone mode')
    assert not tab.exists('#signin-user')
    tab.fill('#signin-token', token)
    tab.click('#signin-submit')


def shown_probes(tab):
    tab.wait_ready('page-energy')
    return sorted(tab.attrs('#energy-probes input.probe', 'value'))


def test_the_files_need_no_token_and_the_data_does(served):
    page = services.Client(served.url).get('/console/')
    assert page.status_code == 200
    assert services.Client(served.url).get('/v2/meters').status_code == 401
    settings = services.Client(served.url).get_json('/console/config.json')
    assert settings['auth_mode'] == 'keystone'


def test_a_members_token_shows_its_project_only(browser, keystone, tmp_path):
    sign_in_with_token(browser, keystone.member_token('p1'))
    assert shown_probes(browser) == ['kprobe-p1']
    rows = browser.attrs('#energy-totals tbody tr', 'data-series')
    assert rows == ['kprobe-p1']
    browser.screenshot(str(tmp_path / 'keystone-member.png'))
    assert browser.console_errors() == []


def test_an_admins_token_shows_every_project(browser, keystone):
    sign_in_with_token(browser, keystone.admin_token())
    assert shown_probes(browser) == sorted(PROBES)
    assert browser.console_errors() == []


def test_a_bad_token_gets_the_apis_401(browser):
    sign_in_with_token(browser, 'not-a-token-' + uuid.uuid4().hex)
    assert browser.wait_ready('page-energy', allow_error=True) == 'error'
    assert browser.error_text()
    assert not browser.exists('#energy-probes input.probe')
    # The failed call is the one error the browser logged.
    errors = browser.console_errors()
    assert errors and all('401' in e['message'] for e in errors), errors
