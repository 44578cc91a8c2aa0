"""The WSGI entry point of a production server (gunicorn, uwsgi,
mod_wsgi): the configuration read as every command reads it, then the
whole paste pipeline. It sits above api/app.py, which never needs the
service set-up.
"""

import os

from ceilometer_proxy.api import app
from ceilometer_proxy import service


def load_conf(argv=None, config_files=None):
    """The service configuration, from ``config_files``, else the files
    CEILOMETER_PROXY_CONFIG_FILES names (comma-separated), else the usual
    oslo.config search path."""
    if config_files is None and os.environ.get(
            'CEILOMETER_PROXY_CONFIG_FILES'):
        config_files = os.environ['CEILOMETER_PROXY_CONFIG_FILES'].split(',')
    return service.prepare_service(argv=argv or [],
                                   config_files=config_files)


def build_wsgi_app(argv=None, config_files=None):
    """WSGI entry point for gunicorn and other servers taking a factory.

    ``gunicorn 'ceilometer_proxy.api.wsgi:build_wsgi_app()'``; uwsgi and
    mod_wsgi import ``ceilometer_proxy.wsgi.api:application`` instead.
    """
    return app.load_app(load_conf(argv, config_files))
