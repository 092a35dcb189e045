"""Loopback servers in threads: TLS origins, plain HTTP, and hostile raw peers.

Each is a `loopback.LoopbackServer`: it binds a 127.0.0.0/8 address only, puts a
timeout on every socket, writes nothing to stderr, and on `stop()` joins all of its
threads. What they do per connection is built from `behaviours`.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
import tempfile
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from cryptography import x509

from cftui.demo.behaviours import Behaviour, drain, finish, http_response, read_head
from cftui.demo.loopback import LoopbackServer
from cftui.demo.pki import Issued, pem_bundle

Cert = Issued | x509.Certificate
Served = Issued | tuple[Issued, Sequence[Cert]]  # a leaf, optionally with the certs sent after it

GARBAGE = b"\x00\xff\xfe\x07 this is not HTTP \x1b[0m\r\n\r\n"


class RawPeer(LoopbackServer):
    """Hands each accepted socket to `behaviour(sock)`; for hostile-peer tests."""

    kind = "raw"

    def __init__(self, behaviour: Behaviour, host: str = "127.0.0.1", port: int = 0, *,
                 io_timeout: float = 10.0):
        super().__init__(host, port, io_timeout=io_timeout)
        self.behaviour = behaviour

    def handle(self, sock: socket.socket) -> None:
        self.behaviour(sock)


class PlainHttpOrigin(LoopbackServer):
    """Plain HTTP: answers anything, a TLS ClientHello included, with `400 Bad Request`."""

    kind = "http"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, status: int = 400,
                 io_timeout: float = 10.0):
        super().__init__(host, port, io_timeout=io_timeout)
        self.status = status

    def handle(self, sock: socket.socket) -> None:
        first = sock.recv(65536)
        if first[:1].isalpha() and b"\r\n\r\n" not in first:
            with contextlib.suppress(TimeoutError):
                first += read_head(sock)
        if first:
            sock.sendall(http_response(self.status, b"This port speaks plain HTTP.\n"))
        finish(sock, self.stopping)


class TlsOrigin(LoopbackServer):
    """A TLS server made with the interpreter's `ssl` module.

    It sends `leaf` followed by `extra` exactly as given (default: the leaf's
    intermediates), so chains can be out of order, incomplete or padded. `sni` maps
    server names to other leaves (or `(leaf, extra)` pairs); `client_ca` turns on
    CERT_REQUIRED. Note: with a client CA loaded and `extra=()`, OpenSSL may build the
    leaf's chain from that CA store, so use a separate CA for client certificates.
    `behaviour` after the handshake: "respond", "delay:SECONDS", "silent", "close",
    "garbage", or a callable taking the TLS socket.
    """

    kind = "tls"

    def __init__(
        self,
        leaf: Issued,
        extra: Sequence[Cert] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        min_version: ssl.TLSVersion | str | None = None,
        max_version: ssl.TLSVersion | str | None = None,
        ciphers: str | None = None,
        client_ca: Cert | Sequence[Cert] | None = None,
        sni: Mapping[str, Served] | None = None,
        behaviour: str | Callable[[ssl.SSLSocket], None] = "respond",
        status: int = 200,
        body: bytes = b"ok\n",
        io_timeout: float = 10.0,
    ):
        super().__init__(host, port, io_timeout=io_timeout)
        self.min_version = _tls_version(min_version)
        self.max_version = _tls_version(max_version)
        self.ciphers = ciphers
        self.client_ca = (client_ca,) if isinstance(client_ca, (Issued, x509.Certificate)) \
            else tuple(client_ca or ())
        self.behaviour = behaviour
        if isinstance(behaviour, str):
            _check_behaviour(behaviour)
        self.status = status
        self.body = body
        self.handshakes = 0
        self.server_names: list[str | None] = []  # the SNI of every ClientHello seen
        self.context = self._context(leaf, extra)
        self._sni_contexts = {
            name.lower(): self._context(*(item if isinstance(item, tuple) else (item, None)))
            for name, item in (sni or {}).items()
        }
        self.context.sni_callback = self._on_sni

    def _context(self, leaf: Issued, extra: Sequence[Cert] | None) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if self.ciphers:
            ctx.set_ciphers(self.ciphers)  # before loading: @SECLEVEL limits key sizes
        with warnings.catch_warnings():  # TLS 1.0/1.1 on purpose: no DeprecationWarning
            warnings.simplefilter("ignore", DeprecationWarning)
            if self.min_version is not None:
                ctx.minimum_version = self.min_version
            if self.max_version is not None:
                ctx.maximum_version = self.max_version
        sent = [leaf, *(leaf.intermediates if extra is None else extra)]
        with tempfile.TemporaryDirectory(prefix="cftui-origin-") as tmp:
            cert_file, key_file = Path(tmp, "chain.pem"), Path(tmp, "key.pem")
            cert_file.write_bytes(pem_bundle(sent))
            key_file.touch(mode=0o600)
            key_file.write_bytes(leaf.key_pem)
            ctx.load_cert_chain(cert_file, key_file)
        if self.client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(cadata=pem_bundle(self.client_ca).decode("ascii"))
        return ctx

    def _on_sni(self, sock: ssl.SSLObject | ssl.SSLSocket, name: str | None,
                _ctx: ssl.SSLContext) -> None:
        self.server_names.append(name)
        other = self._sni_contexts.get((name or "").lower())
        if other is not None:
            try:
                sock.context = other
            except Exception as exc:  # an exception here would be printed by OpenSSL's hook
                self.note(f"sni: {exc}")

    def handle(self, sock: socket.socket) -> None:
        tls = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        with tls:
            try:
                tls.do_handshake()
            except (OSError, ValueError) as exc:
                self.note(f"handshake: {exc}")
                return
            with self._lock:
                self.handshakes += 1
            self._behave(tls)

    def _behave(self, tls: ssl.SSLSocket) -> None:
        if callable(self.behaviour):
            self.behaviour(tls)
            return
        kind, _, arg = self.behaviour.partition(":")
        if kind == "close":
            finish(tls, self.stopping)
        elif kind == "garbage":
            tls.sendall(GARBAGE)
            finish(tls, self.stopping)
        elif kind == "silent":
            drain(tls, self.stopping)
        else:
            read_head(tls)
            if kind == "delay" and self.stopping.wait(float(arg)):
                return
            tls.sendall(http_response(self.status, self.body))
            finish(tls, self.stopping)


_BEHAVIOURS = ("respond", "silent", "close", "garbage")


def _check_behaviour(behaviour: str) -> None:
    kind, _, arg = behaviour.partition(":")
    if kind == "delay":
        float(arg)
    elif kind not in _BEHAVIOURS or arg:
        raise ValueError(f"unknown behaviour {behaviour!r} ({', '.join(_BEHAVIOURS)}, delay:S)")


_VERSIONS = {
    "sslv3": ssl.TLSVersion.SSLv3,
    "tlsv1": ssl.TLSVersion.TLSv1,
    "tlsv1.0": ssl.TLSVersion.TLSv1,
    "tlsv1.1": ssl.TLSVersion.TLSv1_1,
    "tlsv1.2": ssl.TLSVersion.TLSv1_2,
    "tlsv1.3": ssl.TLSVersion.TLSv1_3,
}


def _tls_version(value: ssl.TLSVersion | str | None) -> ssl.TLSVersion | None:
    """Accept TLSVersion, "TLSv1.2"-style names, or cftui's Protocol enum."""
    if value is None or isinstance(value, ssl.TLSVersion):
        return value
    name = str(getattr(value, "value", value)).strip().lower().replace("_", ".")
    if name not in _VERSIONS:
        raise ValueError(f"unknown TLS version {value!r}")
    return _VERSIONS[name]
