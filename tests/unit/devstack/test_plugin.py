"""The DevStack plugin, run phase by phase under bash with DevStack's
helper functions replaced by recorders: the configuration it writes must
name only options the services know, with the values of its settings."""

import configparser
import os
import re
import subprocess

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
SAMPLE = os.path.join(REPO, 'etc', 'ceilometer-proxy',
                      'ceilometer-proxy.conf.sample')

# Just enough of DevStack's function library for the plugin's phases.
FAKE_DEVSTACK = r'''
set -eu
CALLS="$WORK/calls"
record() { echo "$*" >> "$CALLS"; }
iniset() {
    python3 - "$@" <<'PY'
import configparser, os, sys
path, section, key, value = sys.argv[1:5]
parser = configparser.RawConfigParser()
parser.optionxform = str
if os.path.exists(path):
    parser.read(path)
if section != 'DEFAULT' and not parser.has_section(section):
    parser.add_section(section)
parser.set(section, key, value)
with open(path, 'w') as f:
    parser.write(f)
PY
}
enable_service() {
    ENABLED_SERVICES="${ENABLED_SERVICES:-},$*"
    ENABLED_SERVICES="${ENABLED_SERVICES// /,}"
}
is_service_enabled() {
    local s
    for s in "$@"; do [[ ",$ENABLED_SERVICES," == *",$s,"* ]] && return 0; done
    return 1
}
get_python_exec_prefix() { echo /usr/local/bin; }
get_transport_url() { echo "rabbit://stackrabbit:secret@127.0.0.1:5672/"; }
configure_keystone_authtoken_middleware() {
    iniset "$1" keystone_authtoken auth_type password
    iniset "$1" keystone_authtoken username "$2"
}
sudo() { if [[ "$1" == install ]]; then mkdir -p "${@: -1}"; else "$@"; fi; }
for f in setup_develop pip_install install_package restart_service \
         create_service_user get_or_create_service get_or_create_endpoint \
         run_process stop_process echo_summary; do
    eval "$f() { record $f \"\$@\"; }"
done
wait_for_service() { record wait_for_service "$@"; }
# As DevStack's lib/apache: the module, the URL path behind Apache, a
# master with workers; the plugin adds its own options after it.
write_uwsgi_config() {
    record write_uwsgi_config "$@"
    rm -f "$1"
    iniset "$1" uwsgi module "$2"
    iniset "$1" uwsgi master true
    iniset "$1" uwsgi lazy-apps true
    iniset "$1" uwsgi socket "$WORK/$5.socket"
}
remove_uwsgi_config() { record remove_uwsgi_config "$@"; rm -f "$1"; }
which() { echo "/usr/local/bin/$1"; }
die() { echo "die: $*" >&2; exit 1; }
'''


def run_plugin(tmp_path, env_settings, phases):
    work = tmp_path
    conf_dir = work / 'etc'
    env = dict(os.environ, WORK=str(work), DEST=str(work / 'dest'),
               SERVICE_HOST='127.0.0.1', SERVICE_PROTOCOL='http',
               SERVICE_PASSWORD='pw', SERVICE_PROJECT_NAME='service',
               SERVICE_TIMEOUT='60', REGION_NAME='RegionOne',
               KEYSTONE_SERVICE_URI='http://127.0.0.1/identity',
               ENABLE_DEBUG_LOG_LEVEL='True', STACK_USER='stack',
               ENABLED_SERVICES='keystone',
               CEILOMETER_PROXY_DIR=REPO,
               CEILOMETER_PROXY_CONF_DIR=str(conf_dir))
    env.update(env_settings)
    bin_dir = work / 'bin'
    bin_dir.mkdir(exist_ok=True)
    dbsync = bin_dir / 'ceilometer-proxy-dbsync'
    dbsync.write_text('#!/bin/sh\necho "dbsync $*" >> "$WORK/calls"\n')
    dbsync.chmod(0o755)
    env['CEILOMETER_PROXY_BIN_DIR'] = str(bin_dir)
    script = FAKE_DEVSTACK + 'source "%s/devstack/settings"\n' % REPO
    for phase in phases:
        script += 'set -- %s\nsource "%s/devstack/plugin.sh"\n' % (phase, REPO)
    subprocess.run(['bash', '-c', script], env=env, check=True, timeout=60)
    parser = configparser.RawConfigParser()
    conf = conf_dir / 'ceilometer-proxy.conf'
    if conf.exists():
        parser.read(conf)
    calls = (work / 'calls').read_text().splitlines()
    return parser, calls


