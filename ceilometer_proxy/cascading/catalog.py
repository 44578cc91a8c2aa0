"""The regions of a cascading cloud as the Keystone catalog lists them.

With ``[cascading] region_discovery = keystone`` every region publishes
its telemetry in the one Keystone the cloud shares, so adding a region
needs no change at the cascading level: a ``metering`` endpoint is a
Ceilometer v2 region (driver ``v2``); ``metric`` (Gnocchi) and
``alarming`` (Aodh) endpoints make a modern region (driver ``gnocchi``).
A region listing both kinds is taken as modern: a Ceilometer with Gnocchi
enabled answers 410 Gone to v2 metering. The catalog is read with the
``[service_credentials]`` account through keystoneauth1 and kept for
``endpoint_cache_ttl`` seconds;
a region whose endpoint stops accepting connections is looked up again at
once (RegionClient calls ``invalidate``), so moving a region to another
address costs one failed connection, not a TTL.

The catalog is read from ``GET /v3/auth/catalog``, which Keystone builds
when asked, rather than from the catalog embedded in the service token:
that one is a copy taken when the token was issued and would hide endpoint
changes until the token expires.

ServiceCredentials also gives the token sent to the regions when
``[cascading] forward_user_token = false``.
"""

import copy
import threading
import time

from keystoneauth1 import exceptions as ka_exc
from keystoneauth1 import loading as ka_loading
from keystoneauth1 import plugin as ka_plugin
from oslo_config import cfg
from oslo_log import log

from ceilometer_proxy.cascading import errors
from ceilometer_proxy.cascading import regions

LOG = log.getLogger(__name__)

GROUP = 'service_credentials'
INTERFACES = ('public', 'internal', 'admin')
# Seconds before a failed catalog read is tried again (the endpoints read
# before stay in use meanwhile).
FAILED_READ_RETRY = 5.0

OPTS = [
    cfg.StrOpt('endpoint_interface', default='public', choices=INTERFACES,
               help='Which endpoint of a region\'s telemetry services the '
                    'cascading level calls (region_discovery = keystone).'),
    cfg.IntOpt('endpoint_cache_ttl', default=300, min=0,
               help='Seconds the region endpoints read from the Keystone '
                    'catalog are used before the catalog is read again. An '
                    'endpoint that refuses connections is looked up again '
                    'at once. 0 reads the catalog for every lookup.'),
    cfg.StrOpt('metering_service_type', default='metering',
               help='Service type under which the regions\' Ceilometer v2 '
                    'APIs are registered in the Keystone catalog.'),
    cfg.StrOpt('metric_service_type', default='metric',
               help='Service type of the regions\' Gnocchi APIs in the '
                    'Keystone catalog.'),
    cfg.StrOpt('alarming_service_type', default='alarming',
               help='Service type of the regions\' Aodh APIs in the '
                    'Keystone catalog.'),
]

SERVICE_CREDENTIALS_OPTS = [
    cfg.StrOpt('region_name',
               help='Region of the identity endpoint used to read the '
                    'catalog; unset takes the first one found.'),
    cfg.StrOpt('interface', default='public', choices=INTERFACES,
               help='Interface of the identity endpoint used to read the '
                    'catalog.'),
]


def _optional(opts):
    """Copies of options that oslo.config will not insist on.

    The password plugin marks ``auth_url`` required; registered as such at
    start-up it would stop every service without [service_credentials],
    including those that never read the catalog.
    """
    copies = []
    for opt in opts:
        opt = copy.deepcopy(opt)
        opt.required = False
        copies.append(opt)
    return copies


def list_service_credentials_opts():
    """Every option of [service_credentials], for the sample config.

    The password plugin's options are listed because it is the usual
    choice; any keystoneauth1 plugin may be named by ``auth_type``.
    """
    return (SERVICE_CREDENTIALS_OPTS
            + ka_loading.get_auth_common_conf_options()
            + ka_loading.get_session_conf_options()
            + _optional(ka_loading.get_auth_plugin_conf_options('password')))


def register_service_credentials_opts(conf):
    conf.register_opts(list_service_credentials_opts(), group=GROUP)


