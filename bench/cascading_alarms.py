#!/usr/bin/env python3
"""Cascading alarm list benchmark: region calls of a state-synced list.

Starts FerretDB (or uses --mongodb-url), --regions local-mode regions each
behind a counting HTTP proxy, and a cascading API in front of the proxies;
creates --alarms threshold alarms spread evenly over the regions (routed by
``metadata.metering.region``): --api-creates of them through the cascading
API (timed), the rest written into the region stores and the alarm table
as such a create writes them. It moves a tenth of them to ``alarm``
directly in their regions (as their evaluators would),
then lists them with ``alarm_list_state_sync`` as an admin and as one
tenant. For each list it prints the region calls the proxies counted, the
time, and whether every state came back right; then, side by side, what
the 2015 proxy's way costs (one state call per alarm). The last line is
``cascading alarms: N region calls for A alarms in R regions``.
"""

import argparse
import concurrent.futures
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from bench import common  # noqa: E402
from tests import deployment  # noqa: E402

PROJECTS = 10


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--alarms', type=int, default=1000)
    parser.add_argument('--regions', type=int, default=3)
    parser.add_argument('--api-creates', type=int, default=30,
                        help='how many of the alarms are created through '
                             'the cascading API (the others are written as '
                             'it writes them; default %(default)s)')
    parser.add_argument('--seed-sample', type=int, default=100,
                        help='alarms whose state is read one call each, '
                             'to time the 2015 way (default %(default)s)')
    common.add_common_args(parser)
    return parser.parse_args(argv)


def alarm_body(i, regions):
    region = regions[i % len(regions)]
    return {'name': 'bench-%05d' % i, 'type': 'threshold',
            'project_id': 'project-%02d' % (i % PROJECTS),
            'user_id': 'user-%02d' % (i % PROJECTS),
            'threshold_rule': {
                'meter_name': 'bench.cpu_util', 'threshold': 80.0,
                'comparison_operator': 'gt',
                'query': [{'field': 'metadata.metering.region',
                           'value': region}]}}


def create_alarms(env, first, count, regions):
    """Create alarms through the cascading API; their bodies as shown."""
    client = env.client()

    def create(i):
        return client.post_json('/v2/alarms', alarm_body(i, regions))

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        return list(pool.map(create, range(first, first + count)))


def seed_alarms(env, first, count, regions):
    """Write alarms as a create through the API leaves them (a region
    alarm, a table row), straight into the stores: far faster on FerretDB,
    whose every name check scans."""
    from ceilometer_proxy.alarm import storage as alarm_storage
    from ceilometer_proxy.alarm.storage import models
    from ceilometer_proxy.cascading import alarm_store
    from ceilometer_proxy import service
    from ceilometer_proxy import utils

    conf = service.prepare_service([], config_files=[])
    stores = {r: alarm_storage.get_connection_from_config(
        conf, env.regions[r].server.db_url) for r in regions}
    table = alarm_store.AlarmTable(conf, env.cascading.db_url)
    try:
        for i in range(first, first + count):
            body = alarm_body(i, regions)
            region = regions[i % len(regions)]
            now = utils.utcnow()
            project = body['project_id']
            rule = dict(body['threshold_rule'], statistic='avg', period=60,
                        evaluation_periods=1, exclude_outliers=False)
            user_query = rule['query'] + [
                {'field': 'project_id', 'op': 'eq', 'value': project}]
            region_alarm = models.Alarm(
                alarm_id=str(uuid.uuid4()), type='threshold', enabled=True,
                name=body['name'], description='bench alarm',
                timestamp=now, user_id=body['user_id'], project_id=project,
                state='insufficient data', state_timestamp=now,
                ok_actions=[], alarm_actions=[],
                insufficient_data_actions=[], repeat_actions=False,
                rule=dict(rule, query=user_query[1:]),
                time_constraints=[], severity='low')
            stores[region].create_alarm(region_alarm)
            alarm_id = str(uuid.uuid4())
            shown = dict(region_alarm.as_dict(), alarm_id=alarm_id,
                         rule=dict(rule, query=user_query))
            table.activate(alarm_id, region, region_alarm.alarm_id, shown,
                           {'query': rule['query']})
    finally:
        table.close()
        for store in stores.values():
            store.close()


