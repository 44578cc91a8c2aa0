"""Who is calling, and the headers that carry that identity to a region.

Built from the request headers keystonemiddleware sets (or a noauth client
sends), so the cascading logic never needs the request object itself.
"""

from oslo_log import log

from ceilometer_proxy.cascading import catalog

LOG = log.getLogger(__name__)


def _header(headers, name):
    value = headers.get(name)
    if value is None:
        # A plain dict may not be case-insensitive like webob's headers.
        lower = name.lower()
        for key, candidate in headers.items():
            if key.lower() == lower:
                return candidate
    return value


class Caller(object):
    """The identity of one API request.

    :param token: the caller's token (X-Auth-Token), or None.
    :param user_id: X-User-Id.
    :param project_id: X-Project-Id.
    :param roles: list of role names (X-Roles).
    :param admin: whether the policy sees this caller as an administrator
        (a bool, or a function asked once when first needed); None decides
        by the ``admin`` role (the default policy).
    """

    def __init__(self, token=None, user_id=None, project_id=None,
                 roles=None, admin=None):
        self.token = token
        self.user_id = user_id
        self.project_id = project_id
        self.roles = list(roles or [])
        self._admin = admin

    @classmethod
    def from_headers(cls, headers, admin=None):
        roles = _header(headers, 'X-Roles') or ''
        return cls(token=_header(headers, 'X-Auth-Token'),
                   user_id=_header(headers, 'X-User-Id'),
                   project_id=_header(headers, 'X-Project-Id'),
                   roles=[r.strip() for r in roles.split(',') if r.strip()],
                   admin=admin)

    @property
    def is_admin(self):
        if callable(self._admin):
            # Asked of the policy only when a call needs to know.
            self._admin = bool(self._admin())
        if self._admin is not None:
            return self._admin
        return 'admin' in self.roles

    def identity_headers(self):
        """X-User-Id/X-Project-Id/X-Roles as this caller sent them."""
        headers = {}
        if self.user_id:
            headers['X-User-Id'] = self.user_id
        if self.project_id:
            headers['X-Project-Id'] = self.project_id
        if self.roles:
            headers['X-Roles'] = ','.join(self.roles)
        return headers

    def forward_headers(self, conf):
        """Headers of a region call made on this caller's behalf.

        The caller's token when ``[cascading] forward_user_token`` (one
        Keystone for every region), else a token of
        ``[service_credentials]``. With ``[api] auth_mode = noauth`` the
        regions trust identity headers, so those are sent too.
        """
        headers = {}
        if conf.cascading.forward_user_token:
            if self.token:
                headers['X-Auth-Token'] = self.token
        else:
            headers['X-Auth-Token'] = catalog.service_credentials(conf).token()
        if conf.api.auth_mode == 'noauth':
            headers.update(self.identity_headers())
        return headers

    def __repr__(self):
        return '<Caller user=%s project=%s roles=%s>' % (
            self.user_id, self.project_id, ','.join(self.roles))
