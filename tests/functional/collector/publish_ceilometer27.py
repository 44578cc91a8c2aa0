"""Publish samples with Ceilometer's own notifier:// publisher.

Run with the Ceilometer 27 virtualenv's interpreter:
``python publish_ceilometer27.py CONFIG_FILE SAMPLES_JSON``; each sample
is a dict of ceilometer.sample.Sample's arguments. Prints the message ids.
"""

import json
import sys
from urllib import parse

from ceilometer.publisher import messaging
from ceilometer import sample
from ceilometer import service


def main(config_file, samples_json):
    conf = service.prepare_service(['publish', '--config-file', config_file])
    publisher = messaging.SampleNotifierPublisher(
        conf, parse.urlparse('notifier://?topic=metering'))
    with open(samples_json) as f:
        samples = [sample.Sample(**fields) for fields in json.load(f)]
    publisher.publish_samples(samples)
    print(json.dumps([s.id for s in samples]))


if __name__ == '__main__':
    main(*sys.argv[1:])
