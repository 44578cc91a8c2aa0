"""ceilometer-proxy-api: the v2 API under gunicorn (api/serving.py).

``--dev-server`` serves it from one process on a threaded wsgiref server
instead (debugging). Deployments with their own WSGI server (uwsgi,
mod_wsgi) use ``ceilometer_proxy.wsgi.api:application``. Periodic work
(expiry, summary compaction, the alarm reconciler) is not done here but by
ceilometer-proxy-housekeeping, once per deployment.
"""

import socket
import socketserver
import sys
import time
from wsgiref import simple_server

from oslo_config import cfg
from oslo_log import log

from ceilometer_proxy.api import app as api_app
from ceilometer_proxy.api import serving
from ceilometer_proxy import service
from ceilometer_proxy import storage

LOG = log.getLogger(__name__)


class _QuietHandler(simple_server.WSGIRequestHandler):
    def setup(self):
        super().setup()
        # wsgiref writes the status line, the headers and the body in
        # separate sends; with Nagle's algorithm each small send after the
        # first waits for the peer's (delayed) ACK.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        LOG.debug('%s - %s', self.address_string(), fmt % args)


class ThreadedWSGIServer(socketserver.ThreadingMixIn,
                         simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def prepare_store(conf, backend):
    """Create indexes, retrying while the store is still starting."""
    attempts = 0
    while True:
        try:
            backend.upgrade()
            return True
        except storage.StorageUnavailable as err:
            attempts += 1
            max_retries = conf.database.max_retries
            if 0 <= max_retries <= attempts:
                LOG.warning('Store not reachable (%s); serving anyway, '
                            'requests answer 503 until it is', err)
                return False
            LOG.info('Waiting for the store (%s)', err)
            time.sleep(conf.database.retry_interval)


CLI_OPTS = [
    cfg.BoolOpt('dev-server', default=False,
                help='Serve from one process on the threaded development '
                     'server instead of gunicorn.'),
]


def serve_dev(conf, backend, alarm_backend):
    app = api_app.load_app(conf, backend, alarm_backend)
    server = simple_server.make_server(conf.api.host, conf.api.port, app,
                                       server_class=ThreadedWSGIServer,
                                       handler_class=_QuietHandler)
    LOG.info('Serving the v2 API (%s mode, %s auth) on http://%s:%s '
             '(development server)', conf.api.mode, conf.api.auth_mode,
             conf.api.host, conf.api.port)
    serving.announce(conf.api.host, server.server_port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def main(argv=None):
    conf = cfg.ConfigOpts()
    conf.register_cli_opts(CLI_OPTS)
    service.prepare_service(sys.argv[1:] if argv is None else argv,
                            conf=conf)
    if conf.dev_server:
        backend = api_app.load_backend(conf)
        alarm_backend = api_app.load_alarm_backend(conf)
        if conf.api.mode == 'local' and prepare_store(conf, backend):
            prepare_store(conf, alarm_backend)
            prepare_store(conf, api_app.load_event_backend(conf))
        return serve_dev(conf, backend, alarm_backend)
    if conf.api.mode == 'local':
        # Indexes once, here, before the workers fork; each worker then
        # connects on its own.
        backend = api_app.load_backend(conf)
        alarm_backend = api_app.load_alarm_backend(conf)
        event_backend = api_app.load_event_backend(conf)
        if prepare_store(conf, backend):
            prepare_store(conf, alarm_backend)
            prepare_store(conf, event_backend)
        for store in (backend, alarm_backend, event_backend):
            close = getattr(store, 'close', None)
            if close:
                close()
    LOG.info('Serving the v2 API (%s mode, %s auth) under gunicorn',
             conf.api.mode, conf.api.auth_mode)
    return serving.serve(conf, api_app.load_app)


if __name__ == '__main__':
    sys.exit(main())
