#!/usr/bin/env bash
# Build the FerretDB launcher (tools/ferretdb) used as the MongoDB-wire store for
# tests and `make run`. The binary is cached outside the repository, keyed by the
# launcher's sources, and reused when present. Prints the binary's path.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/ferretdb"
CACHE_DIR="${CEILOMETER_PROXY_CACHE:-$HOME/.cache/ceilometer-proxy}"
key="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -c1-12)"
BIN_DIR="$CACHE_DIR/ferretdb-$key"
BIN="$BIN_DIR/ferretdb"

if [ -x "$BIN" ]; then
    echo "$BIN"
    exit 0
fi

if ! command -v go >/dev/null 2>&1; then
    echo "build-ferretdb: Go (>= 1.24) is required to build FerretDB" >&2
    exit 1
fi

mkdir -p "$BIN_DIR"
export GOPATH="${CEILOMETER_PROXY_GOPATH:-$CACHE_DIR/gopath}"
export GOBIN="$BIN_DIR"
export GOFLAGS="-buildvcs=false -mod=readonly"
(cd "$src" && go install .) >&2
echo "$BIN"
