"""The standalone listener's conversion and batching."""

from oslo_config import cfg

from ceilometer_proxy.pollsters import listener
from ceilometer_proxy.pollsters import measurements
from ceilometer_proxy.pollsters import options
from ceilometer_proxy import signing

ITEM = measurements.Measurement(
    name='compute.node.cpu.user', type='gauge', unit='%', volume=3.5,
    resource_id='node-1', timestamp='2026-11-25T10:18:56+00:00',
    metadata={'host': 'node-1', 'title': 'cpu'})


def test_metering_message_is_signed_ceilometer_style():
    message = listener.to_metering_message(ITEM, 's3cret')
    assert signing.verify_signature(message, 's3cret')
    assert not signing.verify_signature(message, 'other')
    message.pop('message_id')
    message.pop('message_signature')
    assert message == {
        'source': 'watcher', 'counter_name': 'compute.node.cpu.user',
        'counter_type': 'gauge', 'counter_unit': '%', 'counter_volume': 3.5,
        'user_id': None, 'project_id': None, 'resource_id': 'node-1',
        'timestamp': '2026-11-25T10:18:56+00:00',
        'resource_metadata': {'host': 'node-1', 'title': 'cpu'}}


class Buffer(object):
    def __init__(self, items):
        self.items = items

    def drain(self):
        items, self.items = self.items, []
        return items

    def log_losses(self):
        pass


class RecordingNotifier(object):
    def __init__(self):
        self.calls = []

    def sample(self, ctxt, event_type, payload):
        self.calls.append((event_type, payload))


def test_batches_of_publish_batch_size():
    conf = options.register_opts(cfg.ConfigOpts())
    conf.register_opts(signing.OPTS, group='publisher')
    conf([])
    conf.set_override('publish_batch_size', 2, group='watcher')
    notifier = RecordingNotifier()
    publisher = listener.WatcherListener(conf, Buffer([ITEM] * 5), notifier)
    assert publisher.publish_once() == 5
    assert publisher.publish_once() == 0
    assert [(e, len(p)) for e, p in notifier.calls] == [
        ('metering', 2), ('metering', 2), ('metering', 1)]
    assert publisher.published == 5
