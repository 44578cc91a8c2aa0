"""Fixtures of the cascading tests: regions and a cascading server per
module, databases emptied before each test."""

import pytest

from tests import deployment

REGIONS = ('regionOne', 'regionTwo')


@pytest.fixture(scope='module')
def cascading(mongodb_url):
    """A started Cascade of two v2 regions (tests.deployment), shared by a
    module."""
    with deployment.cascade(mongodb_url, v2=REGIONS,
                            extra=deployment.METERING_SETTINGS) as built:
        yield built


@pytest.fixture
def env(cascading):
    """The module's Cascade, with every database emptied."""
    cascading.reset()
    return cascading