def load_auth(conf):
    """The auth plugin named by [service_credentials] auth_type.

    Like keystoneauth1's load_auth_from_conf_options, except that options
    already registered (the optional copies above) are kept, and the
    plugin itself checks that its required ones are set.
    """
    group = conf[GROUP].auth_section or GROUP
    if group != GROUP:
        ka_loading.register_auth_conf_options(conf, group)
    name = conf[group].auth_type
    if not name:
        raise cfg.RequiredOptError('auth_type', cfg.OptGroup(group))
    loader = ka_loading.get_plugin_loader(name)
    for opt in loader.get_options():
        oslo_opt = opt._to_oslo_opt()
        if oslo_opt.dest not in conf[group]:
            conf.register_opt(oslo_opt, group=group)
    try:
        return loader.load_from_options_getter(
            lambda opt: conf[group][opt.dest])
    except ka_exc.MissingRequiredOptions as err:
        raise cfg.RequiredOptError(err.options[0].dest, cfg.OptGroup(group))


class KeystoneUnavailable(errors.RegionsUnavailable):
    """Keystone could not give a token or the catalog.

    A RegionsUnavailable so that the API answers 503, like any other
    failure to reach the regions, instead of an internal error.
    """

    def __init__(self, reason):
        super().__init__([])
        self.reason = reason
        self.message = 'Keystone is unavailable: %s' % reason
        self.args = (self.message,)


class ServiceCredentials(object):
    """A keystoneauth1 session of the ``[service_credentials]`` account.

    The auth plugin caches its token and authenticates again shortly
    before it expires, so token() costs a Keystone call only then.
    """

    def __init__(self, conf):
        register_service_credentials_opts(conf)
        self.conf = conf
        group = conf[GROUP]
        self.auth = load_auth(conf)
        self.session = ka_loading.load_session_from_conf_options(
            conf, GROUP, auth=self.auth)
        if self.session.timeout is None:
            # A Keystone that stops answering must not hold requests for
            # ever: wait no longer than for a region.
            self.session.timeout = conf.cascading.http_timeout
        self.interface = group.interface
        self.region_name = group.region_name

    def token(self):
        """A valid token of the service account."""
        try:
            return self.session.get_token()
        except ka_exc.ClientException as err:
            raise KeystoneUnavailable(describe(err))

    def get_json(self, path):
        """GET on the identity v3 API with the service token; decoded."""
        try:
            return self._get(path).json()
        except ka_exc.ClientException as err:
            raise KeystoneUnavailable(describe(err))
        except ValueError:
            raise KeystoneUnavailable('%s did not answer JSON' % path)

    def _get(self, path):
        identity = {'service_type': 'identity', 'interface': self.interface,
                    'region_name': self.region_name, 'version': (3, 0)}
        try:
            return self.session.get(path, endpoint_filter=identity)
        except ka_exc.EndpointNotFound:
            LOG.info('No %s identity endpoint in the catalog; reading %s '
                     'from auth_url', self.interface, path)
        auth_url = dict(identity, interface=ka_plugin.AUTH_INTERFACE,
                        region_name=None)
        return self.session.get(path, endpoint_filter=auth_url)


def describe(err):
    """A short text for a keystoneauth1 error."""
    text = str(err) or type(err).__name__
    return text if len(text) < 300 else text[:300] + '...'


def endpoints_of(catalog, service_type, interface):
    """{region: url} of one service type and interface in a v3 catalog.

    When several services share the type, the first endpoint found for a
    region wins (and the others are logged).
    """
    found = {}
    for service in catalog:
        if service.get('type') != service_type:
            continue
        for endpoint in service.get('endpoints') or []:
            region = endpoint.get('region_id') or endpoint.get('region')
            url = endpoint.get('url')
            if endpoint.get('interface') != interface or not region \
                    or not url:
                continue
            url = url.rstrip('/')
            if region in found and found[region] != url:
                LOG.warning('Region %s has two %s %s endpoints: using %s, '
                            'not %s', region, interface, service_type,
                            found[region], url)
                continue
            found[region] = url
    return found


