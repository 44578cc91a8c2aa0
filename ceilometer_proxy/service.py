"""Process set-up shared by every ceilometer-proxy command."""

from oslo_config import cfg
from oslo_log import log
from oslo_middleware import cors
from oslo_policy import opts as policy_opts

from ceilometer_proxy import opts

PROJECT = 'ceilometer-proxy'


def prepare_service(argv=None, config_files=None, conf=None):
    """A fresh ConfigOpts with every option registered and parsed.

    :param argv: command-line arguments (without the program name).
    :param config_files: config files to read instead of the default search.
    :param conf: an existing ConfigOpts to fill (tests).
    """
    conf = conf or cfg.ConfigOpts()
    for group, options in opts.list_opts():
        conf.register_opts(list(options),
                           group=None if group == 'DEFAULT' else group)
    log.register_options(conf)
    policy_opts.set_defaults(conf, policy_file='policy.yaml')
    cors.set_defaults(
        allow_headers=['X-Auth-Token', 'X-Identity-Status', 'X-Roles',
                       'X-Service-Catalog', 'X-User-Id', 'X-Tenant-Id',
                       'X-Project-Id', 'X-Openstack-Request-Id'],
        expose_headers=['X-Auth-Token', 'X-Subject-Token',
                        'X-Service-Token', 'X-Openstack-Request-Id'],
        allow_methods=['GET', 'PUT', 'POST', 'DELETE', 'PATCH'])
    conf(argv if argv is not None else [], project=PROJECT,
         default_config_files=config_files, validate_default_values=True)
    log.setup(conf, PROJECT)
    return conf
