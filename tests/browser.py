"""A real headless Chromium for the console's browser tests.

Debian's chromium and chromium-driver (/usr/bin/chromium,
/usr/bin/chromedriver) driven by Selenium: both paths are given, so
Selenium Manager neither looks for nor downloads anything, and the machine
may have no network at all. Each Browser has a profile directory of its
own, removed by close().
"""

import os
import shutil
import tempfile
import time

os.environ.setdefault('SE_AVOID_STATS', 'true')

from selenium import webdriver  # noqa: E402
from selenium.common import exceptions  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'
# Generous: a full CI run may share the machine's two cores.
WAIT = 30
FLAGS = ('--headless=new', '--no-sandbox', '--disable-gpu',
         '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update',
         '--disable-sync', '--disable-dev-shm-usage',
         '--window-size=1400,1000')


def available():
    """Whether this machine has the browser and its driver."""
    return all(os.access(path, os.X_OK) for path in (CHROMIUM, CHROMEDRIVER))


class PageError(AssertionError):
    """A page went to data-state="error" (or never got ready)."""


class Browser(object):
    """One headless Chromium session (one tab).

    :param base_url: the API server's URL; open() takes paths under it.
    """

    def __init__(self, base_url=None, wait=WAIT):
        os.environ['SE_AVOID_STATS'] = 'true'
        self.base_url = (base_url or '').rstrip('/')
        self.wait_seconds = wait
        self.profile = tempfile.mkdtemp(prefix='console-chromium-')
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument('--user-data-dir=' + self.profile)
        options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
        service = Service(executable_path=CHROMEDRIVER,
                          log_output=os.path.join(self.profile,
                                                  'chromedriver.log'))
        try:
            self.driver = webdriver.Chrome(service=service, options=options)
        except Exception:
            shutil.rmtree(self.profile, ignore_errors=True)
            raise
        self.driver.set_page_load_timeout(wait * 2)
        self.driver.set_script_timeout(wait)

    # -- navigation -----------------------------------------------------------

    def url(self, path):
        if path.startswith('http://') or path.startswith('https://'):
            return path
        return self.base_url + path

    def open(self, path):
        """Load ``path`` (e.g. ``/console/#/alarms``) as a new document:
        a hash change alone would keep the page's state, so the tab goes
        through about:blank first (sessionStorage, per tab and origin,
        stays)."""
        self.driver.get('about:blank')
        self.driver.get(self.url(path))

    def go(self, route):
        """Change the hash of the loaded page only (the console's own
        routing), e.g. ``#/events``."""
        self.driver.execute_script('window.location.hash = arguments[0];',
                                   route)

    # -- waiting --------------------------------------------------------------

    def wait_until(self, condition, message='', timeout=None):
        """Poll ``condition()`` (exceptions count as false) until truthy;
        returns its value."""
        def attempt(_driver):
            try:
                return condition()
            except (exceptions.NoSuchElementException,
                    exceptions.StaleElementReferenceException):
                return False
        try:
            return WebDriverWait(self.driver, timeout or self.wait_seconds,
                                 poll_frequency=0.2).until(attempt)
        except exceptions.TimeoutException:
            raise PageError('timed out: %s (#error: %r)'
                            % (message, self.error_text()))

    def eventually(self, fn, expected, timeout=None):
        """Poll ``fn()`` until it equals ``expected`` (which may be a
        pytest.approx); returns the last value got, for the caller to
        assert on (a clear diff when it never matched)."""
        deadline = time.monotonic() + (timeout or self.wait_seconds)
        while True:
            try:
                got = fn()
            except (exceptions.NoSuchElementException,
                    exceptions.StaleElementReferenceException):
                got = None
            if got == expected or time.monotonic() > deadline:
                return got
            time.sleep(0.25)

    def state(self, section_id):
        found = self.driver.find_elements(By.ID, section_id)
        return found[0].get_attribute('data-state') if found else None

    def mark_stale(self, section_id):
        """Put a marker in the section's data-state, so that the next
        wait_ready() waits for the render an action starts."""
        self.driver.execute_script(
            'var e = document.getElementById(arguments[0]);'
            'if (e) { e.setAttribute("data-state", "test-stale"); }',
            section_id)

    def wait_ready(self, section_id, allow_error=False):
        """Wait until section ``section_id``'s data-state is "ready";
        fail with the page's #error text when it turns "error" (or return
        "error" when ``allow_error``)."""
        def settled():
            return self.state(section_id) in ('ready', 'error')
        try:
            WebDriverWait(self.driver, self.wait_seconds,
                          poll_frequency=0.2).until(lambda _d: settled())
        except exceptions.TimeoutException:
            raise PageError('#%s not ready after %ss: data-state=%r, '
                            '#error=%r' % (section_id, self.wait_seconds,
                                           self.state(section_id),
                                           self.error_text()))
        state = self.state(section_id)
        if state == 'error' and not allow_error:
            raise PageError('#%s data-state="error": %r'
                            % (section_id, self.error_text()))
        return state

    # -- reading --------------------------------------------------------------

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css, within=None):
        return (within or self.driver).find_elements(By.CSS_SELECTOR, css)

    def exists(self, css):
        return bool(self.find_all(css))

    def displayed(self, css):
        found = self.find_all(css)
        return bool(found) and found[0].is_displayed()

    def attrs(self, css, name):
        return [e.get_attribute(name) for e in self.find_all(css)]

    def texts(self, css):
        return [e.text.strip() for e in self.find_all(css)]

    def text_content(self, element):
        """An element's textContent (text hidden by CSS included)."""
        return (element.get_attribute('textContent') or '').strip()

    def error_text(self):
        try:
            found = self.driver.find_elements(By.ID, 'error')
            return found[0].get_attribute('textContent').strip() \
                if found else None
        except exceptions.WebDriverException:
            return None

    def console_errors(self):
        """SEVERE entries of the browser console since the last call."""
        return [entry for entry in self.driver.get_log('browser')
                if entry.get('level') == 'SEVERE']

    def screenshot(self, path):
        """Save the window as a PNG (a directory is made if needed)."""
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        assert self.driver.save_screenshot(path), path
        return path

    # -- acting ---------------------------------------------------------------

    def fill(self, css, value):
        field = self.find(css)
        field.clear()
        if value:
            field.send_keys(value)
        return field

    def choose(self, css, value):
        """Select the option of value ``value`` (fires change)."""
        Select(self.find(css)).select_by_value(value)

    def click(self, css):
        element = self.find(css)
        self.driver.execute_script(
            'arguments[0].scrollIntoView({block: "center"});', element)
        element.click()

    def forget_identity(self):
        """Empty the console's sessionStorage (a browser with no one
        signed in)."""
        if self.driver.current_url.startswith(self.base_url or 'http'):
            self.driver.execute_script('window.sessionStorage.clear();')

    def sign_in(self, user, project, roles, path='/console/'):
        """Sign in through the noauth form, as a user would; ``roles`` a
        list or comma-separated text."""
        if not isinstance(roles, str):
            roles = ','.join(roles)
        self.open(path)
        self.forget_identity()
        self.open(path)
        self.wait_until(lambda: self.displayed('form#signin'),
                        'form#signin shown')
        self.fill('#signin-user', user)
        self.fill('#signin-project', project)
        self.fill('#signin-roles', roles)
        self.click('#signin-submit')
        self.wait_until(lambda: (not self.displayed('form#signin')
                                 and self.displayed('#whoami')),
                        'signed in as %s/%s' % (user, project))

    def sign_out(self):
        self.click('button#signout')
        self.wait_until(lambda: self.displayed('form#signin'),
                        'form#signin after sign-out')

    def close(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)
