"""Serving the WSGI application under gunicorn (the default) or the
threaded development server (``--dev-server``).

gunicorn with threaded workers (``gthread``): ``[api] workers`` processes
(options in api/options.py),
by default one per CPU, each with ``[api] threads`` threads; its master
restarts a dead worker, replaces all of them gracefully on SIGHUP, and
stops them gracefully on SIGTERM (``[api] graceful_timeout``). It is a
pure-Python wheel, so a bare machine needs no compiler; uwsgi deployments
such as DevStack's import ``ceilometer_proxy.wsgi.api`` instead.

Each worker builds its own backend and application after the fork:
MongoDB clients and region connection pools are not shared across
processes. The store's indexes are created once, by the master, before
any worker starts. Nothing periodic runs in a worker: expiry, summary
compaction and the alarm reconciler are ceilometer-proxy-housekeeping's.
"""

import multiprocessing
import sys

from gunicorn.app import base as gunicorn_base
from oslo_log import log

LOG = log.getLogger(__name__)


def worker_count(conf):
    return conf.api.workers or multiprocessing.cpu_count()


def announce(host, port):
    """The line start-up scripts and tests wait for (on stderr)."""
    sys.stderr.write('ceilometer-proxy-api listening on http://%s:%s\n'
                     % (host, port))
    sys.stderr.flush()


class GunicornServer(gunicorn_base.BaseApplication):
    """gunicorn driven from our ConfigOpts instead of its command line.

    :param conf: the parsed ConfigOpts.
    :param build_app: function of conf giving the WSGI application; called
        in each worker after the fork.
    """

    def __init__(self, conf, build_app):
        self.conf = conf
        self.build_app = build_app
        super().__init__()

    def load_config(self):
        api = self.conf.api
        settings = {
            'bind': '%s:%s' % (api.host, api.port),
            'workers': worker_count(self.conf),
            'worker_class': 'gthread',
            'threads': api.threads,
            'graceful_timeout': api.graceful_timeout,
            'keepalive': api.keepalive,
            # A worker silent this long is restarted (requests may take
            # two region timeouts; the main loop beats regardless).
            'timeout': 120,
            'preload_app': False,
            'proc_name': 'ceilometer-proxy-api',
            'accesslog': None,
            'errorlog': '-',
            'loglevel': 'warning',
            'when_ready': self._when_ready,
            'control_socket_disable': True,
        }
        for key, value in settings.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    @staticmethod
    def _when_ready(arbiter):
        host, port = arbiter.LISTENERS[0].sock.getsockname()[:2]
        LOG.info('Serving the v2 API on http://%s:%s with %d worker(s)',
                 host, port, arbiter.num_workers)
        announce(host, port)

    def load(self):
        return self.build_app(self.conf)


def serve(conf, build_app):
    """Run gunicorn until it is stopped; returns its exit status."""
    GunicornServer(conf, build_app).run()
    return 0