def region_specs(conf, catalog):
    """{region: RegionSpec} of a v3 catalog (see the module docstring).

    A region's ``[region:<name>]`` section, when the config has one, adds
    its driver options (auth_mode ...) to what the catalog says.
    """
    opts = conf.cascading
    interface = opts.endpoint_interface
    found = {}
    for service, service_type in ((regions.METERING,
                                   opts.metering_service_type),
                                  (regions.METRIC, opts.metric_service_type),
                                  (regions.ALARMING,
                                   opts.alarming_service_type)):
        for region, url in endpoints_of(catalog, service_type,
                                        interface).items():
            found.setdefault(region, {})[service] = url
    specs = {}
    for region, endpoints in found.items():
        if regions.METRIC in endpoints:
            if regions.METERING in endpoints:
                LOG.info('Region %s has metering and metric endpoints: '
                         'using Gnocchi', region)
            driver = 'gnocchi'
        elif regions.METERING in endpoints:
            driver = 'v2'
        else:
            LOG.warning('Region %s has an alarming endpoint but no metering '
                        'or metric one: left out', region)
            continue
        specs[region] = regions.RegionSpec(
            region, driver, endpoints, _section_options(conf, region))
    return specs


def _section_options(conf, region):
    group = regions.region_group(region)
    if group not in conf.list_all_sections():
        return {}
    conf.register_opts(regions.REGION_OPTS, group=group)
    return {'auth_mode': conf[group].auth_mode} if conf[
        group].auth_mode else {}


_SERVICE_CREDENTIALS = '_ceilometer_proxy_service_credentials'


def service_credentials(conf):
    """The ServiceCredentials of this configuration (built once, kept on
    the ConfigOpts so every user of one configuration shares its token)."""
    creds = getattr(conf, _SERVICE_CREDENTIALS, None)
    if creds is None:
        creds = ServiceCredentials(conf)
        setattr(conf, _SERVICE_CREDENTIALS, creds)
    return creds


class KeystoneRegions(regions.RegionRegistry):
    """The regions with a metering, or metric, endpoint in the catalog.

    :param conf: the service's ConfigOpts.
    :param credentials: the ServiceCredentials to read the catalog with
        (default: those of ``[service_credentials]``).
    :param clock: a monotonic clock (tests).
    """

    def __init__(self, conf, credentials=None, clock=time.monotonic):
        conf.register_opts(OPTS, group='cascading')
        self.conf = conf
        self._credentials = credentials
        self._clock = clock
        self._lock = threading.Lock()
        self._specs = None
        self._read_at = None
        self._stale = False

    @property
    def credentials(self):
        if self._credentials is None:
            self._credentials = service_credentials(self.conf)
        return self._credentials

    def names(self):
        return sorted(self._current())

    def spec(self, region):
        specs = self._current(region)
        try:
            return specs[region]
        except KeyError:
            raise errors.UnknownRegion(region)

    def invalidate(self, region):
        LOG.info('Region %s: reading its endpoint from the catalog again',
                 region)
        with self._lock:
            self._stale = True

    def _expired(self):
        ttl = self.conf.cascading.endpoint_cache_ttl
        return (self._specs is None or self._stale
                or self._clock() - self._read_at >= ttl)

    def _current(self, region=None):
        """The cached endpoints, read again when stale or expired."""
        with self._lock:
            if self._expired():
                self._refresh(region)
            return self._specs

    def _refresh(self, region):
        try:
            catalog = self.credentials.get_json('/auth/catalog')['catalog']
        except (KeystoneUnavailable, KeyError, TypeError) as err:
            if self._specs is None:
                if region is not None:
                    raise errors.RegionUnavailable(region, str(err))
                raise KeystoneUnavailable(str(err))
            LOG.warning('Reading the Keystone catalog failed (%s); using '
                        'the endpoints read before', err)
            ttl = self.conf.cascading.endpoint_cache_ttl
            self._read_at = self._clock() - max(0.0, ttl - FAILED_READ_RETRY)
            self._stale = False
            return
        specs = region_specs(self.conf, catalog)
        if specs != self._specs:
            LOG.info('Regions from the Keystone catalog: %s',
                     ', '.join('%s=%s %s' % (name, spec.driver,
                                             spec.endpoints)
                               for name, spec in sorted(specs.items())))
        self._specs = specs
        self._read_at = self._clock()
        self._stale = False
