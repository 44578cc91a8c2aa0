#!/usr/bin/env bash
# DevStack plugin of ceilometer-proxy.
#
#   [[local|localrc]]
#   enable_plugin ceilometer-proxy <git url of this repository>
#   # a cascaded region (the default):   CEILOMETER_PROXY_MODE=local
#   # the cascading level:               CEILOMETER_PROXY_MODE=cascading
#
# The API runs under uwsgi behind Apache at /metering, as DevStack runs the
# other OpenStack APIs (CEILOMETER_PROXY_DEPLOY=standalone: gunicorn on its own
# port), and is registered in Keystone as the `metering` service of
# $REGION_NAME, which is also how a cascading level finds the regions
# (discovery `keystone`). See devstack/settings for every variable.

_XTRACE_CP=$(set +o | grep xtrace)
set +o xtrace

function _cp_mode_is_local {
    [[ "$CEILOMETER_PROXY_MODE" == "local" ]]
}

function _cp_under_uwsgi {
    [[ "$CEILOMETER_PROXY_DEPLOY" == "uwsgi" ]]
}

function _cp_service_url {
    if _cp_under_uwsgi; then
        echo "$CEILOMETER_PROXY_SERVICE_PROTOCOL://$CEILOMETER_PROXY_SERVICE_HOST/metering"
    else
        echo "$CEILOMETER_PROXY_SERVICE_PROTOCOL://$CEILOMETER_PROXY_SERVICE_HOST:$CEILOMETER_PROXY_SERVICE_PORT"
    fi
}

function install_ceilometer_proxy {
    if _cp_mode_is_local && [[ "$CEILOMETER_PROXY_INSTALL_MONGODB" == "True" ]]; then
        install_package mongodb-server || install_package mongodb
        restart_service mongod || restart_service mongodb || true
    fi
    setup_develop "$CEILOMETER_PROXY_DIR"
    if [[ "$CEILOMETER_PROXY_POLLSTERS" == "True" ]]; then
        # Into the interpreter that runs ceilometer-polling.
        pip_install nnpy msgpack
    fi
}

function create_ceilometer_proxy_accounts {
    create_service_user "ceilometer-proxy" "admin"
    get_or_create_service "ceilometer" "metering" "Telemetry (ceilometer-proxy)"
    get_or_create_endpoint "metering" "$REGION_NAME" "$(_cp_service_url)"
}

