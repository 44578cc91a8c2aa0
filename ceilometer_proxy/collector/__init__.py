"""The collector: metering messages and events from message buses into
the stores.

Ceilometer's ``notifier://`` publisher sends lists of signed metering
messages as ``sample``-priority notifications, and its ``udp://`` publisher
sends them one per msgpack datagram. The collector listens to any number of
RabbitMQ deployments and a UDP port, verifies every message, and writes
them in batches, acknowledging a batch only once the store kept it.

Besides, as StackTach's workers did, it keeps every notification the
services send (nova, glance, neutron...) as an event: from the event
topics of the same buses, and from the queues a StackTach deployments file
names.
"""

from oslo_config import cfg

OPTS = [
    cfg.MultiStrOpt('messaging_urls',
                    default=[],
                    sample_default=['rabbit://user:password@cell1-mq:5672/'],
                    secret=True,
                    help='Transport URLs of the message buses to collect '
                         'from, one listener each (repeat the option for '
                         'several deployments); by default the main '
                         'transport_url.'),
    cfg.BoolOpt('notifications',
                default=True,
                help='Collect metering notifications from the message '
                     'buses; false for a UDP-only collector.'),
    cfg.StrOpt('metering_topic',
               default='metering',
               help='Topic the producers\' notifier:// publishers send '
                    'metering notifications on (sample priority).'),
    cfg.StrOpt('exchange',
               default='ceilometer',
               help='Exchange of the metering notifications (Ceilometer '
                    'publishes on its control exchange, "ceilometer").'),
    cfg.IntOpt('batch_size',
               default=1000, min=1,
               help='Notifications handed to one store write at most.'),
    cfg.FloatOpt('batch_timeout',
                 default=1.0, min=0.01,
                 help='Seconds to wait for a batch to fill before writing '
                      'what has arrived.'),
    cfg.IntOpt('write_concurrency',
               default=4, min=1,
               help='Store writes in progress at once, whatever the number '
                    'of listeners, samples and events together (FerretDB '
                    'deadlocks under many concurrent writers); neither '
                    'may take them all when both are collected.'),
    cfg.BoolOpt('record_origin',
                default=False,
                help='Record the bus a sample came from in its resource '
                     'metadata (key "origin", the transport URL without '
                     'credentials), for multi-deployment collectors; events '
                     'get it as a text trait "origin" (the deployment\'s '
                     'name for those of deployments_file).'),
    cfg.StrOpt('udp_address',
               default='0.0.0.0',
               help='Address of the msgpack UDP listener for Ceilometer\'s '
                    'udp:// publisher; empty disables it.'),
    cfg.PortOpt('udp_port',
                default=4952,
                help='Port of the msgpack UDP listener.'),
    cfg.IntOpt('max_metadata_size',
               default=65536, min=0,
               help='Largest resource metadata (bytes of JSON) a sample may '
                    'carry; larger samples are dropped. 0: no limit.'),
    cfg.FloatOpt('retry_backoff',
                 default=0.5, min=0.01,
                 help='First wait (seconds) before writing a batch again '
                      'after a store outage; doubled on every failure.'),
    cfg.FloatOpt('max_retry_backoff',
                 default=10.0, min=0.01,
                 help='Longest wait between two attempts at a batch.'),
    cfg.FloatOpt('graceful_stop_timeout',
                 default=30.0, min=0,
                 help='On SIGTERM, seconds to keep trying to store the '
                      'batches in hand before they are requeued.'),
    cfg.FloatOpt('stats_interval',
                 default=60.0, min=0.1,
                 help='Seconds between two reports of the counters '
                      '(received, stored, dropped by reason) in the log.'),
    cfg.BoolOpt('events',
                default=True,
                help='Keep the notifications of the OpenStack services '
                     '(event_topics on event_exchanges) as events in the '
                     'event store ([database] event_connection), and '
                     'consume the queues of deployments_file.'),
    cfg.ListOpt('event_topics',
                default=['notifications'],
                help='Topics the services send their notifications on '
                     '([oslo_messaging_notifications] topics of nova, '
                     'glance...). The queues <topic>.<priority> are shared '
                     'with any other consumer of them, e.g. Ceilometer\'s '
                     'notification agent: give the services a topic of '
                     'the collector\'s own to get every notification. '
                     'Empty: events come from deployments_file only.'),
    cfg.ListOpt('event_priorities',
                default=['audit', 'critical', 'debug', 'error', 'info',
                         'warn'],
                help='Notification priorities kept as events (every '
                     'oslo.messaging priority but sample, which carries '
                     'metering messages).'),
    cfg.ListOpt('event_exchanges',
                default=['nova', 'glance', 'neutron', 'cinder', 'heat',
                         'keystone', 'sahara', 'trove', 'zaqar', 'swift',
                         'ceilometer', 'magnum', 'dns', 'ironic', 'aodh'],
                help='Control exchanges the services publish their '
                     'notifications on (those Ceilometer\'s notification '
                     'agent listened on).'),
    cfg.StrOpt('deployments_file',
               help='A StackTach worker configuration (JSON, '
                    '"deployments" list with rabbit_host, rabbit_port, '
                    'rabbit_userid, rabbit_password, rabbit_virtual_host, '
                    'durable_queue and topics: exchange -> queue and '
                    'routing_key), used as it is: every enabled deployment '
                    'gets a consumer of its queues, and its name is the '
                    'origin of its events.'),
    cfg.StrOpt('stats_file',
               help='Also write the counters as JSON to this file at every '
                    'report (replaced atomically), for monitoring.'),
]
