"""/v2/meters: meter listing, old-style samples, posting and statistics."""

import base64
import datetime

from oslo_log import log
import pecan
from pecan import rest
import wsme
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api.controllers.v2 import sample_intake
from ceilometer_proxy.api.controllers.v2 import utils as v2_utils
from ceilometer_proxy.api import rbac
from ceilometer_proxy import storage
from ceilometer_proxy.storage import base as storage_base
from ceilometer_proxy import utils

LOG = log.getLogger(__name__)

GROUPBY_FIELDS = ('user_id', 'resource_id', 'project_id', 'source')


def poster(headers, conf):
    """The sample_intake.Identity of a request's caller."""
    return sample_intake.Identity(headers.get('X-User-Id'),
                                  headers.get('X-Project-Id'),
                                  rbac.get_limited_to_project(headers, conf))


class OldSample(base.Base):
    """A single measurement for a given meter and resource.

    The shape of ``/v2/meters/<name>``; ``/v2/samples`` has the newer one.
    """

    source = wtypes.text
    "The ID of the source that identifies where the sample comes from"

    counter_name = wsme.wsattr(wtypes.text, mandatory=True)
    "The name of the meter"

    counter_type = wsme.wsattr(wtypes.text, mandatory=True)
    "The type of the meter (gauge, delta or cumulative)"

    counter_unit = wsme.wsattr(wtypes.text, mandatory=True)
    "The unit of measure for the value in counter_volume"

    counter_volume = wsme.wsattr(float, mandatory=True)
    "The actual measured value"

    user_id = wtypes.text
    "The ID of the user who last triggered an update to the resource"

    project_id = wtypes.text
    "The ID of the project or tenant that owns the resource"

    resource_id = wsme.wsattr(wtypes.text, mandatory=True)
    "The ID of the :class:`Resource` for which the measurements are taken"

    timestamp = datetime.datetime
    "UTC date and time when the measurement was made"

    recorded_at = datetime.datetime
    "When the sample has been recorded."

    resource_metadata = {wtypes.text: base.MetadataValue()}
    "Arbitrary metadata associated with the resource"

    message_id = wtypes.text
    "A unique identifier for the sample"

    def __init__(self, counter_volume=None, resource_metadata=None,
                 timestamp=None, **kwds):
        if counter_volume is not None:
            counter_volume = float(counter_volume)
        resource_metadata = utils.flatten_metadata(resource_metadata or {})
        super().__init__(counter_volume=counter_volume,
                         resource_metadata=resource_metadata,
                         timestamp=timestamp, **kwds)

    @classmethod
    def from_db_model(cls, m):
        values = m.as_dict()
        values.pop('message_signature', None)
        return cls(**values)

    @classmethod
    def sample(cls):
        return cls(source='openstack',
                   counter_name='instance',
                   counter_type='gauge',
                   counter_unit='instance',
                   counter_volume=1,
                   resource_id='bd9431c1-8d69-4ad3-803a-8d4a6b89fd36',
                   project_id='35b17138-b364-4e6a-a131-8f3099c5be68',
                   user_id='efd87807-12d2-4b38-9c70-5f5c2ac427ff',
                   recorded_at=datetime.datetime(2015, 1, 1, 12, 0, 1),
                   timestamp=datetime.datetime(2015, 1, 1, 12, 0),
                   resource_metadata={'name1': 'value1', 'name2': 'value2'},
                   message_id='5460acce-4fd6-480d-ab18-9735ec7b1996')


class Statistics(base.Base):
    """Computed statistics for a query."""

    groupby = {wtypes.text: wtypes.text}
    "Dictionary of field names for group, if groupby statistics are requested"

    unit = wtypes.text
    "The unit type of the data set"

    min = float
    "The minimum volume seen in the data"

    max = float
    "The maximum volume seen in the data"

    avg = float
    "The average of all of the volume values seen in the data"

    sum = float
    "The total of all of the volume values seen in the data"

    count = int
    "The number of samples seen"

    aggregate = {wtypes.text: float}
    "The selectable aggregate value(s)"

    duration = float
    "The difference, in seconds, between the oldest and newest timestamp"

    duration_start = datetime.datetime
    "UTC date and time of the earliest timestamp, or the query start time"

    duration_end = datetime.datetime
    "UTC date and time of the oldest timestamp, or the query end time"

    period = int
    "The difference, in seconds, between the period start and end"

    period_start = datetime.datetime
    "UTC date and time of the period start"

    period_end = datetime.datetime
    "UTC date and time of the period end"

    def __init__(self, start_timestamp=None, end_timestamp=None, **kwds):
        super().__init__(**kwds)
        self._clamp_duration(start_timestamp, end_timestamp)

    def _clamp_duration(self, start, end):
        """Clamp the sample time span to the range the query asked for.

        If nothing is left of it, the samples fell outside the range (a
        search_offset widened the query): duration fields become null.
        """
        if start and self.duration_start and self.duration_start < start:
            self.duration_start = start
        if end and self.duration_end and self.duration_end > end:
            self.duration_end = end
        if (self.duration_start and self.duration_end and
                self.duration_start <= self.duration_end):
            self.duration = utils.delta_seconds(self.duration_start,
                                                self.duration_end)
        else:
            self.duration_start = self.duration_end = self.duration = None

    @classmethod
    def sample(cls):
        return cls(unit='GiB', min=1, max=9, avg=4.5, sum=45, count=10,
                   duration_start=datetime.datetime(2013, 1, 4, 16, 42),
                   duration_end=datetime.datetime(2013, 1, 4, 16, 47),
                   period=7200,
                   period_start=datetime.datetime(2013, 1, 4, 16, 0),
                   period_end=datetime.datetime(2013, 1, 4, 18, 0))


