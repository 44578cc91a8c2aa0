"""StackTach worker configuration files: read as StackTach wrote them."""

import json

import pytest

from ceilometer_proxy.collector import deployments


def stacktach_sample():
    """The structure and values of StackTach's sample worker config."""
    def monitor(prefix=''):
        return [{'queue': prefix + 'monitor.info',
                 'routing_key': 'monitor.info'},
                {'queue': prefix + 'monitor.error',
                 'routing_key': 'monitor.error'}]

    common = {'durable_queue': False, 'rabbit_port': 5672,
              'rabbit_userid': 'rabbit', 'rabbit_password': 'rabbit',
              'rabbit_virtual_host': '/', 'queue_name': 'stacktach'}
    return {'deployments': [
        dict(common, name='east_coast.prod.global', rabbit_host='10.0.0.1',
             exit_on_exception=True, topics={
                 'nova': monitor(),
                 'glance': [
                     {'queue': 'stacktach_monitor_glance.info',
                      'routing_key': 'monitor_glance.info'},
                     {'queue': 'stacktach_monitor_glance.error',
                      'routing_key': 'monitor_glance.error'}]}),
        dict(common, name='east_coast.prod.cell1', rabbit_host='10.0.1.1',
             exit_on_exception=False, topics={'nova': monitor()}),
    ]}


def write(tmp_path, data):
    path = tmp_path / 'stacktach_worker_config.json'
    path.write_text(json.dumps(data, indent=4) if not isinstance(data, str)
                    else data)
    return str(path)


def test_the_sample_is_read_as_it_is(tmp_path):
    found = deployments.load(write(tmp_path, stacktach_sample()))
    assert [d.name for d in found] == [
        'east_coast.prod.global', 'east_coast.prod.cell1']
    first = found[0]
    assert first.connection_params() == {
        'hostname': '10.0.0.1', 'port': 5672, 'userid': 'rabbit',
        'password': 'rabbit', 'virtual_host': '/'}
    assert first.durable is False
    assert first.exit_on_exception is True
    assert first.queues == {
        'monitor.info': [deployments.Binding('nova', 'monitor.info')],
        'monitor.error': [deployments.Binding('nova', 'monitor.error')],
        'stacktach_monitor_glance.info': [
            deployments.Binding('glance', 'monitor_glance.info')],
        'stacktach_monitor_glance.error': [
            deployments.Binding('glance', 'monitor_glance.error')],
    }
    assert list(found[1].queues) == ['monitor.info', 'monitor.error']


def test_missing_fields_take_stacktachs_defaults():
    [found] = deployments.parse_config({'deployments': [
        {'name': 'minimal', 'topics': {'nova': [
            {'queue': 'q', 'routing_key': 'k'}]}}]})
    assert found.connection_params() == {
        'hostname': 'localhost', 'port': 5672, 'userid': 'rabbit',
        'password': 'rabbit', 'virtual_host': '/'}
    assert found.durable is True
    assert found.queue_arguments == {}
    assert found.location == 'amqp://localhost:5672/%2F'


def test_disabled_deployments_are_left_out(tmp_path):
    data = stacktach_sample()
    data['deployments'][0]['enabled'] = False
    data['deployments'][1]['queue_arguments'] = {'x-ha-policy': 'all'}
    found = deployments.load(write(tmp_path, data))
    assert [d.name for d in found] == ['east_coast.prod.cell1']
    assert found[0].queue_arguments == {'x-ha-policy': 'all'}


def test_a_queue_under_two_exchanges_is_consumed_once():
    [found] = deployments.parse_config({'deployments': [
        {'name': 'd', 'rabbit_port': '5673', 'topics': {
            'nova': [{'queue': 'all', 'routing_key': 'monitor.info'}],
            'glance': [{'queue': 'all', 'routing_key': 'monitor.info'},
                       {'queue': 'all', 'routing_key': 'monitor.info'}]}}]})
    assert found.port == 5673
    assert found.queues == {'all': [
        deployments.Binding('nova', 'monitor.info'),
        deployments.Binding('glance', 'monitor.info')]}


def test_credentials_stay_out_of_logs():
    data = stacktach_sample()
    data['deployments'][0]['rabbit_password'] = 's3cret'
    found = deployments.parse_config(data)[0]
    assert 's3cret' not in repr(found) and 's3cret' not in found.location


@pytest.mark.parametrize('data,complaint', [
    ('{"deployments": [', 'Expecting'),
    ({'workers': {}}, 'no "deployments" list'),
    ({'deployments': ['x']}, '#0 is not an object'),
    ({'deployments': [{'topics': {}}]}, '#0 has no name'),
    ({'deployments': [{'name': 'a'}]}, 'no "topics"'),
    ({'deployments': [{'name': 'a', 'topics': {'nova': {}}}]},
     'not a list'),
    ({'deployments': [{'name': 'a', 'topics': {'nova': [
        {'queue': 'q'}]}}]}, 'no routing_key'),
    ({'deployments': [{'name': 'a', 'rabbit_port': 70000, 'topics': {
        'nova': [{'queue': 'q', 'routing_key': 'k'}]}}]}, 'not a port'),
    ({'deployments': [{'name': 'a', 'durable_queue': 'yes', 'topics': {
        'nova': [{'queue': 'q', 'routing_key': 'k'}]}}]},
     'durable_queue is not true or false'),
    ({'deployments': 2 * [{'name': 'a', 'topics': {
        'nova': [{'queue': 'q', 'routing_key': 'k'}]}}]},
     'names used twice: a'),
])
def test_unusable_files_are_refused_with_the_reason(tmp_path, data,
                                                    complaint):
    path = write(tmp_path, data)
    with pytest.raises(deployments.InvalidDeployments) as err:
        deployments.load(path)
    assert complaint in str(err.value)
    assert path in str(err.value)
