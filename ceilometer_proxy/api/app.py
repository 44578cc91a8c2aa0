"""Building the WSGI application: paste pipelines, pecan app, backend.

``[api] auth_mode`` picks the paste pipeline (``keystone`` puts
keystonemiddleware's auth_token in front; ``noauth`` trusts identity
headers) and ``[api] mode`` picks the backend (``local``: samples in
MongoDB; ``cascading``: the regions behind a resource map).
"""

import os

from oslo_config import cfg
from oslo_log import log
from paste import deploy
import pecan

from ceilometer_proxy.alarm import storage as alarm_storage
from ceilometer_proxy.api import guards
from ceilometer_proxy.api import hooks
from ceilometer_proxy.api import intake
from ceilometer_proxy.api import middleware
from ceilometer_proxy.api import passthrough
from ceilometer_proxy.cascading import events as cascading_events
from ceilometer_proxy.cascading import metering as cascading_metering
from ceilometer_proxy.event import storage as event_storage
from ceilometer_proxy import storage

LOG = log.getLogger(__name__)

_BACKENDS = {}
_ALARM_BACKENDS = {}
ETC_DIR = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..',
                                       'etc', 'ceilometer-proxy'))


def load_backend(conf):
    """The metering backend of this API's mode."""
    if conf.api.mode == 'local':
        return storage.get_connection_from_config(conf)
    if conf.api.mode == 'cascading':
        backend = cascading_metering.CascadingBackend(conf)
        try:
            backend.upgrade()
        except storage.StorageError as err:
            LOG.warning('Resource map indexes not created (%s); requests '
                        'answer 503 until its store is reachable', err)
        return backend
    raise cfg.Error('[api] mode = %s is not available in this build'
                    % conf.api.mode)


def load_alarm_backend(conf):
    """The alarm store of this API's mode."""
    if conf.api.mode == 'local':
        return alarm_storage.get_connection_from_config(conf)
    if conf.api.mode == 'cascading':
        from ceilometer_proxy.cascading import alarms as cascading_alarms

        # The reconciler is ceilometer-proxy-housekeeping's, not a worker's.
        return cascading_alarms.load_table(conf, start_reconciler=False)
    raise cfg.Error('[api] mode = %s is not available in this build'
                    % conf.api.mode)


def load_event_backend(conf):
    """The event backend of this API's mode: the event store in local
    mode; in cascading mode a function giving each request its fan-out
    over the regions."""
    if conf.api.mode == 'local':
        return event_storage.get_connection_from_config(conf)
    return lambda request: cascading_events.CascadingEvents(
        request.cascading)


def setup_app(conf, backend=None, alarm_backend=None):
    """The pecan application (no paste filters around it)."""
    if backend is None:
        backend = load_backend(conf)
    if alarm_backend is None:
        alarm_backend = load_alarm_backend(conf)
    app_hooks = [hooks.ConfigHook(conf),
                 hooks.BackendHook(backend),
                 hooks.AlarmBackendHook(alarm_backend),
                 hooks.RequestShapeHook(),
                 hooks.TranslationHook()]
    root = 'ceilometer_proxy.api.controllers.root.RootController'
    cascading = conf.api.mode == 'cascading'
    if cascading:
        app_hooks.append(hooks.CascadingHook(conf, backend))
        root = 'ceilometer_proxy.api.controllers.root.CascadingRootController'
    app_hooks.append(hooks.EventBackendHook(load_event_backend(conf)))

    def fast_paths(app):
        # In front of pecan: single-resource metering GETs of cascading
        # mode (api/passthrough.py), JSON POSTs of samples in local mode
        # (api/intake.py).
        if cascading:
            return passthrough.PassThrough(app, conf, backend)
        return intake.SampleIntake(app, conf, backend)

    return pecan.make_app(
        root,
        debug=conf.api.pecan_debug,
        force_canonical=False,
        hooks=app_hooks,
        wrap_app=lambda app: guards.LastResort(
            middleware.ParsableErrorMiddleware(
                guards.RequestLimits(fast_paths(app), conf))),
        guess_content_type_from_ext=False)


def find_paste_config(conf):
    path = conf.api.paste_config
    if os.path.isabs(path):
        candidates = [path]
    else:
        found = conf.find_file(path)
        candidates = [found] if found else []
        candidates.append(os.path.join(ETC_DIR, path))
    for candidate in candidates:
        if candidate and os.path.exists(candidate):
            return os.path.abspath(candidate)
    raise cfg.ConfigFilesNotFoundError([path])


def load_app(conf, backend=None, alarm_backend=None):
    """The whole WSGI pipeline named by ``[api] auth_mode``."""
    paste_file = find_paste_config(conf)
    key = middleware.register_conf(conf)
    if backend is not None:
        _BACKENDS[key] = backend
    if alarm_backend is not None:
        _ALARM_BACKENDS[key] = alarm_backend
    LOG.info('WSGI pipeline %s from %s', conf.api.auth_mode, paste_file)
    return deploy.loadapp('config:' + paste_file,
                          name='ceilometer-proxy+' + conf.api.auth_mode,
                          global_conf={'configkey': key})


def app_factory(global_config, **local_conf):
    """paste.deploy factory of the pecan application."""
    key = global_config['configkey']
    conf = middleware.registered_conf(key)
    return setup_app(conf, _BACKENDS.pop(key, None),
                     _ALARM_BACKENDS.pop(key, None))
