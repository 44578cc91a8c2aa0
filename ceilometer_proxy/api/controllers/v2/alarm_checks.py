"""Checks and request helpers of the alarms API (/v2/alarms).

Kept apart from the types and controllers in ``alarms`` so each stays
readable; the ``[alarm]`` options of the API are declared here, where they
are read.
"""

import datetime
import json
from urllib import parse
import uuid

import pecan

from ceilometer_proxy.alarm.storage import models
from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api.controllers.v2 import utils as v2_utils
from ceilometer_proxy.api import rbac
from ceilometer_proxy import utils

ACTION_SCHEMES = ('http', 'https', 'log', 'test')
TRUST_SCHEMES = ('trust+http', 'trust+https')
# Schemes whose notifier acts inside the service: admins only.
ADMIN_SCHEMES = ('log', 'test')
ACTION_FIELDS = tuple(models.Alarm.ACTIONS_OF_STATE[state]
                      for state in models.Alarm.STATES)
SORTABLE_ALARM_FIELDS = ('alarm_id', 'name', 'description', 'enabled',
                         'type', 'state', 'severity', 'user_id',
                         'project_id', 'timestamp', 'state_timestamp',
                         'repeat_actions')
SORTABLE_CHANGE_FIELDS = ('event_id', 'type', 'user_id', 'project_id',
                          'on_behalf_of', 'severity', 'timestamp')
ALARM_QUERY_KEYS = ('name', 'user', 'state', 'meter', 'project', 'enabled',
                    'alarm_id', 'type', 'severity')
HISTORY_QUERY_KEYS = ('user', 'project', 'type', 'severity')


def check_actions(alarm):
    """Deduplicate actions and refuse schemes nobody can notify."""
    conf = pecan.request.cfg
    schemes = ACTION_SCHEMES + (TRUST_SCHEMES if conf.alarm.allow_trust_actions
                                else ())
    limited = rbac.get_limited_to_project(pecan.request.headers)
    for field in ACTION_FIELDS:
        actions = list(dict.fromkeys(getattr(alarm, field) or []))
        setattr(alarm, field, actions)
        if 0 < conf.alarm.alarm_max_actions < len(actions):
            raise base.ClientSideError(
                '%s count exceeds maximum value %d'
                % (field, conf.alarm.alarm_max_actions))
        for action in actions:
            try:
                scheme = parse.urlsplit(action).scheme
            except ValueError:
                raise base.ClientSideError('Unable to parse action %s'
                                           % action)
            if scheme not in schemes:
                raise base.ClientSideError('Unsupported action %s' % action)
            if limited and scheme in ADMIN_SCHEMES:
                raise base.ClientSideError(
                    'You are not authorized to create action: %s' % action,
                    status_code=401)


class OverQuota(base.ClientSideError):
    def __init__(self, user_id, project_id):
        super().__init__('Alarm quota exceeded for user %s on project %s'
                         % (user_id, project_id), status_code=403)


def check_quota(conn, conf, user_id, project_id):
    """Refuse one more alarm beyond the user's or the project's quota."""
    quotas = ((conf.alarm.user_alarm_quota, {'user': user_id}),
              (conf.alarm.project_alarm_quota, {'project': project_id}))
    for quota, owner in quotas:
        if quota is not None and len(conn.get_alarms(**owner)) >= quota:
            raise OverQuota(user_id, project_id)


def check_unique_name(conn, name, project_id, exclude_id=None):
    """Alarm names are unique within a project (409 otherwise)."""
    exclude = {'alarm_id': exclude_id} if exclude_id else None
    if conn.get_alarms(name=name, project=project_id, exclude=exclude,
                       limit=1):
        raise base.ClientSideError('Alarm with name=%s exists' % name,
                                   status_code=409)


def parse_sort(sort, fields):
    """['name:asc', 'timestamp'] -> [('name', 'asc'), ('timestamp',
    'desc')]; a field without direction sorts descending."""
    pairs = []
    for item in sort or []:
        field, _, direction = item.partition(':')
        direction = (direction or 'desc').lower()
        if field not in fields or direction not in ('asc', 'desc'):
            raise base.ClientSideError(
                'Invalid sort %r: use <field>[:asc|:desc] with a field '
                'among %s' % (item, ', '.join(fields)))
        pairs.append((field, direction))
    return pairs


def optional_limit(limit):
    if limit is None:
        return None
    return base.positive_limit(limit, pecan.request.cfg)


def alarm_query_kwargs(query):
    """get_alarms arguments of a validated, scoped ``q``."""
    v2_utils.validate_query(query, ALARM_QUERY_KEYS, allow_timestamps=False,
                            allow_metadata=False)
    kwargs = {}
    for q in v2_utils.sanitize_query(query):
        key = v2_utils.TRANSLATION.get(q.field, q.field)
        if key == 'enabled':
            kwargs[key] = q.get_value('boolean')
        else:
            kwargs['alarm_type' if key == 'type' else key] = q.value
    return kwargs


def history_query_kwargs(query):
    """get_alarm_changes arguments of a validated ``q`` (scoping is by
    ``on_behalf_of``, not by who made the change)."""
    v2_utils.validate_query(query, HISTORY_QUERY_KEYS, allow_metadata=False)
    stamp = {}
    kwargs = {}
    for q in query:
        if q.field == 'timestamp':
            side = 'end' if q.op in ('lt', 'le') else 'start'
            stamp['%s_timestamp' % side] = q.value
            stamp['%s_timestamp_op' % side] = q.op
        elif q.field == 'search_offset':
            stamp['search_offset'] = q.value
        else:
            key = v2_utils.TRANSLATION.get(q.field, q.field)
            kwargs['alarm_type' if key == 'type' else key] = q.value
    if stamp:
        kwargs.update(v2_utils.query_timestamps(stamp))
    return kwargs


def record_change(conn, alarm_id, change_type, detail, on_behalf_of, now):
    """Store one history event, unless history is switched off."""
    if not pecan.request.cfg.alarm.record_history or not detail:
        return
    headers = pecan.request.headers
    conn.record_alarm_change({
        'event_id': str(uuid.uuid4()),
        'alarm_id': alarm_id,
        'type': change_type,
        'detail': json.dumps(_stringify_times(detail)),
        'user_id': headers.get('X-User-Id'),
        'project_id': headers.get('X-Project-Id'),
        'on_behalf_of': on_behalf_of or headers.get('X-Project-Id'),
        'timestamp': now})


def _stringify_times(data):
    return {k: v.isoformat() if isinstance(v, datetime.datetime) else v
            for k, v in data.items()}


def now():
    return utils.to_millis(utils.utcnow())