def known_options():
    """(section, option) pairs of the generated sample configuration."""
    known = set()
    section = None
    with open(SAMPLE) as f:
        for line in f:
            header = re.match(r'^\[(.+)\]$', line.strip())
            if header:
                section = header.group(1)
                continue
            # An empty default is written as "#name =", without a space.
            option = re.match(r'^#?([a-z_][a-z0-9_]*) =( |$)', line)
            if option and section:
                known.add((section, option.group(1)))
    return known


def written_options(parser):
    pairs = {('DEFAULT', k) for k in parser.defaults()}
    for section in parser.sections():
        for key in parser.options(section):
            if key not in parser.defaults():
                pairs.add((section, key))
    return pairs


ALL_PHASES = ['stack install', 'stack post-config', 'stack extra']
GNOCCHI_REGIONS = ('regionG=http://10.0.0.3:8041|http://10.0.0.3:8042,'
                   'regionH=http://10.0.0.4:8041')


def _template(section):
    """A region's own section is the sample's [region:<name>]."""
    return 'region:<name>' if section.startswith('region:') else section


@pytest.mark.parametrize('mode', ['local', 'cascading'])
def test_configuration_names_only_known_options(tmp_path, mode):
    parser, _ = run_plugin(tmp_path, {
        'CEILOMETER_PROXY_MODE': mode,
        'CEILOMETER_PROXY_GNOCCHI_REGIONS': GNOCCHI_REGIONS}, ALL_PHASES)
    # [service_credentials] and [keystone_authtoken] carry keystoneauth
    # plugin options, which the sample cannot list; the rest must be exact.
    plugin_groups = ('service_credentials', 'keystone_authtoken')
    unknown = {(_template(s), k) for s, k in written_options(parser)
               if s not in plugin_groups or k == 'auth_type'}
    unknown -= known_options()
    assert not unknown
    assert parser.get('api', 'mode') == mode
    assert parser.get('api', 'auth_mode') == 'keystone'
    assert parser.get('publisher', 'telemetry_secret') == 'pw'


def test_local_mode_installs_the_store_and_starts_every_service(tmp_path):
    parser, calls = run_plugin(tmp_path, {}, ALL_PHASES)
    assert parser.get('database', 'connection').startswith('mongodb://')
    assert not parser.has_section('cascading')
    started = [c.split()[1] for c in calls if c.startswith('run_process')]
    assert started == ['cp-api', 'cp-housekeeping', 'cp-collector',
                       'cp-alarm-evaluator', 'cp-watcher-listener']
    assert any(c.startswith('install_package mongodb') for c in calls)
    assert any(c.startswith('dbsync --config-file') for c in calls)
    assert ('get_or_create_endpoint metering RegionOne '
            'http://127.0.0.1/metering') in calls


def _uwsgi_ini(tmp_path):
    parser = configparser.RawConfigParser()
    parser.read(tmp_path / 'etc' / 'ceilometer-proxy-api-uwsgi.ini')
    return parser


@pytest.mark.parametrize('mode', ['local', 'cascading'])
def test_the_api_runs_under_uwsgi_as_devstack_runs_apis(tmp_path, mode):
    parser, calls = run_plugin(tmp_path, {'CEILOMETER_PROXY_MODE': mode},
                               ALL_PHASES)
    ini = _uwsgi_ini(tmp_path)
    conf = tmp_path / 'etc' / 'ceilometer-proxy.conf'
    assert ini.get('uwsgi', 'module') == (
        'ceilometer_proxy.wsgi.api:application')
    assert ini.get('uwsgi', 'env') == (
        'CEILOMETER_PROXY_CONFIG_FILES=%s' % conf)
    assert ('write_uwsgi_config %s ceilometer_proxy.wsgi.api:application '
            '/metering  ceilometer-proxy-api'
            % (tmp_path / 'etc' / 'ceilometer-proxy-api-uwsgi.ini')) in calls
    api = [c for c in calls if c.startswith('run_process cp-api')]
    assert api == ['run_process cp-api /usr/local/bin/uwsgi --procname-prefix '
                   'ceilometer-proxy --ini %s '
                   % (tmp_path / 'etc' / 'ceilometer-proxy-api-uwsgi.ini')]
    # Periodic work stays in its own process, once per deployment.
    assert any(c.startswith('run_process cp-housekeeping') for c in calls)
    assert 'wait_for_service 60 http://127.0.0.1/metering' in calls
    assert parser.get('api', 'mode') == mode


