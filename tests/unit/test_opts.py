"""The options list and the committed sample configuration agree."""

import os
import re

from ceilometer_proxy import opts
from ceilometer_proxy import service

SAMPLE = os.path.join(os.path.dirname(__file__), '..', '..', 'etc',
                      'ceilometer-proxy', 'ceilometer-proxy.conf.sample')


def test_every_option_is_in_the_sample_config():
    with open(SAMPLE) as f:
        text = f.read()
    missing = []
    for group, options in opts.list_opts():
        section = text.split('[%s]' % group, 1)
        for opt in options:
            # Options with an empty default are written as "#name =".
            if len(section) < 2 or not re.search(
                    r'^#%s =' % re.escape(opt.dest), section[1], re.M):
                missing.append('%s.%s' % (group, opt.dest))
    assert missing == [], 'regenerate with `make genconfig`: %s' % missing


def test_prepare_service_registers_every_group():
    conf = service.prepare_service([], config_files=[])
    assert conf.api.default_api_return_limit == 100
    assert conf.database.statistics_summaries is True
    assert conf.publisher.telemetry_secret
    assert conf.sample_source == 'openstack'
