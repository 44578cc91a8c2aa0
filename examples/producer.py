#!/usr/bin/env python3
"""Push random measurements periodically into both kinds of region.

Every --interval seconds one value of the meter goes to the Gnocchi
region through Gnocchi's own API (``POST /v1/batch/resources/metrics/
measures``, basic auth) and one to the v2 region as a Ceilometer sample
(``POST /v2/meters/<meter>``), for the resources examples/cascade.py
registered. Values wander randomly between 0 and 100.
"""

import argparse
import base64
import datetime
import json
import random
import sys
import time

import requests

from cascade import DEFAULT_STATE

V2_HEADERS = {'X-User-Id': 'alice', 'X-Project-Id': 'demo',
              'X-Roles': 'admin'}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--state', default=DEFAULT_STATE,
                        help='cascade.py\'s state file')
    parser.add_argument('--interval', type=float, default=5.0,
                        help='seconds between two measurements')
    parser.add_argument('--gnocchi-user', default='admin',
                        help='Gnocchi basic-auth user')
    return parser.parse_args(argv)


def to_gnocchi(session, state, user, stamp, value):
    auth = base64.b64encode(('%s:' % user).encode()).decode()
    resp = session.post(
        state['gnocchi']['url'] + '/v1/batch/resources/metrics/measures',
        headers={'Authorization': 'Basic ' + auth},
        json={state['gnocchi']['resource']: {state['meter']: [
            {'timestamp': stamp, 'value': value}]}}, timeout=30)
    resp.raise_for_status()


def to_v2(session, state, stamp, value):
    resp = session.post(
        '%s/v2/meters/%s' % (state['v2']['url'], state['meter']),
        headers=V2_HEADERS, timeout=30, json=[{
            'counter_name': state['meter'], 'counter_type': 'gauge',
            'counter_unit': '%', 'counter_volume': value,
            'resource_id': state['v2']['resource'], 'project_id': 'demo',
            'user_id': 'alice', 'timestamp': stamp}])
    resp.raise_for_status()


def main(argv=None):
    args = parse_args(argv)
    with open(args.state) as f:
        state = json.load(f)
    session = requests.Session()
    rng = random.Random()
    values = {'gnocchi': 50.0, 'v2': 50.0}
    while True:
        stamp = datetime.datetime.now(datetime.timezone.utc).isoformat()
        for kind in values:
            values[kind] = min(100.0, max(0.0, values[kind] +
                                          rng.uniform(-10, 10)))
        to_gnocchi(session, state, args.gnocchi_user, stamp,
                   values['gnocchi'])
        to_v2(session, state, stamp, values['v2'])
        print('%s  %s %.1f (Gnocchi)  %s %.1f (v2)' % (
            stamp[:19], state['gnocchi']['shown_as'], values['gnocchi'],
            state['v2']['shown_as'], values['v2']), flush=True)
        time.sleep(args.interval)


if __name__ == '__main__':
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
