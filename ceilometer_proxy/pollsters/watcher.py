"""The ``watcher`` pollster: measurements pushed by watcher-metering agents.

Agents push whenever they measure; Ceilometer pulls on its interval. The
pollster binds the agents' PULL endpoint when the polling agent loads it
(a bind failure skips the plugin, logged) and every cycle drains what its
receiver buffered, one sample per measurement, named as the agent named
it. Losses (buffer overflow, invalid messages) are logged once per cycle.
Imported by the ceilometer-polling agent only.
"""

import uuid

from ceilometer.polling import plugin_base
from oslo_log import log

from ceilometer_proxy.pollsters import measured_sample
from ceilometer_proxy.pollsters import measurements
from ceilometer_proxy.pollsters import options
from ceilometer_proxy.pollsters import receiver

LOG = log.getLogger(__name__)


class WatcherPollster(plugin_base.PollsterBase):
    """Drains the watcher-metering receiver each polling cycle."""

    def setup_environment(self):
        options.register_opts(self.conf)
        endpoint = self.conf.watcher.listen_endpoint
        try:
            self.receiver = receiver.Receiver(
                endpoint, self.conf.watcher.buffer_size).start()
        except Exception as exc:
            LOG.error('watcher pollster disabled: cannot listen on %s: %s',
                      endpoint, exc)
            raise

    @property
    def default_discovery(self):
        return 'watcher'

    def get_samples(self, manager, cache, resources):
        self.receiver.log_losses()
        for item in self.receiver.drain():
            yield to_sample(item)


def to_sample(item):
    """A Ceilometer sample of one decoded measurement."""
    return measured_sample.MeasuredSample(
        name=item.name,
        type=item.type,
        unit=item.unit,
        volume=item.volume,
        user_id=None,
        project_id=None,
        resource_id=item.resource_id,
        timestamp=item.timestamp,
        resource_metadata=dict(item.metadata),
        source=measurements.SOURCE,
        # Sample's default id is a uuid1, several times dearer than this.
        id=str(uuid.uuid4()))
