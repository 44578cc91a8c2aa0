"""Default policy rules, registered in code (a policy file may override).

``segregation`` decides who sees every project: anyone else is scoped to
the project of their token. Per-call rules ``telemetry:<action>`` fall back
to ``default`` (open), as Ceilometer's shipped policy had them.
"""

from oslo_policy import policy

RULES = [
    policy.RuleDefault('context_is_admin', 'role:admin',
                       description='Who is an administrator.'),
    policy.RuleDefault('context_is_project',
                       'project_id:%(target.project_id)s',
                       description='The caller acts in the target project.'),
    policy.RuleDefault('context_is_owner', 'user_id:%(target.user_id)s',
                       description='The caller is the target user.'),
    policy.RuleDefault('segregation', 'rule:context_is_admin',
                       description='Who may see the data of every project.'),
    policy.RuleDefault('default', '',
                       description='Rule for telemetry:* actions that have '
                                   'no rule of their own.'),
]


def list_rules():
    return RULES