class Aggregate(base.Base):
    """A selectable aggregate: a function and its optional parameter."""

    func = wsme.wsattr(wtypes.text, mandatory=True)
    "The aggregation function name"

    param = wsme.wsattr(wtypes.text, default=None)
    "The parameter to the aggregation function"

    @classmethod
    def sample(cls):
        return cls(func='cardinality', param='resource_id')


def validate_groupby(groupby):
    """Known groupby fields, de-duplicated (metadata keys are allowed)."""
    bad = {g for g in groupby if g not in GROUPBY_FIELDS
           and not (g.startswith('resource_metadata.') and
                    len(g) > len('resource_metadata.'))}
    if bad:
        raise wsme.exc.UnknownArgument(sorted(bad), 'Invalid groupby fields')
    seen = []
    for g in groupby:
        if g not in seen:
            seen.append(g)
    return seen


def validate_aggregates(aggregates):
    """Storage Aggregates, duplicates dropped, unknown ones refused."""
    result = []
    for agg in aggregates:
        func = agg.func
        param = agg.param if agg.param not in (wsme.Unset, '') else None
        if func not in storage_base.SELECTABLE_AGGREGATES:
            raise base.ClientSideError(
                'Invalid aggregation function: %s' % func)
        if func == 'cardinality':
            if param not in storage_base.CARDINALITY_FIELDS:
                raise base.ClientSideError(
                    'Bad aggregate: %s.%s' % (func, param))
        else:
            param = None
        wanted = storage.Aggregate(func, param)
        if wanted not in result:
            result.append(wanted)
    return result


