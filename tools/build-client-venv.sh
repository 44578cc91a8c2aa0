#!/usr/bin/env bash
# Build a virtualenv holding python-ceilometerclient 2.9.0 (the real v2
# client used by tests/functional/test_ceilometerclient.py). The client pins
# prettytable<0.8, which clashes with the project's own packages, so it gets
# an environment of its own. The virtualenv is cached outside the repository
# and reused when its `ceilometer` executable exists; it is built in a
# temporary directory and moved into place only once complete, so that an
# interrupted build is never taken for a good one.
# Prints the path of the `ceilometer` executable.
set -euo pipefail

VERSION=2.9.0
PYTHON="${PYTHON:-python3}"
CACHE_DIR="${CEILOMETER_PROXY_CACHE:-$HOME/.cache/ceilometer-proxy}"
VENV="$CACHE_DIR/venv-ceilometerclient-$VERSION"
BIN="$VENV/bin/ceilometer"

if [ -x "$BIN" ]; then
    echo "$BIN"
    exit 0
fi

mkdir -p "$CACHE_DIR"
# One build at a time; a second caller waits and then reuses the result.
exec 9>"$CACHE_DIR/.venv-ceilometerclient-$VERSION.lock"
flock 9
if [ -x "$BIN" ]; then
    echo "$BIN"
    exit 0
fi

tmp="$(mktemp -d "$CACHE_DIR/.venv-ceilometerclient-$VERSION.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
build="$tmp/venv"

"$PYTHON" -m venv "$build" >&2
"$build/bin/python" -m pip install -q --disable-pip-version-check -U pip >&2
"$build/bin/python" -m pip install -q --disable-pip-version-check \
    "python-ceilometerclient==$VERSION" >&2

# Scripts in bin/ name their interpreter by absolute path: point them at
# the final location before moving the tree there.
grep -rlI --null -F "$build" "$build/bin" \
    | xargs -0 -r sed -i "s|$build|$VENV|g"
rm -rf "$VENV"
mv "$build" "$VENV"

"$VENV/bin/python" -c 'import ceilometerclient.v2.shell' >&2 || {
    rm -rf "$VENV"
    echo "build-client-venv: ceilometerclient does not import" >&2
    exit 1
}
"$BIN" --version >&2 || {
    rm -rf "$VENV"
    echo "build-client-venv: $BIN does not run" >&2
    exit 1
}
echo "$BIN"
