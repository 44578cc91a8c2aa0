#!/usr/bin/env python3
"""A demo cascade on this machine: a v2 region, a Gnocchi + Aodh region and
the cascading API in front of both.

Starts FerretDB, a local-mode region (``regionOne``), Gnocchi 4.7.1 + Aodh
23.0.0 on a private PostgreSQL (``regionG``; cached virtualenvs, built on
first use) and a cascading API (noauth) on --port, registers one resource
in each region (``vm-one`` and ``vm-g``) and writes where everything is to
--state (JSON), which producer.py and consumer.py read. Runs until
interrupted (Ctrl-C), then stops everything.
"""

import argparse
import contextlib
import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from tests import deployment  # noqa: E402
from tests import postgres  # noqa: E402
from tests import services  # noqa: E402

DEFAULT_STATE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                             'cascade.json')
POLICY = 'demo'
METER = 'cpu_util'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--port', type=int, default=8778,
                        help='port of the cascading API (default 8778, '
                             'beside make run\'s 8777)')
    parser.add_argument('--state', default=DEFAULT_STATE,
                        help='where to write the URLs (default %(default)s)')
    return parser.parse_args(argv)


def start(cascade, pg, port):
    cascade.add_v2_region('regionOne')
    region = cascade.add_gnocchi_region('regionG', pg).modern
    cascade.start(cascading=False)
    # Minutes for a day, hours for a month: both granularities the
    # consumer asks for.
    region.add_policy(POLICY, [(60, 1440), (3600, 720)])
    region.create_resource('gn-vm-g', 'demo', 'alice', metrics=(METER,),
                           policy=POLICY)
    server = cascade.cascading_server()
    server.port = port
    server.start()
    cascade.cascading = server
    cascade.register('vm-one', region='regionOne', cascaded_id='c-vm-one',
                     project_id='demo', user_id='alice')
    cascade.register('vm-g', region='regionG', cascaded_id='gn-vm-g',
                     project_id='demo', user_id='alice')
    return region


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with services_started() as (base_url, pg):
        cascade = deployment.Cascade(base_url)
        try:
            region = start(cascade, pg, args.port)
            state = {
                'cascading': cascade.url,
                'v2': {'url': cascade.regions['regionOne'].server.url,
                       'resource': 'c-vm-one', 'shown_as': 'vm-one'},
                'gnocchi': {'url': region.gnocchi_url,
                            'resource': 'gn-vm-g', 'shown_as': 'vm-g'},
                'meter': METER}
            with open(args.state, 'w') as f:
                json.dump(state, f, indent=2)
            print('cascading API on %s (regions: regionOne %s, regionG '
                  'Gnocchi %s, Aodh %s); state in %s; Ctrl-C stops' % (
                      cascade.url, state['v2']['url'], region.gnocchi_url,
                      region.aodh_url, args.state), flush=True)
            signal.pause()
        except KeyboardInterrupt:
            pass
        finally:
            cascade.cleanup()
            if os.path.exists(args.state):
                os.unlink(args.state)
    return 0


@contextlib.contextmanager
def services_started():
    """(FerretDB URL, PostgreSQL) for the run."""
    ferretdb = services.FerretDB().start()
    try:
        pg = postgres.PostgreSQL().start()
        try:
            yield ferretdb.url, pg
        finally:
            pg.cleanup()
    finally:
        ferretdb.cleanup()


if __name__ == '__main__':
    sys.exit(main())
