"""/v2/alarms: alarm definitions, their state and their history.

An alarm has exactly one rule, of the kind its ``type`` names
(``threshold_rule`` or ``combination_rule``, see ``alarm_rules``). Every
creation, change, state transition and deletion is recorded as an
AlarmChange (unless ``[alarm] record_history`` is off); history outlives
its alarm, and scoped callers see the changes made on behalf of their
project.
"""

import datetime
import uuid
import zoneinfo

import croniter
import pecan
from pecan import rest
import wsme
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from ceilometer_proxy.alarm.storage import models
from ceilometer_proxy.api.controllers.v2 import alarm_checks as checks
from ceilometer_proxy.api.controllers.v2.alarm_rules import combination
from ceilometer_proxy.api.controllers.v2.alarm_rules import threshold
from ceilometer_proxy.api.controllers.v2 import base
from ceilometer_proxy.api import rbac

RULES = {'threshold': threshold.AlarmThresholdRule,
         'combination': combination.AlarmCombinationRule}


class CronType(wtypes.UserType):
    """A cron expression (``0 23 * * *``)."""

    basetype = wtypes.text
    name = 'cron'

    @staticmethod
    def validate(value):
        try:
            croniter.croniter(value)
        except Exception as err:  # croniter's errors share no base class
            raise ValueError('invalid cron expression %r: %s' % (value, err))
        return value


class AlarmTimeConstraint(base.Base):
    """A time window in which the alarm is evaluated."""

    name = wsme.wsattr(wtypes.text, mandatory=True)
    "The name of the constraint"

    _description = None

    def get_description(self):
        if not self._description:
            return ('Time constraint at %s lasting for %s seconds'
                    % (self.start, self.duration))
        return self._description

    def set_description(self, value):
        self._description = value

    description = wsme.wsproperty(wtypes.text, get_description,
                                  set_description)
    "The description of the constraint"

    start = wsme.wsattr(CronType(), mandatory=True)
    "Start point of the time constraint, in cron format"

    duration = wsme.wsattr(wtypes.IntegerType(minimum=0), mandatory=True)
    "How long the constraint should last, in seconds"

    timezone = wsme.wsattr(wtypes.text, default='')
    "Timezone of the constraint (an IANA name such as Europe/Paris)"

    def as_dict(self):
        return self.as_dict_from_keys(['name', 'description', 'start',
                                       'duration', 'timezone'])

    @staticmethod
    def validate(constraint):
        if constraint.timezone:
            try:
                zoneinfo.ZoneInfo(constraint.timezone)
            except (ValueError, zoneinfo.ZoneInfoNotFoundError):
                raise base.ClientSideError('Timezone %s is not valid'
                                           % constraint.timezone)
        return constraint

    @classmethod
    def sample(cls):
        return cls(name='SampleConstraint',
                   description='nightly build every night at 23h for 3 hours',
                   start='0 23 * * *', duration=10800,
                   timezone='Europe/Ljubljana')


