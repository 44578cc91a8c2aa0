"""The v2 API for uwsgi and mod_wsgi.

``ceilometer_proxy.wsgi.api:application`` is how DevStack runs it
(``write_uwsgi_config`` with this module), as it runs the other OpenStack
APIs. The configuration files are those of
CEILOMETER_PROXY_CONFIG_FILES (comma-separated) or of oslo.config's search
path (``/etc/ceilometer-proxy/ceilometer-proxy.conf``). The store's
collections and indexes are prepared when the module is loaded, as
ceilometer-proxy-api prepares them before its workers start; doing it
again in every worker is harmless (it is idempotent), and a store not yet
reachable leaves the API answering 503 until it is. Periodic work stays
with ceilometer-proxy-housekeeping.
"""

import os

from oslo_log import log

from ceilometer_proxy.api import app as api_app
from ceilometer_proxy.api import wsgi
from ceilometer_proxy import storage

LOG = log.getLogger(__name__)


def _uwsgi_env():
    """KEY=VALUE ``env`` options of the uwsgi ini, into os.environ.

    A uwsgi binary sets them before it starts Python; the interpreter of
    PyPI's pyuwsgi starts first and never sees them.
    """
    try:
        import uwsgi
    except ImportError:
        return
    values = uwsgi.opt.get('env') or []
    for item in values if isinstance(values, list) else [values]:
        if isinstance(item, bytes):
            item = item.decode('utf-8')
        key, sep, value = item.partition('=')
        if sep:
            os.environ.setdefault(key, value)


def _build():
    _uwsgi_env()
    conf = wsgi.load_conf()
    backend = api_app.load_backend(conf)
    alarm_backend = api_app.load_alarm_backend(conf)
    if conf.api.mode == 'local':
        for store in (backend, alarm_backend):
            try:
                store.upgrade()
            except storage.StorageError as err:
                LOG.warning('Store not prepared (%s); requests answer 503 '
                            'until it is reachable', err)
    return api_app.load_app(conf, backend, alarm_backend)


application = _build()