function configure_ceilometer_proxy {
    sudo install -d -o "$STACK_USER" "$CEILOMETER_PROXY_CONF_DIR"
    cp "$CEILOMETER_PROXY_DIR/etc/ceilometer-proxy/api_paste.ini" "$CEILOMETER_PROXY_CONF_DIR/"
    local conf=$CEILOMETER_PROXY_CONF
    rm -f "$conf"

    iniset "$conf" DEFAULT debug "$ENABLE_DEBUG_LOG_LEVEL"
    iniset "$conf" DEFAULT transport_url "$(get_transport_url)"
    iniset "$conf" api host "$CEILOMETER_PROXY_SERVICE_HOST"
    iniset "$conf" api port "$CEILOMETER_PROXY_SERVICE_PORT"
    iniset "$conf" api auth_mode keystone
    iniset "$conf" api mode "$CEILOMETER_PROXY_MODE"
    iniset "$conf" api paste_config "$CEILOMETER_PROXY_CONF_DIR/api_paste.ini"
    iniset "$conf" database connection "$CEILOMETER_PROXY_DB_URL"
    iniset "$conf" console enabled "$CEILOMETER_PROXY_CONSOLE"
    iniset "$conf" publisher telemetry_secret "$CEILOMETER_PROXY_TELEMETRY_SECRET"
    configure_keystone_authtoken_middleware "$conf" ceilometer-proxy

    # The identity the evaluator, the collector and the cascading level use
    # towards other services.
    iniset "$conf" service_credentials auth_type password
    iniset "$conf" service_credentials auth_url "$KEYSTONE_SERVICE_URI"
    iniset "$conf" service_credentials username ceilometer-proxy
    iniset "$conf" service_credentials password "$SERVICE_PASSWORD"
    iniset "$conf" service_credentials project_name "$SERVICE_PROJECT_NAME"
    iniset "$conf" service_credentials user_domain_id default
    iniset "$conf" service_credentials project_domain_id default
    iniset "$conf" service_credentials region_name "$REGION_NAME"

    if ! _cp_mode_is_local; then
        iniset "$conf" cascading region_discovery "$CEILOMETER_PROXY_REGION_DISCOVERY"
        iniset "$conf" cascading partial_results "$CEILOMETER_PROXY_PARTIAL_RESULTS"
        iniset "$conf" cascading resource_source "$CEILOMETER_PROXY_RESOURCE_SOURCE"
        local regions="$CEILOMETER_PROXY_REGIONS"
        local entry name urls
        for entry in ${CEILOMETER_PROXY_GNOCCHI_REGIONS//,/ }; do
            name=${entry%%=*}
            urls=${entry#*=}
            iniset "$conf" "region:$name" driver gnocchi
            iniset "$conf" "region:$name" metric_endpoint "${urls%%|*}"
            if [[ "$urls" == *"|"* ]]; then
                iniset "$conf" "region:$name" alarming_endpoint "${urls#*|}"
            fi
            regions="${regions:+$regions,}$name"
        done
        if [[ -n "$regions" ]]; then
            iniset "$conf" cascading regions "$regions"
        fi
    fi
    if is_service_enabled cp-watcher-listener; then
        iniset "$conf" watcher listen_endpoint "$CEILOMETER_PROXY_WATCHER_ENDPOINT"
    fi
    if [[ "$CEILOMETER_PROXY_POLLSTERS" == "True" ]] && [[ -n "${CEILOMETER_CONF:-}" ]]; then
        iniset "$CEILOMETER_CONF" watcher listen_endpoint "$CEILOMETER_PROXY_WATCHER_ENDPOINT"
    fi
    if _cp_under_uwsgi; then
        # uwsgi imports the module; it reads this configuration file.
        write_uwsgi_config "$CEILOMETER_PROXY_UWSGI_CONF" "$CEILOMETER_PROXY_UWSGI" "/metering" "" "ceilometer-proxy-api"
        iniset "$CEILOMETER_PROXY_UWSGI_CONF" uwsgi env "CEILOMETER_PROXY_CONFIG_FILES=$conf"
    fi
}

function init_ceilometer_proxy {
    if _cp_mode_is_local; then
        "$CEILOMETER_PROXY_BIN_DIR/ceilometer-proxy-dbsync" --config-file "$CEILOMETER_PROXY_CONF"
    fi
}

function start_ceilometer_proxy {
    local args="--config-file $CEILOMETER_PROXY_CONF"
    if _cp_under_uwsgi; then
        run_process cp-api "$(which uwsgi) --procname-prefix ceilometer-proxy --ini $CEILOMETER_PROXY_UWSGI_CONF" ""
    else
        run_process cp-api "$CEILOMETER_PROXY_BIN_DIR/ceilometer-proxy-api $args"
    fi
    # Expiry, summary compaction, the alarm reconciler: once per deployment.
    run_process cp-housekeeping "$CEILOMETER_PROXY_BIN_DIR/ceilometer-proxy-housekeeping $args"
    if _cp_mode_is_local; then
        run_process cp-collector "$CEILOMETER_PROXY_BIN_DIR/ceilometer-proxy-collector $args"
        run_process cp-alarm-evaluator "$CEILOMETER_PROXY_BIN_DIR/ceilometer-proxy-alarm-evaluator $args"
        run_process cp-watcher-listener "$CEILOMETER_PROXY_BIN_DIR/ceilometer-proxy-watcher-listener $args"
    fi
    if ! wait_for_service "$SERVICE_TIMEOUT" "$(_cp_service_url)"; then
        die $LINENO "ceilometer-proxy-api did not start"
    fi
}

function stop_ceilometer_proxy {
    local service
    for service in cp-api cp-housekeeping cp-collector cp-alarm-evaluator cp-watcher-listener; do
        stop_process "$service"
    done
}

function cleanup_ceilometer_proxy {
    if _cp_under_uwsgi; then
        remove_uwsgi_config "$CEILOMETER_PROXY_UWSGI_CONF" "ceilometer-proxy-api"
    fi
    sudo rm -rf "$CEILOMETER_PROXY_CONF_DIR"
}

if is_service_enabled cp-api cp-housekeeping cp-collector cp-alarm-evaluator cp-watcher-listener; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing ceilometer-proxy"
        install_ceilometer_proxy
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring ceilometer-proxy"
        if is_service_enabled keystone; then
            create_ceilometer_proxy_accounts
        fi
        configure_ceilometer_proxy
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Starting ceilometer-proxy"
        init_ceilometer_proxy
        start_ceilometer_proxy
    fi
    if [[ "$1" == "unstack" ]]; then
        stop_ceilometer_proxy
    fi
    if [[ "$1" == "clean" ]]; then
        cleanup_ceilometer_proxy
    fi
fi

$_XTRACE_CP