def test_standalone_runs_ceilometer_proxy_api_on_its_port(tmp_path):
    _, calls = run_plugin(tmp_path, {'CEILOMETER_PROXY_DEPLOY': 'standalone'},
                          ALL_PHASES + ['unstack', 'clean'])
    assert not any(c.startswith('write_uwsgi_config') for c in calls)
    assert not any(c.startswith('remove_uwsgi_config') for c in calls)
    api = [c for c in calls if c.startswith('run_process cp-api')]
    assert len(api) == 1 and 'ceilometer-proxy-api --config-file' in api[0]
    assert ('get_or_create_endpoint metering RegionOne '
            'http://127.0.0.1:8777') in calls
    assert 'wait_for_service 60 http://127.0.0.1:8777' in calls


def test_cascading_mode_configures_discovery_and_runs_only_the_api(tmp_path):
    parser, calls = run_plugin(tmp_path, {
        'CEILOMETER_PROXY_MODE': 'cascading',
        'CEILOMETER_PROXY_REGION_DISCOVERY': 'static',
        'CEILOMETER_PROXY_REGIONS': 'r1:http://10.0.0.1:8777',
        'CEILOMETER_PROXY_PARTIAL_RESULTS': 'True'}, ALL_PHASES)
    assert parser.get('cascading', 'region_discovery') == 'static'
    assert parser.get('cascading', 'regions') == 'r1:http://10.0.0.1:8777'
    assert parser.get('cascading', 'partial_results') == 'True'
    started = [c.split()[1] for c in calls if c.startswith('run_process')]
    assert started == ['cp-api', 'cp-housekeeping']
    assert not any(c.startswith('install_package') for c in calls)


def test_gnocchi_regions_get_sections_of_their_own(tmp_path):
    parser, _ = run_plugin(tmp_path, {
        'CEILOMETER_PROXY_MODE': 'cascading',
        'CEILOMETER_PROXY_REGION_DISCOVERY': 'static',
        'CEILOMETER_PROXY_REGIONS': 'r1:http://10.0.0.1:8777',
        'CEILOMETER_PROXY_GNOCCHI_REGIONS': GNOCCHI_REGIONS,
        'CEILOMETER_PROXY_RESOURCE_SOURCE': 'regions'}, ALL_PHASES)
    assert parser.get('cascading', 'regions') == (
        'r1:http://10.0.0.1:8777,regionG,regionH')
    assert parser.get('cascading', 'resource_source') == 'regions'
    assert dict(parser.items('region:regionG', raw=True)) == dict(
        parser.defaults(), driver='gnocchi',
        metric_endpoint='http://10.0.0.3:8041',
        alarming_endpoint='http://10.0.0.3:8042')
    assert parser.get('region:regionH', 'metric_endpoint') == (
        'http://10.0.0.4:8041')
    assert not parser.has_option('region:regionH', 'alarming_endpoint')


def test_unstack_stops_and_clean_removes_the_configuration(tmp_path):
    parser, calls = run_plugin(
        tmp_path, {}, ALL_PHASES + ['unstack', 'clean'])
    stopped = [c.split()[1] for c in calls if c.startswith('stop_process')]
    assert stopped == ['cp-api', 'cp-housekeeping', 'cp-collector',
                       'cp-alarm-evaluator', 'cp-watcher-listener']
    assert ('remove_uwsgi_config %s ceilometer-proxy-api'
            % (tmp_path / 'etc' / 'ceilometer-proxy-api-uwsgi.ini')) in calls
    assert not (tmp_path / 'etc').exists()
