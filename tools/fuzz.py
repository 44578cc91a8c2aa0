"""A long fuzz campaign against both modes: ``make fuzz``.

Runs tests/functional/fuzz with many more examples than ``make test``
draws and a fresh random seed each time (the bounded suite is fixed and
derandomised), then prints what was sent and what was found. A failing
example is shrunk by hypothesis and printed with the server's log; it
belongs in tests/functional/api/v2/test_hostile_input.py once understood.

Usage: tools/fuzz.py [--examples N] [pytest args...]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--examples', type=int, default=50000,
                        help='examples per mode (default 50000)')
    args, pytest_args = parser.parse_known_args()
    with tempfile.TemporaryDirectory() as tmp:
        summary = os.path.join(tmp, 'summary.json')
        env = dict(os.environ,
                   CEILOMETER_PROXY_FUZZ_EXAMPLES=str(args.examples),
                   CEILOMETER_PROXY_FUZZ_SUMMARY=summary)
        rc = subprocess.call(
            [sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider',
             '-o', 'timeout=0', os.path.join('tests', 'functional', 'fuzz')]
            + pytest_args, cwd=ROOT, env=env)
        found = {}
        if os.path.exists(summary):
            with open(summary) as f:
                found = json.load(f)
    for mode, counts in sorted(found.items()):
        print('%s: %d requests, %d 5xx, %d leaks'
              % (mode, counts['requests'], counts['server_errors'],
                 counts['leaks']))
    total = {key: sum(c[key] for c in found.values())
             for key in ('requests', 'server_errors', 'leaks')}
    if rc and not total['server_errors'] and not total['leaks']:
        print('the campaign failed for another reason (see above)')
    print('fuzz: %d requests, %d 5xx, %d leaks'
          % (total['requests'], total['server_errors'], total['leaks']))
    return rc


if __name__ == '__main__':
    sys.exit(main())