class Alarm(base.Base):
    """An alarm: one rule (``threshold_rule`` or ``combination_rule``, as
    ``type`` says), actions per state and the current state."""

    alarm_id = wtypes.text
    "The UUID of the alarm"

    name = wsme.wsattr(wtypes.text, mandatory=True)
    "The name for the alarm"

    _description = None

    def get_description(self):
        if self._description:
            return self._description
        rule = getattr(self, '%s_rule' % self.type, None)
        if isinstance(rule, tuple(RULES.values())):
            return rule.default_description
        return '%s alarm rule' % self.type

    def set_description(self, value):
        self._description = value

    description = wsme.wsproperty(wtypes.text, get_description,
                                  set_description)
    "The description of the alarm"

    enabled = wsme.wsattr(bool, default=True)
    "This alarm is enabled?"

    ok_actions = wsme.wsattr([wtypes.text], default=[])
    "The actions to do when alarm state change to ok"

    alarm_actions = wsme.wsattr([wtypes.text], default=[])
    "The actions to do when alarm state change to alarm"

    insufficient_data_actions = wsme.wsattr([wtypes.text], default=[])
    "The actions to do when alarm state change to insufficient data"

    repeat_actions = wsme.wsattr(bool, default=False)
    "The actions should be re-triggered on each evaluation cycle"

    type = wsme.wsattr(wtypes.Enum(str, *RULES), mandatory=True)
    "Explicit type specifier to select which rule to follow below."

    threshold_rule = threshold.AlarmThresholdRule
    "The rule of a threshold alarm"

    combination_rule = combination.AlarmCombinationRule
    "The rule of a combination alarm"

    time_constraints = wsme.wsattr([AlarmTimeConstraint], default=[])
    "When the alarm is evaluated (always, when empty)"

    project_id = wtypes.text
    "The ID of the project or tenant that owns the alarm"

    user_id = wtypes.text
    "The ID of the user who created the alarm"

    timestamp = datetime.datetime
    "The date of the last alarm definition update"

    state = wsme.wsattr(wtypes.Enum(str, *models.Alarm.STATES),
                        default=models.Alarm.STATE_INSUFFICIENT_DATA)
    "The state of the alarm"

    state_timestamp = datetime.datetime
    "The date of the last alarm state change"

    severity = wsme.wsattr(wtypes.Enum(str, *models.Alarm.SEVERITIES),
                           default='low')
    "The severity of the alarm"

    def __init__(self, rule=None, time_constraints=None, **kwargs):
        super().__init__(**kwargs)
        if rule:
            setattr(self, '%s_rule' % self.type, RULES[self.type](**rule))
        if time_constraints:
            self.time_constraints = [AlarmTimeConstraint(**tc)
                                     for tc in time_constraints]

    @staticmethod
    def validate(alarm):
        check_rule(alarm)
        names = [tc.name for tc in alarm.time_constraints or []]
        if len(names) != len(set(names)):
            raise base.ClientSideError('Time constraint names must be '
                                       'unique for a given alarm.')
        checks.check_actions(alarm)
        return alarm

    @property
    def rule(self):
        return getattr(self, '%s_rule' % self.type)

    def as_dict(self):
        """The alarm as stored (fields of the storage model)."""
        values = self.as_dict_from_keys(models.Alarm.FIELDS)
        values['rule'] = self.rule.as_dict()
        values['time_constraints'] = [tc.as_dict() for tc in
                                      self.time_constraints or []]
        return values

    @classmethod
    def sample(cls):
        now = datetime.datetime(2015, 10, 1, 12, 0, 0)
        return cls(alarm_id=None, name='SwiftObjectAlarm',
                   description='An alarm', type='combination',
                   time_constraints=[AlarmTimeConstraint.sample().as_dict()],
                   user_id='c96c887c216949acbdfbd8b494863567',
                   project_id='c96c887c216949acbdfbd8b494863567',
                   enabled=True, timestamp=now, state='ok',
                   severity='moderate', state_timestamp=now,
                   ok_actions=['http://site:8000/ok'],
                   alarm_actions=['http://site:8000/alarm'],
                   insufficient_data_actions=['http://site:8000/nodata'],
                   repeat_actions=False,
                   combination_rule=combination.AlarmCombinationRule.sample())


class AlarmChange(base.Base):
    """One event of an alarm's history."""

    event_id = wtypes.text
    "The UUID of the change event"

    alarm_id = wtypes.text
    "The UUID of the alarm"

    type = wtypes.Enum(str, *models.AlarmChange.TYPES)
    "The type of change"

    detail = wtypes.text
    "JSON fragment describing change"

    project_id = wtypes.text
    "The project ID of the initiating identity"

    user_id = wtypes.text
    "The user ID of the initiating identity"

    on_behalf_of = wtypes.text
    "The tenant on behalf of which the change is being made"

    timestamp = datetime.datetime
    "The time/date of the alarm change"

    @classmethod
    def sample(cls):
        return cls(alarm_id='e8ff32f772a44a478182c3fe1f7cad6a',
                   type='rule change',
                   detail='{"threshold": 42.0, "evaluation_periods": 4}',
                   user_id='3e5d11fda79448ac99ccefb20be187ca',
                   project_id='b6f16144010811e387e4de429e99ee8c',
                   on_behalf_of='92159030020611e3b26dde429e99ee8c',
                   timestamp=datetime.datetime(2015, 10, 1, 12, 0, 0))

    @classmethod
    def from_db_model(cls, m):
        values = m.as_dict()
        values.pop('severity', None)
        return cls(**values)