class MeterController(rest.RestController):
    """Samples and statistics of one meter."""

    _custom_actions = {'statistics': ['GET']}

    def __init__(self, meter_name):
        pecan.request.context['meter_name'] = meter_name
        self.meter_name = meter_name

    @wsme_pecan.wsexpose([OldSample], [base.Query], int)
    def get_all(self, q=None, limit=None):
        """Return samples for the meter, newest first.

        :param q: Filter rules for the data to be returned.
        :param limit: Maximum number of samples to return.
        """
        rbac.enforce('get_samples', pecan.request)
        limit = base.positive_limit(limit, pecan.request.cfg)
        kwargs = v2_utils.query_to_kwargs(q or [], v2_utils.SAMPLE_KEYS)
        kwargs['meter'] = self.meter_name
        f = storage.SampleFilter(**kwargs)
        return [OldSample.from_db_model(s) for s in
                pecan.request.storage_conn.get_samples(f, limit=limit)]

    @wsme_pecan.wsexpose([OldSample], str, body=[OldSample], status_code=201)
    def post(self, direct='', samples=None):
        """Store a list of new samples of this meter.

        :param direct: accepted for compatibility; samples are always
                       stored at once.
        :param samples: the samples, in the request body.
        """
        rbac.enforce('create_samples', pecan.request)
        if not samples:
            raise base.ClientSideError(
                'Samples should be included in request body')
        conf = pecan.request.cfg
        identity = poster(pecan.request.headers, conf)
        now = utils.utcnow()
        messages = []
        for s in samples:
            self._validate(s)
            values = {a.key: getattr(s, a.key)
                      for a in wtypes.list_attributes(OldSample)}
            values = {k: (None if v is wsme.Unset else v)
                      for k, v in values.items()}
            try:
                message, taken = sample_intake.prepare(values, conf,
                                                       identity, now)
            except sample_intake.OtherProject as err:
                raise wsme.exc.InvalidInput(
                    'project_id', err.project_id,
                    'can not post samples to other projects')
            for key, value in taken.items():
                setattr(s, key, value)
            messages.append(message)
        pecan.request.storage_conn.record_metering_data_batch(messages)
        return samples

    def _validate(self, s):
        if s.counter_name != self.meter_name:
            raise wsme.exc.InvalidInput('counter_name', s.counter_name,
                                        'should be %s' % self.meter_name)
        if s.message_id:
            raise wsme.exc.InvalidInput('message_id', s.message_id,
                                        'The message_id must not be set')
        if s.counter_type not in sample_intake.SAMPLE_TYPES:
            raise wsme.exc.InvalidInput('counter_type', s.counter_type,
                                        'The counter type must be: '
                                        + ', '.join(
                                            sample_intake.SAMPLE_TYPES))
        if s.counter_volume is None or s.counter_volume != s.counter_volume:
            raise wsme.exc.InvalidInput('counter_volume', s.counter_volume,
                                        'must be a number')

    @wsme_pecan.wsexpose([Statistics], [base.Query], [wtypes.text], int,
                         [Aggregate])
    def statistics(self, q=None, groupby=None, period=None, aggregate=None):
        """Compute statistics of the samples in the time range given.

        :param q: Filter rules for the data to be returned.
        :param groupby: Fields for group by aggregation.
        :param period: Returned result will be an array of statistics for a
                       period long of that number of seconds.
        :param aggregate: The selectable aggregation functions to apply.
        """
        rbac.enforce('compute_statistics', pecan.request)
        q = q or []
        if period is not None and period < 0:
            raise base.ClientSideError('Period must be positive.')
        kwargs = v2_utils.query_to_kwargs(q, v2_utils.SAMPLE_KEYS)
        kwargs['meter'] = self.meter_name
        f = storage.SampleFilter(**kwargs)
        groups = validate_groupby(groupby or [])
        aggregates = validate_aggregates(aggregate or [])
        start, end = v2_utils.requested_range(q)
        try:
            if period:
                # Fail early on periods that cannot be represented.
                datetime.timedelta(seconds=period)
                if f.start_timestamp:
                    f.start_timestamp + datetime.timedelta(seconds=period)
            computed = pecan.request.storage_conn.get_meter_statistics(
                f, period, groups, aggregates)
        except OverflowError as err:
            raise base.ClientSideError(
                'Invalid period %s: %s' % (period, err))
        return [Statistics(start_timestamp=start, end_timestamp=end,
                           **c.as_dict()) for c in computed]


class Meter(base.Base):
    """One category of measurements."""

    name = wtypes.text
    "The unique name for the meter"

    type = wtypes.Enum(str, *sample_intake.SAMPLE_TYPES)
    "The meter type (see :ref:`measurements`)"

    unit = wtypes.text
    "The unit of measure"

    resource_id = wtypes.text
    "The ID of the :class:`Resource` for which the measurements are taken"

    project_id = wtypes.text
    "The ID of the project or tenant that owns the resource"

    user_id = wtypes.text
    "The ID of the user who last triggered an update to the resource"

    source = wtypes.text
    "The ID of the source that identifies where the meter comes from"

    meter_id = wtypes.text
    "The unique identifier for the meter"

    def __init__(self, **kwargs):
        meter_id = '%s+%s' % (kwargs['resource_id'], kwargs['name'])
        kwargs['meter_id'] = base64.b64encode(
            meter_id.encode('utf-8')).decode('ascii')
        super().__init__(**kwargs)

    @classmethod
    def sample(cls):
        return cls(name='instance', type='gauge', unit='instance',
                   resource_id='bd9431c1-8d69-4ad3-803a-8d4a6b89fd36',
                   project_id='35b17138-b364-4e6a-a131-8f3099c5be68',
                   user_id='efd87807-12d2-4b38-9c70-5f5c2ac427ff',
                   source='openstack')


class MetersController(rest.RestController):
    """Works on meters."""

    @pecan.expose()
    def _lookup(self, meter_name, *remainder):
        return MeterController(meter_name), remainder

    @wsme_pecan.wsexpose([Meter], [base.Query], int)
    def get_all(self, q=None, limit=None):
        """Return all known meters, based on the data recorded so far.

        :param q: Filter rules for the meters to be returned.
        :param limit: Maximum number of meters to return.
        """
        rbac.enforce('get_meters', pecan.request)
        limit = base.positive_limit(limit, pecan.request.cfg)
        kwargs = v2_utils.query_to_kwargs(q or [], v2_utils.METER_KEYS,
                                          allow_timestamps=False)
        return [Meter.from_db_model(m) for m in
                pecan.request.storage_conn.get_meters(limit=limit, **kwargs)]
