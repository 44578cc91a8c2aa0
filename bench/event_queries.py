#!/usr/bin/env python3
"""Trait-filtered ``event-list`` over a large event store.

Stores --events nova-shaped events (instances of 20 projects living
through create/update/delete, 10 traits each) through the event storage
driver, starts a local-mode API process on them and times
``GET /v2/events?q.field=instance_id&q.value=<one instance>`` (what an
operator asks to see one instance's life), median of --repeat runs. In
the same run the same filter is sent to the store directly (pymongo, no
API), which is the store's own price for the question. Prints, as its last
line, ``query: <M> ms median (<R> x the store's own)``.

On MongoDB the question is served by the traits index. FerretDB v1 (the
test store) serves no filter but ``_id`` equality from an index, so there
each question is one scan of the event collection, and that scan is the
figure to compare with.
"""

import argparse
import datetime
import os
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or '.') != HERE]
sys.path.insert(0, os.path.dirname(HERE))

from bench import common  # noqa: E402
from tests import services  # noqa: E402

STATES = (('compute.instance.create.start', 'building'),
          ('compute.instance.create.end', 'active'),
          ('compute.instance.update', 'active'),
          ('compute.instance.delete.start', 'deleting'),
          ('compute.instance.delete.end', 'deleted'))


def nova_events(count):
    """Events of ``count // 5`` instances, five each, oldest first."""
    from ceilometer_proxy.event import models

    text, integer, when = (models.Trait.TEXT_TYPE, models.Trait.INT_TYPE,
                           models.Trait.DATETIME_TYPE)
    projects = [uuid.uuid4().hex for _ in range(20)]
    events = []
    for i in range(count):
        instance, step = divmod(i, len(STATES))
        event_type, state = STATES[step]
        generated = common.START + datetime.timedelta(seconds=i)
        project = projects[instance % len(projects)]
        traits = [
            models.Trait('instance_id', text, 'vm-%08d' % instance),
            models.Trait('project_id', text, project),
            models.Trait('tenant_id', text, project),
            models.Trait('user_id', text, 'user-%d' % (instance % 50)),
            models.Trait('service', text, 'compute.host%d' % (i % 40)),
            models.Trait('host', text, 'host%d' % (i % 40)),
            models.Trait('request_id', text, 'req-%s' % uuid.uuid4()),
            models.Trait('state', text, state),
            models.Trait('memory_mb', integer, 2048),
            models.Trait('launched_at', when, generated),
        ]
        events.append(models.Event(message_id=str(uuid.uuid4()),
                                   event_type=event_type,
                                   generated=generated, traits=traits,
                                   raw={}))
    return events


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def run(args, base_url):
    from ceilometer_proxy.event import storage as event_storage
    from ceilometer_proxy import service

    name = services.unique_db_name('bench_events')
    url = services.db_url(base_url, name)
    conf = service.prepare_service([], config_files=[])
    conn = event_storage.get_connection_from_config(conf, url)
    conn.upgrade()
    try:
        events = nova_events(args.events)
        started = time.perf_counter()
        for first in range(0, len(events), 1000):
            conn.record_events(events[first:first + 1000])
        common.log('stored %d events in %.1f s', len(events),
                   time.perf_counter() - started)
        wanted = 'vm-%08d' % (args.events // 10)
        api = services.ApiServer(url)
        api.start()
        try:
            client = services.Client(api.url)
            q = [{'field': 'instance_id', 'value': wanted}]
            through_api, direct = [], []
            for _ in range(args.repeat):
                ms, found = timed(lambda: client.get_json('/v2/events', q=q))
                assert len(found) == len(STATES), found
                through_api.append(ms)
                ms, docs = timed(lambda: list(conn.event.find(
                    {'traits.trait_value': wanted})))
                assert len(docs) == len(STATES)
                direct.append(ms)
                common.log('event-list %.1f ms, the store alone %.1f ms',
                           through_api[-1], direct[-1])
        finally:
            api.cleanup()
    finally:
        conn.client.drop_database(name)
        conn.close()
    api_ms = common.median(through_api)
    store_ms = common.median(direct)
    return api_ms, store_ms


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common.add_common_args(parser)
    parser.add_argument('--events', type=int, default=100000)
    parser.add_argument('--repeat', type=int, default=3)
    args = parser.parse_args(argv)
    with common.time_limit(args.timeout):
        with common.mongodb(args.mongodb_url) as base_url:
            api_ms, store_ms = run(args, base_url)
    print('query: %.0f ms median (%.2f x the store\'s own)'
          % (api_ms, api_ms / store_ms), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
