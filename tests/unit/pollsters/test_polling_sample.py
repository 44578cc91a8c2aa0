"""The shipped polling.yaml sample names only pollsters this package
registers for ceilometer-polling."""

import configparser
import os

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


def registered_pollsters():
    parser = configparser.ConfigParser()
    parser.read(os.path.join(REPO, 'setup.cfg'))
    lines = parser.get('entry_points', 'ceilometer.poll.central')
    return {line.split('=')[0].strip() for line in lines.splitlines()
            if line.strip()}


def test_sample_polls_every_pollster_and_nothing_else():
    with open(os.path.join(REPO, 'etc', 'ceilometer-proxy',
                           'polling.yaml.sample')) as f:
        sample = yaml.safe_load(f)
    meters = [m for source in sample['sources'] for m in source['meters']]
    assert sorted(meters) == sorted(registered_pollsters())
    assert all(source['interval'] > 0 for source in sample['sources'])
