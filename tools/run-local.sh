#!/usr/bin/env bash
# `make run`: FerretDB under $STATE_DIR plus the local-mode API on $PORT (noauth).
# Ctrl-C stops both; the data stays in $STATE_DIR for the next run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PORT="${PORT:-8777}"
STATE_DIR="$(mkdir -p "${STATE_DIR:-$here/.state}" && cd "${STATE_DIR:-$here/.state}" && pwd)"
PY="${PYTHON:-$here/.venv/bin/python}"

db_port="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$here/tools/run-ferretdb.sh" "$STATE_DIR" "$db_port" >"$STATE_DIR/ferretdb.log" 2>&1 &
db_pid=$!
trap 'kill $db_pid 2>/dev/null; wait $db_pid 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 600); do
    if "$PY" -c "import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(('127.0.0.1', $db_port)))"; then
        break
    fi
    kill -0 "$db_pid" 2>/dev/null || { cat "$STATE_DIR/ferretdb.log" >&2; exit 1; }
    sleep 0.1
done

conf="$STATE_DIR/ceilometer-proxy.conf"
cat >"$conf" <<CONF
[DEFAULT]
log_file = $STATE_DIR/api.log

[api]
host = 127.0.0.1
port = $PORT
auth_mode = noauth
paste_config = $here/etc/ceilometer-proxy/api_paste.ini

[database]
connection = mongodb://127.0.0.1:$db_port/ceilometer

[console]
enabled = true
CONF

echo "store: FerretDB on 127.0.0.1:$db_port, data in $STATE_DIR/ferretdb"
echo "API:   http://127.0.0.1:$PORT/v2  (noauth; log in $STATE_DIR/api.log; Ctrl-C stops)"
echo "console: http://127.0.0.1:$PORT/console/"
# Expiry and summary compaction, as a deployment runs them: one process
# beside the API's workers.
"$PY" -m ceilometer_proxy.cmd.housekeeping --config-file "$conf" &
hk_pid=$!
trap 'kill $hk_pid $db_pid 2>/dev/null; wait $hk_pid $db_pid 2>/dev/null || true' EXIT INT TERM
"$PY" -m ceilometer_proxy.cmd.api --config-file "$conf"
