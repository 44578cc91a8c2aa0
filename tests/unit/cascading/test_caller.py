"""The caller's identity and the headers of region calls."""

from ceilometer_proxy.cascading import caller
from tests.unit.cascading import helpers


def test_from_headers_reads_identity_and_roles():
    c = caller.Caller.from_headers({'x-auth-token': 't', 'X-User-Id': 'u',
                                    'X-Project-Id': 'p',
                                    'X-Roles': 'member, admin'})
    assert (c.token, c.user_id, c.project_id) == ('t', 'u', 'p')
    assert c.roles == ['member', 'admin']
    assert c.is_admin


def test_policy_decision_overrides_the_role_guess():
    assert not caller.Caller(roles=['admin'], admin=False).is_admin
    assert caller.Caller(roles=[], admin=True).is_admin
    assert not caller.Caller.from_headers({}).is_admin


def test_noauth_forwards_token_and_identity():
    conf = helpers.make_conf()
    c = caller.Caller('t', 'u', 'p', ['member'])
    assert c.forward_headers(conf) == {'X-Auth-Token': 't', 'X-User-Id': 'u',
                                       'X-Project-Id': 'p',
                                       'X-Roles': 'member'}


def test_keystone_mode_forwards_the_token_only():
    conf = helpers.make_conf()
    conf.set_override('auth_mode', 'keystone', group='api')
    c = caller.Caller('t', 'u', 'p', ['member'])
    assert c.forward_headers(conf) == {'X-Auth-Token': 't'}
    assert caller.Caller().forward_headers(conf) == {}


def test_a_policy_function_is_asked_once_and_only_when_needed():
    asked = []
    c = caller.Caller(roles=['member'],
                      admin=lambda: asked.append(1) or True)
    assert asked == []
    assert c.is_admin and c.is_admin
    assert asked == [1]
