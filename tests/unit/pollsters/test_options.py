"""Pollster options: registered idempotently, listed for the generator."""

from oslo_config import cfg

from ceilometer_proxy import opts
from ceilometer_proxy.pollsters import options


def test_register_twice_and_read_from_a_file(tmp_path):
    path = tmp_path / 'ceilometer.conf'
    path.write_text('[kwapi]\nendpoints = R:http://a/v1,http://b/v1\n'
                    'all_regions = true\n[watcher]\nbuffer_size = 7\n')
    conf = cfg.ConfigOpts()
    conf(['--config-file', str(path)])
    # Registered after parsing, as the polling agent's pollsters do.
    options.register_opts(conf)
    options.register_opts(conf)
    assert conf.kwapi.endpoints == ['R:http://a/v1', 'http://b/v1']
    assert conf.kwapi.all_regions is True
    assert conf.watcher.buffer_size == 7
    assert conf.service_types.kwapi == 'energy'
    assert conf.watcher.listen_endpoint == 'tcp://0.0.0.0:12345'


def test_listed_with_the_project_options():
    listed = {group: {o.name for o in group_opts}
              for group, group_opts in opts.list_opts()}
    for group, group_opts in options.GROUPS:
        assert {o.name for o in group_opts} <= listed[group]
