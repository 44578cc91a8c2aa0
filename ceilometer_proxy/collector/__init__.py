"""The collector: metering messages from message buses into the store.

Ceilometer's ``notifier://`` publisher sends lists of signed metering
messages as ``sample``-priority notifications, and its ``udp://`` publisher
sends them one per msgpack datagram. The collector listens to any number of
RabbitMQ deployments and a UDP port, verifies every message, and writes
them in batches, acknowledging a batch only once the store kept it.
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
                    'of listeners (FerretDB deadlocks under many '
                    'concurrent writers).'),
    cfg.BoolOpt('record_origin',
                default=False,
                help='Record the bus a sample came from in its resource '
                     'metadata (key "origin", the transport URL without '
                     'credentials), for multi-deployment collectors.'),
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
    cfg.StrOpt('stats_file',
               help='Also write the counters as JSON to this file at every '
                    'report (replaced atomically), for monitoring.'),
]
