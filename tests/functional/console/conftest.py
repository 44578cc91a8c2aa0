"""Fixtures of the console's browser tests: one headless Chromium per
module, and the screenshots every page test leaves behind."""

import os
import shutil

import pytest

from tests import browser


@pytest.fixture(scope='module')
def chromium():
    """A headless Chromium (Debian's, driven by Selenium) for a module."""
    if not browser.available():
        pytest.skip('no %s and %s (apt: chromium chromium-driver)'
                    % (browser.CHROMIUM, browser.CHROMEDRIVER))
    started = browser.Browser()
    try:
        yield started
    finally:
        started.close()


@pytest.fixture
def page(chromium, world):
    """The module's Chromium on its ``world`` (the module's servers), with
    the browser log read empty."""
    chromium.base_url = world.url
    chromium.console_errors()
    return chromium


@pytest.fixture
def shoot(tmp_path):
    """shoot(page, 'alarms.png'): a screenshot of the page as the test's
    artefact (in its temp dir) and, when CONSOLE_SCREENSHOTS names a
    directory, a copy there."""
    def take(page, name):
        path = page.screenshot(str(tmp_path / name))
        wanted = os.environ.get('CONSOLE_SCREENSHOTS')
        if wanted:
            os.makedirs(wanted, exist_ok=True)
            shutil.copyfile(path, os.path.join(wanted, name))
        assert os.path.getsize(path) > 0
        return path
    return take