# -- checks -----------------------------------------------------------------

def check_rule(alarm):
    """Exactly the rule of the alarm's type must be given."""
    wanted = '%s_rule' % alarm.type
    if getattr(alarm, wanted) in (wtypes.Unset, None):
        raise base.ClientSideError('%s must be set for %s type alarm'
                                   % (wanted, alarm.type))
    given = [name for name in ('%s_rule' % kind for kind in RULES)
             if getattr(alarm, name) not in (wtypes.Unset, None)]
    if len(given) > 1:
        raise base.ClientSideError('%s and %s cannot be set at the same time'
                                   % (given[0], given[1]))


# -- controllers ------------------------------------------------------------

def _owner(requested, limited, caller, aspect):
    """The user or project a new alarm belongs to.

    A scoped caller may only name themselves (401 otherwise); without an
    explicit owner, the caller owns the alarm.
    """
    explicit = requested not in (wtypes.Unset, None)
    if limited and explicit and requested != caller:
        raise base.ProjectNotAuthorized(requested, aspect)
    if not explicit:
        return caller
    return limited or requested


def _given(value, stored):
    """A field of a replacing alarm, or the stored one when omitted."""
    return stored if value in (wtypes.Unset, None) else value


class AlarmController(rest.RestController):
    """One alarm, its state and its history."""

    _custom_actions = {
        'history': ['GET'],
        'state': ['PUT', 'GET'],
    }

    def __init__(self, alarm_id):
        self._id = alarm_id

    @property
    def conn(self):
        return pecan.request.alarm_storage_conn

    def _alarm(self):
        """The stored alarm, if the caller may see it (404 otherwise)."""
        project = rbac.get_limited_to_project(pecan.request.headers)
        alarms = self.conn.get_alarms(alarm_id=self._id, project=project)
        if not alarms:
            raise combination.AlarmNotFound(self._id, project)
        return alarms[0]

    @wsme_pecan.wsexpose(Alarm)
    def get(self):
        """Return this alarm."""
        rbac.enforce('get_alarm', pecan.request)
        return Alarm.from_db_model(self._alarm())

    @wsme_pecan.wsexpose(Alarm, body=Alarm)
    def put(self, data):
        """Replace this alarm's definition.

        :param data: the whole alarm, as for creation.
        """
        rbac.enforce('change_alarm', pecan.request)
        stored = self._alarm()
        now = checks.now()
        data.alarm_id = self._id
        user, project = rbac.get_limited_to(pecan.request.headers)
        data.user_id = user or _given(data.user_id, stored.user_id)
        data.project_id = project or _given(data.project_id,
                                            stored.project_id)
        data.timestamp = now
        data.state_timestamp = (now if data.state != stored.state
                                else stored.state_timestamp)
        if data.name != stored.name:
            checks.check_unique_name(self.conn, data.name, data.project_id,
                                     exclude_id=self._id)
        RULES[data.type].update_hook(data)
        RULES[data.type].validate_alarm(data)
        old = Alarm.from_db_model(stored).as_dict()
        new = data.as_dict()
        alarm = self.conn.update_alarm(models.Alarm(**new))
        if alarm is None:  # deleted meanwhile
            raise combination.AlarmNotFound(self._id, project)
        change = {k: v for k, v in new.items()
                  if v != old.get(k) and k not in ('timestamp',
                                                   'state_timestamp')}
        checks.record_change(self.conn, self._id,
                             models.AlarmChange.RULE_CHANGE, change,
                             alarm.project_id, now)
        return Alarm.from_db_model(alarm)

    @wsme_pecan.wsexpose(None, status_code=204)
    def delete(self):
        """Delete this alarm; its history stays readable."""
        rbac.enforce('delete_alarm', pecan.request)
        stored = self._alarm()
        self.conn.delete_alarm(stored.alarm_id)
        checks.record_change(self.conn, self._id,
                             models.AlarmChange.DELETION,
                             Alarm.from_db_model(stored).as_dict(),
                             stored.project_id, checks.now())

    @wsme_pecan.wsexpose([AlarmChange], [base.Query], int, [wtypes.text])
    def history(self, q=None, limit=None, sort=None):
        """The changes of this alarm, newest first.

        The alarm need not exist any more. A scoped caller sees the changes
        made on behalf of their project.

        :param q: filters on timestamp, type, user, project, severity.
        :param limit: at most this many changes.
        :param sort: ``field[:asc|:desc]`` items replacing newest-first.
        """
        rbac.enforce('alarm_history', pecan.request)
        kwargs = checks.history_query_kwargs(q or [])
        project = rbac.get_limited_to_project(pecan.request.headers)
        changes = self.conn.get_alarm_changes(
            self._id, project, limit=checks.optional_limit(limit),
            sort=checks.parse_sort(sort, checks.SORTABLE_CHANGE_FIELDS),
            **kwargs)
        return [AlarmChange.from_db_model(c) for c in changes]

    @wsme_pecan.wsexpose(wtypes.text, body=wtypes.text)
    def put_state(self, state):
        """Set the state of this alarm.

        :param state: ``ok``, ``alarm`` or ``insufficient data``.
        """
        rbac.enforce('change_alarm_state', pecan.request)
        if state not in models.Alarm.STATES:
            raise base.ClientSideError('state invalid')
        stored = self._alarm()
        now = checks.now()
        stored.state = state
        stored.state_timestamp = now
        alarm = self.conn.update_alarm(stored)
        if alarm is None:
            raise combination.AlarmNotFound(self._id, None)
        checks.record_change(self.conn, self._id,
                             models.AlarmChange.STATE_TRANSITION,
                             {'state': state}, alarm.project_id, now)
        return alarm.state

    @wsme_pecan.wsexpose(wtypes.text)
    def get_state(self):
        """Return the state of this alarm."""
        rbac.enforce('get_alarm_state', pecan.request)
        return self._alarm().state


