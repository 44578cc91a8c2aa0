#!/usr/bin/env python3
"""Alarm evaluator benchmark: evaluation cycles over many threshold alarms.

Starts FerretDB (or uses --mongodb-url), loads --resources resources with
one sample per resource per minute for the last --minutes minutes (through
the metering driver's record_metering_data_batch) and --alarms threshold
alarms spread evenly over the resources (through the alarm driver), then
runs --cycles evaluation cycles in this process, exactly as the evaluator
service runs them, without actions. The first cycle moves every alarm out
of ``insufficient data`` (a read, a write and a history event each); the
following ones only evaluate. For each cycle it prints the time, the
MongoDB-wire commands sent (counted by a pymongo command listener) and the
statistics queries; then what one statistics query per resource would
cost, and, as its last line, ``evaluator: <N> alarms/s`` for the steady
cycles.
"""

import argparse
import collections
import datetime
import logging
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from pymongo import monitoring  # noqa: E402

from bench import common  # noqa: E402

METER = 'bench.cpu_util'
BATCH = 5000
# Minutes of samples after the start of the run.
AHEAD = 10


class CommandCounter(monitoring.CommandListener):
    """Counts the commands every client of this process sends."""

    def __init__(self):
        self.counts = collections.Counter()

    def started(self, event):
        self.counts[event.command_name] += 1

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass

    def take(self):
        counts, self.counts = self.counts, collections.Counter()
        return counts


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--alarms', type=int, default=10000,
                        help='threshold alarms (default %(default)s)')
    parser.add_argument('--resources', type=int, default=1000,
                        help='resources alarms watch (default %(default)s)')
    parser.add_argument('--minutes', type=int, default=60,
                        help='minutes of samples, one per resource per '
                             'minute (default %(default)s)')
    parser.add_argument('--cycles', type=int, default=3,
                        help='evaluation cycles (default %(default)s)')
    parser.add_argument('--transitions', type=int, default=100,
                        help='alarms that change state in the first cycle '
                             '(default %(default)s)')
    common.add_common_args(parser)
    return parser.parse_args(argv)


def level(resource_index):
    """The steady value of a resource's samples, so alarm states hold."""
    return float((resource_index * 37) % 100)


