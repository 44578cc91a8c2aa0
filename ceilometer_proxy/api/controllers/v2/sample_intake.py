"""What a posted sample becomes: the defaults it takes and the signed
metering message the store keeps.

One rule set for the two ways a POST of samples is read: the WSME
controller (meters.py, any body format) and the JSON intake in front of
pecan (api/intake.py), which reads plain dicts for speed.
"""

from ceilometer_proxy import signing
from ceilometer_proxy import utils

SAMPLE_TYPES = ('gauge', 'delta', 'cumulative')


class OtherProject(Exception):
    """A scoped caller posted a sample of another project."""

    def __init__(self, project_id):
        super().__init__(project_id)
        self.project_id = project_id


class Identity(object):
    """Who posts: the defaults of a sample's user and project, and the
    project a scoped caller is limited to (None for an administrator)."""

    def __init__(self, user_id, project_id, limited_to_project):
        self.user_id = user_id
        self.project_id = project_id
        self.limited_to_project = limited_to_project


def prepare(values, conf, identity, now):
    """(metering message, fields the sample takes) of one posted sample.

    :param values: the sample's fields: ``counter_volume`` a float,
        ``timestamp`` a datetime or None, ``resource_metadata`` as posted
        (keys with dots are nested when stored).
    :param now: the request's time, the timestamp of samples without one.
    :raises OtherProject: for a scoped caller's sample of another project.
    """
    user_id = values.get('user_id') or identity.user_id
    project_id = values.get('project_id') or identity.project_id
    limited = identity.limited_to_project
    if limited and limited != project_id:
        raise OtherProject(project_id)
    source = '%s:%s' % (project_id, values.get('source') or
                        conf.sample_source)
    timestamp = utils.to_millis(utils.naive_utc(values.get('timestamp') or
                                                now))
    message = signing.meter_message(
        values['counter_name'], values['counter_type'],
        values['counter_unit'], values['counter_volume'], user_id,
        project_id, values['resource_id'], timestamp.isoformat(),
        utils.restore_nesting(values.get('resource_metadata') or {},
                              separator='.'),
        source, conf.publisher.telemetry_secret)
    taken = {'user_id': user_id, 'project_id': project_id, 'source': source,
             'timestamp': timestamp, 'message_id': message['message_id']}
    return message, taken