class AlarmsController(rest.RestController):
    """The alarms collection."""

    @pecan.expose()
    def _lookup(self, alarm_id, *remainder):
        return AlarmController(alarm_id), remainder

    @wsme_pecan.wsexpose(Alarm, body=Alarm, status_code=201)
    def post(self, data):
        """Create a new alarm.

        :param data: the alarm; a scoped caller creates it for themselves.
        """
        rbac.enforce('create_alarm', pecan.request)
        conn = pecan.request.alarm_storage_conn
        headers = pecan.request.headers
        user, project = rbac.get_limited_to(headers)
        data.user_id = _owner(data.user_id, user, headers.get('X-User-Id'),
                              'user')
        data.project_id = _owner(data.project_id, project,
                                 headers.get('X-Project-Id'), 'project')
        checks.check_quota(conn, pecan.request.cfg, data.user_id,
                           data.project_id)
        RULES[data.type].validate_alarm(data)
        checks.check_unique_name(conn, data.name, data.project_id)
        now = checks.now()
        data.alarm_id = str(uuid.uuid4())
        data.timestamp = now
        data.state_timestamp = now
        change = data.as_dict()
        alarm = conn.create_alarm(models.Alarm(**change))
        checks.record_change(conn, alarm.alarm_id,
                             models.AlarmChange.CREATION, change,
                             alarm.project_id, now)
        return Alarm.from_db_model(alarm)

    @wsme_pecan.wsexpose([Alarm], [base.Query], int, [wtypes.text])
    def get_all(self, q=None, limit=None, sort=None):
        """Return the alarms matching the query, newest change first.

        :param q: filters (equality) on name, user, project, state, meter,
                  enabled, alarm_id, type and severity.
        :param limit: at most this many alarms.
        :param sort: ``field[:asc|:desc]`` items replacing newest-first.
        """
        rbac.enforce('get_alarms', pecan.request)
        kwargs = checks.alarm_query_kwargs(q or [])
        conn = pecan.request.alarm_storage_conn
        sort = checks.parse_sort(sort, checks.SORTABLE_ALARM_FIELDS)
        alarms = conn.get_alarms(limit=checks.optional_limit(limit),
                                 sort=sort, **kwargs)
        return [Alarm.from_db_model(a) for a in alarms]
