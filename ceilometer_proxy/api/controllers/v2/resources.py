"""/v2/resources: the things samples were taken for."""

import datetime

import pecan
from pecan import rest
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api.controllers.v2 import utils as v2_utils
from ceilometer_proxy.api import rbac
from ceilometer_proxy import utils


class Resource(base.Base):
    """An externally defined object for which samples have been received."""

    resource_id = wtypes.text
    "The unique identifier for the resource"

    project_id = wtypes.text
    "The ID of the owning project or tenant"

    user_id = wtypes.text
    "The ID of the user who created the resource or updated it last"

    first_sample_timestamp = datetime.datetime
    "UTC date & time not later than the first sample known for this resource"

    last_sample_timestamp = datetime.datetime
    "UTC date & time not earlier than the last sample known for this resource"

    metadata = {wtypes.text: wtypes.text}
    "Arbitrary metadata associated with the resource"

    links = [base.Link]
    "A list containing a self link and associated meter links"

    source = wtypes.text
    "The source where the resource come from"

    def __init__(self, metadata=None, **kwds):
        super().__init__(metadata=utils.flatten_metadata(metadata or {}),
                         **kwds)

    @classmethod
    def sample(cls):
        return cls(
            resource_id='bd9431c1-8d69-4ad3-803a-8d4a6b89fd36',
            project_id='35b17138-b364-4e6a-a131-8f3099c5be68',
            user_id='efd87807-12d2-4b38-9c70-5f5c2ac427ff',
            source='openstack',
            metadata={'name1': 'value1', 'name2': 'value2'},
            links=[
                base.Link(href=('http://localhost:8777/v2/resources/'
                                'bd9431c1-8d69-4ad3-803a-8d4a6b89fd36'),
                          rel='self'),
                base.Link(href=('http://localhost:8777/v2/meters/volume?'
                                'q.field=resource_id&q.value='
                                'bd9431c1-8d69-4ad3-803a-8d4a6b89fd36'),
                          rel='volume')])


def make_link(rel_name, url, kind, kind_arg, query=None):
    query_str = ''
    if query:
        query_str = '?q.field=%s&q.value=%s' % (query['field'],
                                                query['value'])
    return base.Link(href='%s/v2/%s/%s%s' % (url, kind, kind_arg, query_str),
                     rel=rel_name)


def resource_links(resource_id, meter_links=True):
    """The self link, and one link per meter of the resource."""
    url = pecan.request.application_url
    links = [make_link('self', url, 'resources', resource_id)]
    if meter_links:
        names = []
        for meter in pecan.request.storage_conn.get_meters(
                resource=resource_id):
            if meter.name not in names:
                names.append(meter.name)
        for name in names:
            links.append(make_link(name, url, 'meters', name,
                                   query={'field': 'resource_id',
                                          'value': resource_id}))
    return links


class ResourcesController(rest.RestController):
    """Works on resources."""

    @wsme_pecan.wsexpose(Resource, wtypes.text)
    def get_one(self, resource_id):
        """Retrieve details about one resource.

        :param resource_id: The UUID of the resource.
        """
        rbac.enforce('get_resource', pecan.request)
        project = rbac.get_limited_to_project(pecan.request.headers)
        found = list(pecan.request.storage_conn.get_resources(
            resource=resource_id, project=project, limit=1))
        if not found:
            raise base.EntityNotFound('Resource', resource_id)
        return Resource.from_db_and_links(found[0],
                                          resource_links(resource_id))

    @wsme_pecan.wsexpose([Resource], [base.Query], int, int)
    def get_all(self, q=None, limit=None, meter_links=1):
        """Retrieve definitions of all of the resources.

        :param q: Filter rules for the resources to be returned.
        :param limit: Maximum number of resources to return.
        :param meter_links: option to include related meter links.
        """
        rbac.enforce('get_resources', pecan.request)
        limit = base.positive_limit(limit, pecan.request.cfg)
        kwargs = v2_utils.query_to_kwargs(q or [], v2_utils.RESOURCE_KEYS)
        return [Resource.from_db_and_links(r, resource_links(r.resource_id,
                                                             meter_links))
                for r in pecan.request.storage_conn.get_resources(
                    limit=limit, **kwargs)]
