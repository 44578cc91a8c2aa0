"""The options of the API process ([api], [alarm] API checks, DEFAULT
sample_source), declared apart from the modules that read them so that
opts.py and every command's prepare_service can register them without
importing the WSGI application, its controllers or what they import.
"""

from oslo_config import cfg

API_OPTS = [
    cfg.HostAddressOpt('host', default='127.0.0.1',
                       help='Address ceilometer-proxy-api listens on.'),
    cfg.PortOpt('port', default=8777,
                help='Port ceilometer-proxy-api listens on.'),
    cfg.IntOpt('workers', min=1,
               help='API worker processes (default: the number of CPUs).'),
    cfg.IntOpt('threads', default=8, min=1,
               help='Threads of each API worker process.'),
    cfg.IntOpt('graceful_timeout', default=30, min=0,
               help='Seconds a worker has to finish its requests on '
                    'SIGTERM or SIGHUP before it is killed.'),
    cfg.IntOpt('keepalive', default=5, min=0,
               help='Seconds an idle keep-alive connection is kept open.'),
    cfg.StrOpt('paste_config', default='api_paste.ini',
               help='The paste.deploy file defining the WSGI pipelines; '
                    'relative paths are looked up next to the config files '
                    'and in the installed etc/ directory.'),
    cfg.StrOpt('auth_mode', default='keystone',
               choices=['keystone', 'noauth'],
               help='keystone: validate tokens with keystonemiddleware; '
                    'noauth: trust the X-User-Id/X-Project-Id/X-Roles '
                    'headers (development and tests only).'),
    cfg.StrOpt('mode', default='local', choices=['local', 'cascading'],
               help='local: serve samples from [database] connection; '
                    'cascading: proxy to the regions of a cascading cloud.'),
    cfg.IntOpt('default_api_return_limit', default=100, min=1,
               help='Default maximum number of items returned by API '
                    'request.'),
    cfg.BoolOpt('pecan_debug', default=False,
                help='Toggle Pecan Debug Middleware.'),
]

# [alarm]: the checks of alarm definitions (controllers/v2/alarm_checks.py).
ALARM_OPTS = [
    cfg.BoolOpt('record_history', default=True,
                help='Record alarm change events.'),
    cfg.IntOpt('user_alarm_quota', min=0,
               help='Maximum number of alarms defined for a user '
                    '(unset: no limit).'),
    cfg.IntOpt('project_alarm_quota', min=0,
               help='Maximum number of alarms defined for a project '
                    '(unset: no limit).'),
    cfg.IntOpt('alarm_max_actions', default=-1,
               help='Maximum count of actions for each state of an alarm; '
                    'a non-positive number means no limit.'),
    cfg.BoolOpt('allow_trust_actions', default=False,
                help='Accept trust+http and trust+https actions (their '
                     'notifier must be able to use Keystone trusts).'),
]

# DEFAULT: what a posted sample without a source gets (meters.py).
SAMPLE_OPTS = [
    cfg.StrOpt('sample_source',
               default='openstack',
               help='Source given to posted samples that name none; stored '
                    'as <project_id>:<source>.'),
]
