"""/v2/samples: samples in the newer shape, listed or fetched by id."""

import datetime

import pecan
from pecan import rest
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api.controllers.v2 import sample_intake
from ceilometer_proxy.api.controllers.v2 import utils as v2_utils
from ceilometer_proxy.api import rbac
from ceilometer_proxy import storage
from ceilometer_proxy import utils


class Sample(base.Base):
    """One measurement."""

    id = wtypes.text
    "The unique identifier for the sample."

    meter = wtypes.text
    "The meter name this sample is for."

    type = wtypes.Enum(str, *sample_intake.SAMPLE_TYPES)
    "The meter type (see :ref:`meter_types`)"

    unit = wtypes.text
    "The unit of measure."

    volume = float
    "The metered value."

    user_id = wtypes.text
    "The user this sample was taken for."

    project_id = wtypes.text
    "The project this sample was taken for."

    resource_id = wtypes.text
    "The :class:`Resource` this sample was taken for."

    source = wtypes.text
    "The source that identifies where the sample comes from."

    timestamp = datetime.datetime
    "When the sample has been generated."

    recorded_at = datetime.datetime
    "When the sample has been recorded."

    metadata = {wtypes.text: wtypes.text}
    "Arbitrary metadata associated with the sample."

    @classmethod
    def from_db_model(cls, m):
        return cls(id=m.message_id,
                   meter=m.counter_name,
                   type=m.counter_type,
                   unit=m.counter_unit,
                   volume=m.counter_volume,
                   user_id=m.user_id,
                   project_id=m.project_id,
                   resource_id=m.resource_id,
                   source=m.source,
                   timestamp=m.timestamp,
                   recorded_at=m.recorded_at,
                   metadata=utils.flatten_metadata(m.resource_metadata))

    @classmethod
    def sample(cls):
        return cls(id='8db08c68-bc70-11e4-a8c4-fa163e1d1a9b',
                   meter='instance',
                   type='gauge',
                   unit='instance',
                   volume=1,
                   resource_id='bd9431c1-8d69-4ad3-803a-8d4a6b89fd36',
                   project_id='35b17138-b364-4e6a-a131-8f3099c5be68',
                   user_id='efd87807-12d2-4b38-9c70-5f5c2ac427ff',
                   timestamp=datetime.datetime(2015, 1, 1, 12, 0),
                   recorded_at=datetime.datetime(2015, 1, 1, 12, 0, 1),
                   source='openstack',
                   metadata={'name1': 'value1', 'name2': 'value2'})


class SamplesController(rest.RestController):
    """Controller managing the samples."""

    @wsme_pecan.wsexpose([Sample], [base.Query], int)
    def get_all(self, q=None, limit=None):
        """Return all known samples, based on the data recorded so far.

        :param q: Filter rules for the samples to be returned.
        :param limit: Maximum number of samples to be returned.
        """
        rbac.enforce('get_samples', pecan.request)
        limit = base.positive_limit(limit, pecan.request.cfg)
        kwargs = v2_utils.query_to_kwargs(q or [], v2_utils.SAMPLE_KEYS)
        f = storage.SampleFilter(**kwargs)
        return [Sample.from_db_model(s) for s in
                pecan.request.storage_conn.get_samples(f, limit=limit)]

    @wsme_pecan.wsexpose(Sample, wtypes.text)
    def get_one(self, sample_id):
        """Return a sample.

        :param sample_id: the id of the sample.
        """
        rbac.enforce('get_sample', pecan.request)
        f = storage.SampleFilter(
            message_id=sample_id,
            project=rbac.get_limited_to_project(pecan.request.headers))
        found = list(pecan.request.storage_conn.get_samples(f, limit=1))
        if not found:
            raise base.EntityNotFound('Sample', sample_id)
        return Sample.from_db_model(found[0])
