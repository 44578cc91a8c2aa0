#!/usr/bin/env python3
"""Ask the cascading API every --every seconds for mean, min and max.

For each resource examples/cascade.py registered (one in a v2 region, one
in a Gnocchi region), the statistics of the meter at 1 minute and at 1
hour, from the start of the previous hour, through the one cascading
endpoint; printed as a table. The periods start on the hour so that the
Gnocchi region, which keeps buckets aligned to the epoch, answers them
exactly.
"""

import argparse
import datetime
import json
import sys
import time

import requests

from cascade import DEFAULT_STATE

HEADERS = {'X-User-Id': 'alice', 'X-Project-Id': 'demo',
           'X-Roles': 'member'}
PERIODS = ((60, '1 min'), (3600, '1 h'))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--state', default=DEFAULT_STATE,
                        help='cascade.py\'s state file')
    parser.add_argument('--every', type=float, default=30.0,
                        help='seconds between two rounds')
    parser.add_argument('--rounds', type=int, default=0,
                        help='stop after this many rounds (0: never)')
    return parser.parse_args(argv)


def since():
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    return now.replace(minute=0, second=0, microsecond=0) - \
        datetime.timedelta(hours=1)


def statistics(session, state, resource, period):
    params = [('q.field', 'resource_id'), ('q.op', 'eq'),
              ('q.value', resource), ('q.field', 'timestamp'),
              ('q.op', 'ge'), ('q.value', since().isoformat()),
              ('period', period)]
    params += [('aggregate.func', f) for f in ('avg', 'min', 'max')]
    resp = session.get('%s/v2/meters/%s/statistics' % (
        state['cascading'], state['meter']), params=params,
        headers=HEADERS, timeout=60)
    if resp.status_code != 200:
        return resp.json()['error_message']['faultstring']
    return resp.json()


def rows(session, state):
    out = []
    for kind in ('v2', 'gnocchi'):
        resource = state[kind]['shown_as']
        for period, label in PERIODS:
            found = statistics(session, state, resource, period)
            if isinstance(found, str):
                out.append((resource, kind, label, '-', found, '', ''))
                continue
            for stat in found[-3:]:   # the latest three periods
                values = stat['aggregate']
                out.append((resource, kind, label, stat['period_start'][11:16],
                            '%.2f' % values['avg'], '%.2f' % values['min'],
                            '%.2f' % values['max']))
    return out


def table(lines):
    header = ('resource', 'region', 'period', 'start', 'mean', 'min', 'max')
    widths = [max(len(str(row[i])) for row in [header] + lines)
              for i in range(len(header))]
    fmt = '  '.join('%%-%ds' % w for w in widths)
    return '\n'.join([fmt % header] + [fmt % tuple(r) for r in lines])


def main(argv=None):
    args = parse_args(argv)
    with open(args.state) as f:
        state = json.load(f)
    session = requests.Session()
    done = 0
    while True:
        print(table(rows(session, state)) + '\n', flush=True)
        done += 1
        if args.rounds and done >= args.rounds:
            return 0
        time.sleep(args.every)


if __name__ == '__main__':
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