def threshold_of(j, resources):
    return 5.0 + 10 * ((j // resources) % 10)


def load_samples(conn, resources, minutes, now):
    """One sample per resource per minute, ending --ahead minutes in the
    future so that the evaluation window never runs out of data while the
    benchmark runs."""
    count = resources * minutes
    start = now - datetime.timedelta(minutes=minutes - AHEAD)
    spacing = 60.0 / resources
    for first in range(0, count, BATCH):
        batch = common.metering_messages(
            METER, first, min(BATCH, count - first), resources=resources,
            start=start, spacing=spacing)
        for i, message in enumerate(batch, first):
            message['counter_volume'] = level(i % resources)
        conn.record_metering_data_batch(batch)
    return count


def load_alarms(conn, count, resources, transitions, now):
    """Alarms already in the state their data gives, but for the first
    ``transitions`` ones, which start in insufficient data."""
    from ceilometer_proxy.alarm.storage import models

    for j in range(count):
        resource, project, user = common.layout(j, resources, 10)
        state = ('alarm' if level(j % resources) > threshold_of(j, resources)
                 else 'ok')
        conn.create_alarm(models.Alarm(
            alarm_id=str(uuid.uuid4()), type='threshold', enabled=True,
            name='bench-%05d' % j, description='', timestamp=now,
            user_id=user, project_id=project,
            state='insufficient data' if j < transitions else state,
            state_timestamp=now, ok_actions=[], alarm_actions=[],
            insufficient_data_actions=[], repeat_actions=False,
            time_constraints=[], severity='low',
            rule={'meter_name': METER, 'period': 60,
                  'evaluation_periods': 1, 'statistic': 'avg',
                  'comparison_operator': 'gt',
                  'threshold': threshold_of(j, resources),
                  'exclude_outliers': False,
                  'query': [{'field': 'resource_id', 'op': 'eq',
                             'value': resource, 'type': ''}]}))


def run_cycles(conf, alarm_conn, metering_conn, counter, cycles):
    from ceilometer_proxy.alarm import coordination
    from ceilometer_proxy.alarm import service as alarm_service

    evaluation = alarm_service.AlarmEvaluationService(
        conf, alarm_conn, metering_conn, None,
        coordination.PartitionCoordinator(conf))
    thresholds = evaluation.evaluators['threshold']
    rows = []
    for n in range(1, cycles + 1):
        counter.take()
        queries = thresholds.queries
        seconds, evaluated = common.timed(evaluation.evaluate_cycle)
        commands = counter.take()
        rows.append((n, len(evaluated), '%.2f' % seconds,
                     sum(commands.values()), thresholds.queries - queries,
                     commands['update'], commands['insert'],
                     len(evaluated) / seconds))
    return rows


def where_time_goes(alarm_conn, metering_conn, resources, now):
    """Seconds of the pieces of a steady cycle, measured alone."""
    from ceilometer_proxy import storage

    start = now - datetime.timedelta(seconds=120)
    window = dict(meter=METER, start_timestamp=start,
                  start_timestamp_op='ge', end_timestamp=now,
                  end_timestamp_op='le')
    read, alarms = common.timed(alarm_conn.get_alarms, enabled=True)
    grouped, _ = common.timed(metering_conn.get_meter_statistics,
                              storage.SampleFilter(**window), 60,
                              ['resource_id'])
    resource = common.layout(0, resources, 10)[0]
    single, _ = common.timed(metering_conn.get_meter_statistics,
                             storage.SampleFilter(resource=resource,
                                                  **window), 60)
    return [('get_alarms(enabled=True), %d alarms' % len(alarms), read),
            ('one statistics query grouped by resource', grouped),
            ('one statistics query of one resource', single),
            ('one query per resource (projected, x%d)' % resources,
             single * resources)]


def main(argv=None):
    args = parse_args(argv)
    counter = CommandCounter()
    monitoring.register(counter)   # before any client is created
    name = 'bench_evaluator_%s' % uuid.uuid4().hex[:8]
    with common.time_limit(args.timeout), \
            common.mongodb(args.mongodb_url) as base:
        db_url = '%s/%s' % (base.rstrip('/'), name)
        try:
            run(args, db_url, counter)
        finally:
            common.drop_database(base, name)


def run(args, db_url, counter):
    from ceilometer_proxy.alarm import storage as alarm_storage
    from ceilometer_proxy import service
    from ceilometer_proxy import utils

    conf = service.prepare_service([], config_files=[])
    # One log line per transition would drown the figures.
    logging.getLogger('ceilometer_proxy').setLevel(logging.WARNING)
    now = utils.utcnow()
    with common.storage_connection(db_url) as metering_conn:
        alarm_conn = alarm_storage.get_connection_from_config(conf, db_url)
        try:
            alarm_conn.upgrade()
            seconds, count = common.timed(load_samples, metering_conn,
                                          args.resources, args.minutes, now)
            common.log('loaded %d samples in %.1fs', count, seconds)
            seconds, _ = common.timed(load_alarms, alarm_conn, args.alarms,
                                      args.resources, args.transitions, now)
            common.log('loaded %d alarms in %.1fs', args.alarms, seconds)
            rows = run_cycles(conf, alarm_conn, metering_conn, counter,
                              args.cycles)
            pieces = where_time_goes(alarm_conn, metering_conn,
                                     args.resources, utils.utcnow())
        finally:
            alarm_conn.close()
    report(rows, pieces)


def report(rows, pieces):
    print(common.format_table(
        ['cycle', 'alarms', 'seconds', 'commands', 'stat queries',
         'updates', 'inserts', 'alarms/s'],
        [row[:-1] + ('%.0f' % row[-1],) for row in rows]))
    print()
    print(common.format_table(['steady cycle piece', 'seconds'],
                              [(label, '%.2f' % s) for label, s in pieces]))
    steady = rows[1:] or rows
    rate = common.median([row[-1] for row in steady])
    print('evaluator: %.0f alarms/s' % rate, flush=True)


if __name__ == '__main__':
    main()
