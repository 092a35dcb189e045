"""A real handshake through pyOpenSSL with CloudFront's profile, bounded by a deadline.

The raw prober stops after the origin's first flight; where the local OpenSSL can
speak the version and suite, this finishes the handshake the way CloudFront would.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Sequence

from OpenSSL import SSL

from cftui.engine import profile
from cftui.engine.net.connect import wait_for
from cftui.engine.profile import Protocol

_VERSIONS = {  # profile.LOCAL_PROTOCOLS
    Protocol.TLSv1: SSL.TLS1_VERSION,
    Protocol.TLSv1_1: SSL.TLS1_1_VERSION,
    Protocol.TLSv1_2: SSL.TLS1_2_VERSION,
}


class Deadline(Exception):
    """A deadline passed while waiting on the origin."""


class Watchdog:
    """Shuts the socket down when a deadline passes.

    OpenSSL consumes every byte already there within one call, so a peer streaming
    records it ignores (HelloRequests, warning alerts) could hold `do_handshake` or
    `recv` long past the deadline that `_wait` checks between calls.
    """

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._timer: threading.Timer | None = None
        self.fired = False

    def arm(self, deadline: float) -> None:
        self.cancel()
        self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer.join()
            self._timer = None

    def _fire(self) -> None:
        self.fired = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)


class ProfileUnavailable(Exception):
    """The local pyOpenSSL cannot set CloudFront's curves or signature algorithms.

    A handshake with OpenSSL's defaults instead would succeed against origins that
    CloudFront fails with, so the HTTP stage reports this as a local limitation.
    """


def _set_profile(ctx: SSL.Context) -> None:
    """CloudFront's curves and signature schemes, through OpenSSL's own calls
    (pyOpenSSL has no public API for them); raises ProfileUnavailable."""
    try:
        from OpenSSL._util import lib  # type: ignore[attr-defined, unused-ignore]

        ctx_ptr = ctx._context  # type: ignore[attr-defined, unused-ignore]
    except (ImportError, AttributeError) as exc:
        raise ProfileUnavailable(f"pyOpenSSL's OpenSSL bindings are not reachable ({exc})"
                                 ) from None
    for function, value in (
        ("SSL_CTX_set1_curves_list", profile.CLOUDFRONT_GROUPS_OPENSSL),
        ("SSL_CTX_set1_sigalgs_list", profile.cloudfront_sigalgs_openssl()),
    ):
        call = getattr(lib, function, None)
        if call is None:
            raise ProfileUnavailable(f"pyOpenSSL's OpenSSL bindings have no {function}")
        if call(ctx_ptr, value.encode()) != 1:
            raise ProfileUnavailable(f"the local OpenSSL refused {function}({value})")


def cloudfront_context(protocols: Sequence[Protocol], *,
                       http2: bool = False) -> SSL.Context | None:
    """A client context offering what CloudFront offers, or None when the local
    OpenSSL speaks none of the enabled versions; raises ProfileUnavailable. With
    `http2` (OriginHttpVersion http2) it offers ALPN h2 then http/1.1; without, no ALPN."""
    usable = sorted((p for p in protocols if p in profile.LOCAL_PROTOCOLS),
                    key=lambda p: p.wire)
    if not usable:
        return None
    ctx = SSL.Context(SSL.TLS_METHOD)
    ctx.set_min_proto_version(_VERSIONS[usable[0]])
    ctx.set_max_proto_version(_VERSIONS[usable[-1]])
    ctx.set_cipher_list(profile.cloudfront_cipher_string(suites=profile.LOCAL_SUITES).encode())
    ctx.set_verify(SSL.VERIFY_NONE, lambda *_: True)  # the certificate stage judges trust
    ctx.set_options(SSL.OP_NO_TICKET | SSL.OP_NO_RENEGOTIATION)
    _set_profile(ctx)
    if http2:
        ctx.set_alpn_protos(list(profile.CLOUDFRONT_ALPN["http2"]))
    return ctx


def wait(conn: SSL.Connection, deadline: float, write: bool = False,
         cancel: threading.Event | None = None) -> None:
    """Wait until the connection can go on; Deadline when it cannot in time, Cancelled
    when `cancel` is set meanwhile."""
    if not wait_for(conn.fileno(), deadline, write=write, cancel=cancel):
        raise Deadline


def recv(conn: SSL.Connection, deadline: float,
         cancel: threading.Event | None = None) -> bytes:
    """The next bytes of application data; b"" once the origin closes (or breaks) the
    connection. Deadline / Cancelled as for `wait`."""
    while True:
        try:
            return conn.recv(16384)
        except SSL.WantReadError:
            wait(conn, deadline, cancel=cancel)
        except (SSL.ZeroReturnError, SSL.SysCallError):
            return b""


def send_all(conn: SSL.Connection, data: bytes, deadline: float,
             cancel: threading.Event | None = None) -> None:
    """Write all of `data`, waiting for the socket as needed (Deadline / Cancelled)."""
    view = memoryview(data)
    while view:
        try:
            view = view[conn.send(bytes(view[:16384])):]
        except SSL.WantWriteError:
            wait(conn, deadline, write=True, cancel=cancel)
        except SSL.WantReadError:
            wait(conn, deadline, cancel=cancel)


def handshake(conn: SSL.Connection, deadline: float,
              cancel: threading.Event | None = None) -> None:
    """do_handshake on a non-blocking socket, waiting at most until `deadline`."""
    while True:
        try:
            conn.do_handshake()
            return
        except SSL.WantReadError:
            wait(conn, deadline, cancel=cancel)
        except SSL.WantWriteError:
            wait(conn, deadline, write=True, cancel=cancel)
