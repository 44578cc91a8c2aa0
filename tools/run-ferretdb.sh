#!/usr/bin/env bash
# Start the FerretDB store in the foreground: tools/run-ferretdb.sh STATE_DIR PORT
set -euo pipefail
state_dir="${1:?state directory}"
port="${2:?port}"
bin="$("$(dirname "${BASH_SOURCE[0]}")/build-ferretdb.sh")"
mkdir -p "$state_dir"
exec "$bin" -listen-addr "127.0.0.1:$port" -data-dir "$state_dir/ferretdb"