def alarm_some(env, regions):
    """Set every tenth alarm to ``alarm`` in its region; their names."""
    alarmed = set()
    for region in regions:
        client = env.client(region=region)
        for alarm in client.get_json('/v2/alarms'):
            if int(alarm['name'].split('-')[1]) % 10 == 0:
                client.put('/v2/alarms/%s/state' % alarm['alarm_id'],
                           'alarm', status=200)
                alarmed.add(alarm['name'])
    return alarmed


def proxies(env):
    """The counting RegionProxy in front of each region."""
    return [region.proxy for region in env.regions.values()]


def counted_list(env, headers, alarmed):
    """(region calls, seconds, alarms listed, states right?)."""
    for proxy in proxies(env):
        proxy.reset()
    seconds, listed = common.timed(env.client(headers).get_json,
                                   '/v2/alarms')
    calls = sum(p.count() for p in proxies(env))
    right = all((a['state'] == 'alarm') == (a['name'] in alarmed)
                for a in listed)
    return calls, seconds, len(listed), right


def seed_way(env, created, sample):
    """Seconds per alarm and region calls of one state call per alarm."""
    client = env.client()
    for proxy in proxies(env):
        proxy.reset()
    chosen = created[:sample]
    seconds, _ = common.timed(lambda: [client.get_json(
        '/v2/alarms/%s/state' % a['alarm_id']) for a in chosen])
    calls = sum(p.count() for p in proxies(env))
    return seconds / len(chosen), calls / float(len(chosen))


def run(args):
    names = ['region%d' % (n + 1) for n in range(args.regions)]
    with common.mongodb(args.mongodb_url) as url:
        with deployment.cascade(url, v2=names, proxied=True,
                                extra=deployment.ALARM_SETTINGS) as env:
            common.log('cascading API on %s, regions %s',
                       env.cascading.url, ', '.join(names))
            seconds, created = common.timed(
                create_alarms, env, 0, args.api_creates, names)
            common.log('created %d alarms through the API in %.1f s '
                       '(%.0f ms each)', len(created), seconds,
                       1000 * seconds / len(created))
            seconds, _ = common.timed(seed_alarms, env, args.api_creates,
                                      args.alarms - args.api_creates, names)
            common.log('wrote %d more straight into the stores in %.1f s',
                       args.alarms - args.api_creates, seconds)
            alarmed = alarm_some(env, names)
            rows = []
            admin = counted_list(env, deployment.ADMIN, alarmed)
            rows.append(('admin, all projects',) + _row(admin))
            again = counted_list(env, deployment.ADMIN, alarmed)
            rows.append(('admin again (states already saved)',)
                        + _row(again))
            tenant = counted_list(env, deployment.identity('project-03'),
                                  alarmed)
            rows.append(('one tenant',) + _row(tenant))
            per_alarm, calls_each = seed_way(env, created, args.seed_sample)
            rows.append(('2015 way (one state call per alarm)',
                         int(calls_each * args.alarms), args.alarms,
                         '%.0f ms' % (1000 * per_alarm * args.alarms),
                         'extrapolated from %d' % args.seed_sample))
            print(common.format_table(
                ('list', 'region calls', 'alarms', 'time', 'states'), rows))
    return ('cascading alarms: %d region calls for %d alarms in %d regions'
            % (admin[0], args.alarms, args.regions))


def _row(result):
    calls, seconds, listed, right = result
    return (calls, listed, '%.0f ms' % (1000 * seconds),
            'right' if right else 'WRONG')


def main(argv=None):
    args = parse_args(argv)
    with common.time_limit(args.timeout):
        line = run(args)
    print(line)
    return 0


if __name__ == '__main__':
    sys.exit(main())
