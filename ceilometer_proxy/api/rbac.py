"""Access control: per-call policy checks and project scoping.

The identity comes from the headers keystonemiddleware sets (X-User-Id,
X-Project-Id, X-Roles); the noauth pipeline lets clients send them. A request
with no identity at all is not limited, which is how Ceilometer's checks
behaved and what lets a token-less client work in development.
"""

import time

from oslo_policy import policy
import pecan

from ceilometer_proxy.api import policies


# Seconds between two looks at the policy files for changes.
RELOAD_INTERVAL = 1.0


class Enforcer(policy.Enforcer):
    """oslo.policy's enforcer, looking for changed policy files at most
    once a second.

    oslo.policy looks on every check (a dozen stat() calls through the
    configuration directories), and a request makes two or three checks:
    a quarter of a millisecond per request, where a proxied statistics
    call has about one to spend in all. An edited policy file still takes
    effect, within a second.
    """

    _next_look = 0.0

    def load_rules(self, force_reload=False):
        now = time.monotonic()
        if force_reload or not self.rules or now >= self._next_look:
            self._next_look = now + RELOAD_INTERVAL
            super().load_rules(force_reload)


def get_enforcer(conf):
    """The policy enforcer of this configuration (built once)."""
    enforcer = getattr(conf, '_ceilometer_proxy_enforcer', None)
    if enforcer is None:
        enforcer = Enforcer(conf)
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
