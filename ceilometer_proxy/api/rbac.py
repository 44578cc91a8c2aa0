"""Access control: per-call policy checks and project scoping.

The identity comes from the headers keystonemiddleware sets (X-User-Id,
X-Project-Id, X-Roles); the noauth pipeline lets clients send them. A request
with no identity at all is not limited, which is how Ceilometer's checks
behaved and what lets a token-less client work in development.
"""

from oslo_policy import policy
import pecan

from ceilometer_proxy.api import policies


def get_enforcer(conf):
    """The policy enforcer of this configuration (built once)."""
    enforcer = getattr(conf, '_ceilometer_proxy_enforcer', None)
    if enforcer is None:
        enforcer = policy.Enforcer(conf)
        enforcer.register_defaults(policies.list_rules())
        enforcer.load_rules()
        conf._ceilometer_proxy_enforcer = enforcer
    return enforcer


def _credentials(headers):
    return {'roles': [r.strip() for r in headers.get('X-Roles', '').split(',')
                      if r.strip()],
            'user_id': headers.get('X-User-Id'),
            'project_id': headers.get('X-Project-Id'),
            'target.user_id': headers.get('X-User-Id'),
            'target.project_id': headers.get('X-Project-Id')}


def allowed(action, headers, conf):
    """Whether policy ``telemetry:<action>`` allows a caller."""
    return get_enforcer(conf).enforce('telemetry:' + action, {},
                                      _credentials(headers))


def enforce(action, request):
    """Abort with 403 unless policy ``telemetry:<action>`` allows the call."""
    if not allowed(action, request.headers, request.cfg):
        pecan.abort(403, 'RBAC Authorization Failed')


def get_limited_to(headers, conf=None):
    """(user, project) the request is limited to; (None, None) for admins."""
    conf = conf or pecan.request.cfg
    enforcer = get_enforcer(conf)
    if enforcer.enforce('segregation', {}, _credentials(headers)):
        return None, None
    return headers.get('X-User-Id'), headers.get('X-Project-Id')


def get_limited_to_project(headers, conf=None):
    """The project the request is limited to, or None for no limit."""
    return get_limited_to(headers, conf)[1]


def is_admin(headers, conf=None):
    return get_limited_to_project(headers, conf) is None
