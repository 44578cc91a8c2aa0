"""An operator's policy file, and an edit of it, reach a running API.

The enforcer looks at the policy files at most once a second
(api/rbac.py), so an edit must take effect within about that, without a
restart, as oslo.policy's own reloading promised.
"""

import time

import yaml

from tests import services

MEMBER = {'X-User-Id': 'u1', 'X-Project-Id': 'p1', 'X-Roles': 'member'}
PATH = '/v2/meters/cpu/statistics'


def _write(path, rules):
    with open(path, 'w') as f:
        yaml.safe_dump(rules, f)


def test_an_edited_policy_file_takes_effect_within_seconds(mongodb_url,
                                                           tmp_path):
    policy = tmp_path / 'policy.yaml'
    _write(policy, {'telemetry:compute_statistics': '!'})
    server = services.ApiServer(
        services.db_url(mongodb_url, services.unique_db_name('policy')),
        extra={'oslo_policy': {'policy_file': str(policy)}})
    server.start()
    try:
        client = services.Client(server.url, headers=MEMBER)
        refused = client.get(PATH)
        assert refused.status_code == 403, refused.text
        assert client.get('/v2/meters').status_code == 200
        _write(policy, {'telemetry:compute_statistics': '',
                        'telemetry:get_meters': '!'})
        deadline = time.monotonic() + 10
        while client.get(PATH).status_code == 403:
            assert time.monotonic() < deadline, 'the edit never took effect'
            time.sleep(0.2)
        assert client.get(PATH).status_code == 200
        assert client.get('/v2/meters').status_code == 403
    finally:
        server.cleanup()
