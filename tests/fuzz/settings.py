"""How many examples a fuzz run draws, and where its summary goes.

``make test`` runs a fixed, bounded number of examples per mode with a
fixed seed (``derandomize``); ``make fuzz`` (tools/fuzz.py) sets
CEILOMETER_PROXY_FUZZ_EXAMPLES for a long campaign and reads the summary
the tests write to CEILOMETER_PROXY_FUZZ_SUMMARY.
"""

import json
import os

from hypothesis import HealthCheck
from hypothesis import settings

BOUNDED_EXAMPLES = 1500


def examples():
    return int(os.environ.get('CEILOMETER_PROXY_FUZZ_EXAMPLES',
                              BOUNDED_EXAMPLES))


def campaign_settings():
    long_run = 'CEILOMETER_PROXY_FUZZ_EXAMPLES' in os.environ
    return settings(max_examples=examples(), deadline=None, database=None,
                    derandomize=not long_run, print_blob=True,
                    suppress_health_check=list(HealthCheck))


def record(mode, campaign):
    """Add a campaign's counts to the summary file, if one is asked."""
    path = os.environ.get('CEILOMETER_PROXY_FUZZ_SUMMARY')
    if not path:
        return
    summary = {}
    if os.path.exists(path):
        with open(path) as f:
            summary = json.load(f)
    summary[mode] = {'requests': campaign.sent,
                     'server_errors': campaign.server_errors,
                     'leaks': campaign.leaks}
    with open(path, 'w') as f:
        json.dump(summary, f)
