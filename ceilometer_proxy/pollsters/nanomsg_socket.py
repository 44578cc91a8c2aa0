"""The one place that knows which nanomsg binding is used.

watcher-metering agents speak nanomsg PUSH/PULL. ``nnpy`` (cffi over the
system's libnanomsg) measured several times faster than ``pynng`` here
(see bench/watcher.py), so it is the binding; swapping it means changing
this module only.
"""

import errno

import nnpy

TIMED_OUT = (errno.ETIMEDOUT, errno.EAGAIN)


class Timeout(Exception):
    """No message arrived (or could be sent) within the socket timeout."""


class Closed(Exception):
    """The socket was closed while waiting."""


class Socket(object):
    """A PULL or PUSH socket with timeouts in milliseconds."""

    def __init__(self, protocol, recv_timeout_ms=None, send_timeout_ms=None,
                 max_message_size=None):
        self._sock = nnpy.Socket(nnpy.AF_SP, protocol)
        if recv_timeout_ms is not None:
            self._sock.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVTIMEO,
                                  int(recv_timeout_ms))
        if send_timeout_ms is not None:
            self._sock.setsockopt(nnpy.SOL_SOCKET, nnpy.SNDTIMEO,
                                  int(send_timeout_ms))
        if max_message_size is not None:
            self._sock.setsockopt(nnpy.SOL_SOCKET, nnpy.RCVMAXSIZE,
                                  int(max_message_size))

    def bind(self, endpoint):
        self._sock.bind(endpoint)
        return self

    def connect(self, endpoint):
        self._sock.connect(endpoint)
        return self

    def recv(self, wait=True):
        """One message; with ``wait=False``, Timeout if none is queued."""
        try:
            return self._sock.recv(0 if wait else nnpy.DONTWAIT)
        except nnpy.NNError as exc:
            raise _translate(exc)

    def send(self, data):
        try:
            self._sock.send(data)
        except nnpy.NNError as exc:
            raise _translate(exc)

    def close(self):
        try:
            self._sock.close()
        except nnpy.NNError:
            pass


def _translate(exc):
    if exc.error_no in TIMED_OUT:
        return Timeout(str(exc))
    if exc.error_no in (errno.EBADF, getattr(nnpy, 'ETERM', -1)):
        return Closed(str(exc))
    return exc


def pull_socket(endpoint, recv_timeout_ms=200, max_message_size=1 << 20):
    """A PULL socket bound to ``endpoint`` (where agents push)."""
    sock = Socket(nnpy.PULL, recv_timeout_ms=recv_timeout_ms,
                  max_message_size=max_message_size)
    try:
        return sock.bind(endpoint)
    except Exception:
        sock.close()
        raise


def push_socket(endpoint, send_timeout_ms=1000):
    """A PUSH socket connected to ``endpoint`` (an agent's side)."""
    return Socket(nnpy.PUSH, send_timeout_ms=send_timeout_ms).connect(
        endpoint)
