#!/usr/bin/env bash
# Build (once) a cached virtualenv for a peer service the tests run for real:
#   tools/build-peer-venv.sh ceilometer   -> ceilometer 27.0.0 (+ this package)
#   tools/build-peer-venv.sh keystone     -> keystone 30.0.0 + gunicorn
#   tools/build-peer-venv.sh watcher      -> python-watcher-metering 0.21.6 agent
#   tools/build-peer-venv.sh gnocchi      -> gnocchi 4.7.1 (PostgreSQL indexer, file storage) + gunicorn
#   tools/build-peer-venv.sh aodh         -> aodh 23.0.0 (PostgreSQL) + gunicorn
# Peers pin packages that clash with ours (and with each other), so each gets
# an environment of its own under $CEILOMETER_PROXY_CACHE (default
# ~/.cache/ceilometer-proxy). A venv is built in a temporary directory and
# moved into place only when complete, so an interrupted build is never
# taken for a good one. Prints the path of the venv.
#
# The ceilometer venv gets this repository installed in editable mode (with
# --no-deps after the first build), so its entry points find our pollsters
# from the working tree without a rebuild.
set -euo pipefail

PEER="${1:?usage: build-peer-venv.sh ceilometer|keystone|watcher|gnocchi|aodh}"
PYTHON="${PYTHON:-python3}"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${CEILOMETER_PROXY_CACHE:-$HOME/.cache/ceilometer-proxy}"

case "$PEER" in
    ceilometer) VERSION=27.0.0; CHECK='import ceilometer.polling.plugin_base, nnpy, msgpack' ;;
    keystone)   VERSION=30.0.0; CHECK='import keystone.server.wsgi, gunicorn' ;;
    watcher)    VERSION=0.21.6; CHECK='import watcher_metering.agent.agent, msgpack, nanomsg' ;;
    gnocchi)    VERSION=4.7.1;  CHECK='import gnocchi.rest.app, gnocchi.indexer.sqlalchemy, psycopg2, gunicorn' ;;
    aodh)       VERSION=23.0.0; CHECK='import aodh.api.app, aodh.evaluator.gnocchi, psycopg, gunicorn' ;;
    *) echo "build-peer-venv: unknown peer $PEER" >&2; exit 2 ;;
esac
VENV="$CACHE_DIR/venv-$PEER-$VERSION"

install_peer() {
    local py="$1/bin/python"
    local pip=("$py" -m pip install -q --disable-pip-version-check)
    case "$PEER" in
        ceilometer)
            # nnpy: the watcher pollster's nanomsg binding (libnanomsg-dev).
            "${pip[@]}" "ceilometer==$VERSION" "nnpy>=1.4.2" "msgpack>=1.0" >&2 ;;
        keystone)
            "${pip[@]}" "keystone==$VERSION" gunicorn >&2 ;;
        watcher)
            "${pip[@]}" "python-watcher-metering==$VERSION" >&2
            # The drivers' libvirt dependency does not build; the host
            # drivers (cpu, memory, disk, swap) need none of it.
            "${pip[@]}" --no-deps "python-watcher-metering-drivers==0.21.0" psutil >&2
            # Two distributions write the msgpack module: restore the real one.
            "${pip[@]}" --force-reinstall --no-deps msgpack >&2 ;;
        gnocchi)
            # gnocchi[postgresql] without its psycopg2 source build (which
            # needs libpq-dev and a compiler): the binary wheel instead.
            "${pip[@]}" "gnocchi[file]==$VERSION" psycopg2-binary "oslo.db>=4.29.0" \
                sqlalchemy-utils alembic gunicorn >&2 ;;
        aodh)
            # Aodh picks its storage driver by the URL's scheme (so the URL
            # is postgresql://) and then connects through psycopg (v3).
            "${pip[@]}" "aodh==$VERSION" "psycopg[binary]" gunicorn >&2 ;;
    esac
}

link_repo() {
    # Our package into the ceilometer venv, editable, without our own
    # requirements (the peer brings what the pollsters import).
    if [ "$PEER" = ceilometer ]; then
        "$1/bin/python" -m pip install -q --disable-pip-version-check \
            --no-deps --no-build-isolation -e "$REPO" >&2
        repo_stamp > "$1/.repo-stamp"
    fi
}

repo_stamp() {
    # Entry points are recorded at install time: relink when setup.cfg or
    # the checkout's location changes.
    echo "$REPO $(sha1sum "$REPO/setup.cfg" | cut -c1-40)"
}

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "$CHECK" 2>/dev/null; then
    if [ "$PEER" = ceilometer ] && \
            [ "$(cat "$VENV/.repo-stamp" 2>/dev/null)" != "$(repo_stamp)" ]; then
        exec 9>"$CACHE_DIR/.venv-$PEER-$VERSION.lock"
        flock 9
        link_repo "$VENV"
    fi
    echo "$VENV"
    exit 0
fi

mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.venv-$PEER-$VERSION.lock"
flock 9
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "$CHECK" 2>/dev/null; then
    link_repo "$VENV"
    echo "$VENV"
    exit 0
fi

tmp="$(mktemp -d "$CACHE_DIR/.venv-$PEER-$VERSION.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
build="$tmp/venv"
"$PYTHON" -m venv "$build" >&2
"$build/bin/python" -m pip install -q --disable-pip-version-check -U pip setuptools wheel pbr >&2
install_peer "$build"

# Scripts in bin/ name their interpreter by absolute path: point them at the
# final location before moving the tree there.
grep -rlI --null -F "$build" "$build/bin" | xargs -0 -r sed -i "s|$build|$VENV|g"
rm -rf "$VENV"
mv "$build" "$VENV"
if ! "$VENV/bin/python" -c "$CHECK" >&2; then
    rm -rf "$VENV"
    echo "build-peer-venv: $PEER venv does not import ($CHECK)" >&2
    exit 1
fi
link_repo "$VENV"
echo "$VENV"
