"""ceilometer-proxy-api: the v2 API on a threaded development server.

Production deployments should run ``ceilometer_proxy.api.wsgi:build_wsgi_app``
under uwsgi, gunicorn or mod_wsgi instead.
"""

import socket
import socketserver
import sys
import threading
import time
from wsgiref import simple_server

from oslo_log import log

from ceilometer_proxy.api import app as api_app
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


def start_housekeeping(conf, backend):
    """Expire old samples and merge past summaries, periodically."""
    interval = conf.database.housekeeping_interval
    if interval <= 0:
        return None

    def run():
        while True:
            time.sleep(interval)
            try:
                ttl = conf.database.metering_time_to_live
                if ttl > 0:
                    backend.clear_expired_metering_data(ttl)
                backend.compact_summaries()
            except storage.StorageError as err:
                LOG.warning('Housekeeping failed: %s', err)

    thread = threading.Thread(target=run, name='housekeeping', daemon=True)
    thread.start()
    return thread


def main(argv=None):
    conf = service.prepare_service(sys.argv[1:] if argv is None else argv)
    backend = api_app.load_backend(conf)
    alarm_backend = api_app.load_alarm_backend(conf)
    if conf.api.mode == 'local':
        # An unreachable store was waited for once already.
        if prepare_store(conf, backend):
            prepare_store(conf, alarm_backend)
        start_housekeeping(conf, backend)
    app = api_app.load_app(conf, backend, alarm_backend)
    server = simple_server.make_server(conf.api.host, conf.api.port, app,
                                       server_class=ThreadedWSGIServer,
                                       handler_class=_QuietHandler)
    LOG.info('Serving the v2 API (%s mode, %s auth) on http://%s:%s',
             conf.api.mode, conf.api.auth_mode, conf.api.host, conf.api.port)
    # Start-up scripts and tests wait for this line on stderr.
    sys.stderr.write('ceilometer-proxy-api listening on http://%s:%s\n'
                     % (conf.api.host, server.server_port))
    sys.stderr.flush()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
