"""Local mode: JSON POSTs of samples stored without WSME objects.

POST /v2/meters/<meter> is how agents and Heat feed a region, a thousand
samples a request. Through pecan and WSME each sample becomes an object,
field by field, is converted again to be signed and stored, and is encoded
back from its object; that costs about as much as the store's own write.
This middleware, in front of pecan, reads the JSON list the guard already
parsed (guards.RequestLimits) straight into the fields
sample_intake.prepare() takes, the rules the controller follows too, and
answers with what WSME would have answered.

It takes only what it reads exactly as WSME does: a non-empty list of
objects with known fields, each mandatory field there and of its JSON
type, volumes that are JSON numbers, timestamps in the ISO 8601 form
``YYYY-MM-DDTHH:MM:SS[.ffffff][Z|+HH:MM]``, the meter's own name, a known
counter type, no message_id or recorded_at, each sample of a project the
caller may post to. Anything else goes on to pecan untouched, whose answer
(and refusal, in WSME's words) is then the API's.
"""

import datetime
import json
import math
import numbers
import re

from ceilometer_proxy.api.controllers.v2 import meters
from ceilometer_proxy.api.controllers.v2 import sample_intake
from ceilometer_proxy.api import errors as error_bodies
from ceilometer_proxy.api import guards
from ceilometer_proxy.api import hooks
from ceilometer_proxy.api import rbac
from ceilometer_proxy import storage
from ceilometer_proxy import utils

METER_PATH = re.compile(r'^/v2/meters/([^/]+)$')
ISO_TIMESTAMP = re.compile(
    r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d)?$')
FIELDS = [a.name for a in meters.wtypes.list_attributes(meters.OldSample)]
MANDATORY = [a.name for a in meters.wtypes.list_attributes(meters.OldSample)
             if a.mandatory]
TEXT_FIELDS = ('source', 'counter_name', 'counter_type', 'counter_unit',
               'user_id', 'project_id', 'resource_id')
# Fields a sample must not bring along (the controller refuses them, or
# WSME reads them its own way).
NOT_TAKEN = ('message_id', 'recorded_at')


class SampleIntake(object):
    """The WSGI middleware (see the module).

    :param app: the pecan application behind.
    :param conf: the service's ConfigOpts.
    :param backend: the storage driver.
    """

    def __init__(self, app, conf, backend):
        self.app = app
        self.conf = conf
        self.backend = backend

    def __call__(self, environ, start_response):
        found = self._take(environ)
        if found is None:
            return self.app(environ, start_response)
        meter, body = found
        samples = read_samples(body, meter)
        if samples is None:
            return self.app(environ, start_response)
        headers = hooks.request_headers(environ)
        if not rbac.allowed('create_samples', headers, self.conf):
            return self.app(environ, start_response)
        identity = meters.poster(headers, self.conf)
        now = utils.utcnow()
        messages = []
        try:
            for values in samples:
                message, taken = sample_intake.prepare(values, self.conf,
                                                       identity, now)
                values.update(taken)
                messages.append(message)
        except sample_intake.OtherProject:
            return self.app(environ, start_response)
        try:
            self.backend.record_metering_data_batch(messages)
        except storage.StorageError as err:
            return error_bodies.respond(environ, start_response,
                                        getattr(err, 'code', 500), str(err))
        answer = json.dumps([shown(values) for values in samples]).encode(
            'utf-8')
        start_response('201 Created', [('Content-Type', 'application/json'),
                                       ('Content-Length', str(len(answer)))])
        return [answer]

    @staticmethod
    def _take(environ):
        """(meter, parsed body) of a JSON POST of samples, or None."""
        if environ.get('REQUEST_METHOD') != 'POST':
            return None
        match = METER_PATH.match(environ.get('PATH_INFO', ''))
        body = environ.get(guards.JSON_BODY)
        if match is None or body is None or environ.get('QUERY_STRING'):
            return None
        if not error_bodies.wants_plain_json(environ):
            return None
        return match.group(1).encode('latin-1').decode('utf-8'), body


def read_samples(body, meter):
    """The posted samples as the dicts sample_intake.prepare() takes, or
    None when WSME must read them (see the module)."""
    if not isinstance(body, list) or not body:
        return None
    out = []
    for item in body:
        values = _read_sample(item, meter)
        if values is None:
            return None
        out.append(values)
    return out


def _read_sample(item, meter):
    if not isinstance(item, dict) or any(k not in FIELDS for k in item):
        return None
    if any(item.get(k) is not None for k in NOT_TAKEN):
        return None
    if any(item.get(k) is None for k in MANDATORY):
        return None
    if any(not isinstance(item.get(k), (str, type(None)))
           for k in TEXT_FIELDS):
        return None
    if item['counter_name'] != meter or (
            item['counter_type'] not in sample_intake.SAMPLE_TYPES):
        return None
    volume = item['counter_volume']
    if not isinstance(volume, numbers.Real) or isinstance(volume, bool):
        return None
    volume = float(volume)
    if not math.isfinite(volume):
        return None
    timestamp = item.get('timestamp')
    if timestamp is not None:
        timestamp = _timestamp(timestamp)
        if timestamp is None:
            return None
    metadata = item.get('resource_metadata')
    if metadata is not None and not isinstance(metadata, dict):
        return None
    # The metadata stays as posted: WSME too fills an OldSample attribute
    # by attribute, so it is stored nested and answered as it came.
    # Left out, it is the {} an OldSample starts with; null stays null.
    values = {name: item.get(name) for name in FIELDS}
    values.update(counter_volume=volume, timestamp=timestamp,
                  resource_metadata=item.get('resource_metadata', {}))
    return values


def _timestamp(text):
    if not isinstance(text, str) or not ISO_TIMESTAMP.match(text):
        return None
    try:
        return datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))
    except ValueError:
        return None


def shown(values):
    """A stored sample as WSME shows an OldSample: its fields in order,
    those never set left out, timestamps in ISO form."""
    out = {}
    for name in FIELDS:
        if name == 'recorded_at':  # the store sets it; WSME leaves it out
            continue
        value = values.get(name)
        if isinstance(value, datetime.datetime):
            value = value.isoformat()
        out[name] = value
    return out
