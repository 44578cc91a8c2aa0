"""Fixtures of the cascading tests: regions and a cascading server per
module, databases emptied before each test."""

import pytest

from tests import cascading_env


@pytest.fixture(scope='module')
def cascading(mongodb_url):
    """A started CascadingEnv with two regions, shared by a module."""
    env = cascading_env.CascadingEnv(mongodb_url).start()
    try:
        yield env
    finally:
        env.cleanup()


@pytest.fixture
def env(cascading):
    """The module's CascadingEnv, with every database emptied."""
    cascading.reset()
    return cascading
