"""Every option of ceilometer-proxy, for oslo-config-generator and
prepare_service(): one list, so the sample config and the running service
never disagree."""

import itertools

from ceilometer_proxy.alarm import coordination
from ceilometer_proxy.alarm import notifier
from ceilometer_proxy.alarm import service as alarm_service
from ceilometer_proxy.alarm import storage as alarm_storage
from ceilometer_proxy.api import guards
from ceilometer_proxy.api import options as api_options
from ceilometer_proxy import cascading
from ceilometer_proxy.cascading import alarms as cascading_alarms
from ceilometer_proxy.cascading import catalog
from ceilometer_proxy.cascading import events as cascading_events
from ceilometer_proxy.cascading.drivers import gnocchi
from ceilometer_proxy.cascading import regions
from ceilometer_proxy import collector
from ceilometer_proxy import console
from ceilometer_proxy.event import converter
from ceilometer_proxy.event import storage as event_storage
from ceilometer_proxy.pollsters import options as pollster_options
from ceilometer_proxy import signing
from ceilometer_proxy import storage


def list_opts():
    return [
        ('DEFAULT', itertools.chain(api_options.SAMPLE_OPTS)),
        ('alarm', itertools.chain(api_options.ALARM_OPTS, alarm_service.OPTS,
                                  notifier.OPTS)),
        ('api', itertools.chain(api_options.API_OPTS, guards.OPTS)),
        ('cascading', itertools.chain(cascading.OPTS, catalog.OPTS,
                                      cascading_alarms.OPTS,
                                      cascading_events.OPTS)),
        ('collector', itertools.chain(collector.OPTS)),
        ('console', itertools.chain(console.OPTS)),
        ('coordination', itertools.chain(coordination.OPTS)),
        ('database', itertools.chain(storage.OPTS, alarm_storage.OPTS,
                                     event_storage.OPTS)),
        ('event', itertools.chain(converter.OPTS)),
        ('gnocchi', itertools.chain(gnocchi.OPTS)),
        ('kwapi', itertools.chain(pollster_options.KWAPI_OPTS)),
        ('publisher', itertools.chain(signing.OPTS)),
        # One such section per region named without a URL in
        # [cascading] regions (or to give a discovered region options).
        (regions.region_group('<name>'), itertools.chain(regions.REGION_OPTS)),
        ('service_credentials',
         itertools.chain(catalog.list_service_credentials_opts())),
        ('service_types',
         itertools.chain(pollster_options.SERVICE_TYPES_OPTS)),
        ('watcher', itertools.chain(pollster_options.WATCHER_OPTS)),
    ]
