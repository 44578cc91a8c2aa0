"""Removing region alarms that no cascading alarm owns.

A create writes an intent row before it calls the region and activates the
row after. A process that dies in between leaves the intent and, maybe, a
region alarm nobody can see through the cascading API. The reconciler
takes every intent older than ``min_age`` (younger ones may be creates
still under way), asks the intent's region for alarms of that name and
project (names are unique per project), deletes those the table does not
know, and drops the intent. It also finishes the deletes whose region
answer was lost (rows left ``deleting``): the region is asked again, and
its 404 counts as done. It runs in the API process at start-up and
every ``[cascading] reconcile_interval`` seconds, and on demand as
``ceilometer-proxy-cascading-reconcile``.
"""

import datetime
import threading

from oslo_log import log

from ceilometer_proxy.cascading import caller as caller_mod
from ceilometer_proxy.cascading import catalog
from ceilometer_proxy.cascading import errors
from ceilometer_proxy import storage
from ceilometer_proxy import utils

LOG = log.getLogger(__name__)

RECONCILER_USER = 'ceilometer-proxy-reconciler'


class Report(object):
    """What one reconciliation found and did."""

    def __init__(self):
        self.intents = 0
        self.found = 0
        self.removed = 0
        self.failed = 0
        self.deletes = 0

    def __str__(self):
        return ('%d orphan region alarm(s) found, %d removed, %d failed '
                '(%d abandoned create(s) checked, %d unfinished delete(s) '
                'finished)' % (self.found, self.removed, self.failed,
                               self.intents, self.deletes))


def default_min_age(conf):
    """How old an intent must be before its create is surely over: a
    region call that is still running ends within http_timeout (twice,
    with the retry after a connect failure)."""
    return 2 * conf.cascading.http_timeout + 5


def service_caller(conf):
    """The identity region calls of the reconciler are made with: an
    administrator; with Keystone, a token of [service_credentials]."""
    token = None
    if conf.api.auth_mode == 'keystone':
        token = catalog.service_credentials(conf).token()
    return caller_mod.Caller(token=token, user_id=RECONCILER_USER,
                             roles=['admin'], admin=True)


def orphans_of(intent, listed, known_ids):
    """The region alarms (storage-shaped) an intent left behind (pure)."""
    return [alarm for alarm in listed
            if alarm.get('name') == intent['name']
            and alarm.get('project_id') == intent['project_id']
            and alarm.get('alarm_id') not in known_ids]


def reconcile(conf, table, regions, caller=None, min_age=None):
    """Look at every abandoned intent and unfinished delete once;
    returns a Report."""
    caller = caller or service_caller(conf)
    age = default_min_age(conf) if min_age is None else min_age
    cutoff = utils.utcnow() - datetime.timedelta(seconds=age)
    report = Report()
    for intent in table.intents(cutoff):
        report.intents += 1
        try:
            _settle_intent(table, regions, caller, intent, report)
        except errors.CascadingError as err:
            report.failed += 1
            LOG.warning('Intent %s (alarm %r in region %s) kept: %s',
                        intent['_id'], intent['name'], intent['region'], err)
    for row in table.unfinished_deletes(cutoff):
        try:
            _finish_delete(table, regions, caller, row, report)
        except errors.CascadingError as err:
            report.failed += 1
            LOG.warning('Delete of alarm %s (region %s) still unfinished: '
                        '%s', row['_id'], row['region'], err)
    LOG.info('Alarm reconciliation: %s', report)
    return report


def _settle_intent(table, regions, caller, intent, report):
    region = intent['region']
    driver = regions.driver(region)
    query = [{'field': 'name', 'op': 'eq', 'value': intent['name'],
              'type': ''}]
    if intent['project_id']:
        query.append({'field': 'project_id', 'op': 'eq',
                      'value': intent['project_id'], 'type': ''})
    listed = driver.list_alarms(caller, query)
    orphans = orphans_of(intent, listed, table.cascaded_ids(region))
    report.found += len(orphans)
    for alarm in orphans:
        try:
            driver.delete_alarm(caller, alarm['alarm_id'])
        except errors.RegionHTTPError as err:
            if err.status != 404:
                raise
        report.removed += 1
        LOG.warning('Removed orphan alarm %s (%r) of region %s',
                    alarm['alarm_id'], intent['name'], region)
    table.forget(intent['_id'])


def _finish_delete(table, regions, caller, row, report):
    driver = regions.driver(row['region'])
    try:
        driver.delete_alarm(caller, row['cascaded_alarm_id'])
    except errors.RegionHTTPError as err:
        if err.status != 404:
            # The region refuses it: the alarm stays, as a refused delete
            # would have left it.
            LOG.warning('Region %s refuses to delete alarm %s (%s); its '
                        'row %s is active again', row['region'],
                        row['cascaded_alarm_id'], err, row['_id'])
            table.abort_delete(row['_id'])
            return
    table.mark_deleted(row['_id'])
    report.deletes += 1
    LOG.warning('Finished the delete of alarm %s (region %s)', row['_id'],
                row['region'])


def start_periodic(conf, table, regions):
    """Reconcile now and every reconcile_interval seconds, in a daemon
    thread; returns it (None when the interval is 0)."""
    interval = conf.cascading.reconcile_interval
    if interval <= 0:
        return None
    stop = threading.Event()

    def run():
        while not stop.is_set():
            try:
                reconcile(conf, table, regions)
            except (storage.StorageError, errors.CascadingError) as err:
                LOG.warning('Alarm reconciliation failed: %s', err)
            except Exception:  # the thread must survive anything
                LOG.exception('Alarm reconciliation failed')
            stop.wait(interval)

    thread = threading.Thread(target=run, name='alarm-reconciler',
                              daemon=True)
    thread.stop = stop
    thread.start()
    return thread
