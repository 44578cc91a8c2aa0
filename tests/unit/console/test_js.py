"""The console's pure JavaScript modules, tested by node's own runner.

The arithmetic of the energy page and the pairing of lifecycle events
are plain ES modules without the DOM; their cases (probe resets, two
requests of one action, a start without its end) are easier to state
here than through a browser. The browser tests then check the same
numbers end to end.
"""

import glob
import os
import shutil
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SUITES = sorted(glob.glob(os.path.join(HERE, 'js', '*.test.mjs')))


def test_there_are_suites():
    assert len(SUITES) >= 2


@pytest.mark.parametrize('suite', SUITES, ids=os.path.basename)
def test_js_suite(suite):
    node = shutil.which('node')
    assert node, 'node is needed for the console tests (.ci/run installs it)'
    done = subprocess.run([node, '--test', suite], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert '# fail 0' in done.stdout
