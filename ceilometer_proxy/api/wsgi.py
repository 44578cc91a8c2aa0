"""The WSGI entry point of a production server (gunicorn, uwsgi,
mod_wsgi): the configuration read as every command reads it, then the
whole paste pipeline. It sits above api/app.py, which never needs the
service set-up.
"""

import os

from ceilometer_proxy.api import app
from ceilometer_proxy import service


def build_wsgi_app(argv=None, config_files=None):
    """WSGI entry point for uwsgi/gunicorn/mod_wsgi.

    ``gunicorn 'ceilometer_proxy.api.wsgi:build_wsgi_app()'``; the config
    files come from CEILOMETER_PROXY_CONFIG_FILES (comma-separated) or the
    usual oslo.config search path.
    """
    if config_files is None and os.environ.get(
            'CEILOMETER_PROXY_CONFIG_FILES'):
        config_files = os.environ['CEILOMETER_PROXY_CONFIG_FILES'].split(',')
    conf = service.prepare_service(argv=argv or [],
                                   config_files=config_files)
    return app.load_app(conf)
