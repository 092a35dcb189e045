"""Loopback servers in threads: TLS origins, plain HTTP, and hostile raw peers.

Every server binds a 127.0.0.0/8 address only, runs an accept loop in a thread and
one daemon thread per connection, puts a timeout on every socket, writes nothing to
stderr, and on `stop()` wakes and joins all of its threads and closes its sockets.
"""

from __future__ import annotations

import contextlib
import http
import ipaddress
import selectors
import socket
import ssl
import struct
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from cryptography import x509

from cftui.demo.pki import Issued, pem_bundle

Behaviour = Callable[[socket.socket], None]
Cert = Issued | x509.Certificate
Served = Issued | tuple[Issued, Sequence[Cert]]  # a leaf, optionally with the certs sent after it
_S = TypeVar("_S", bound="LoopbackServer")

LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
GARBAGE = b"\x00\xff\xfe\x07 this is not HTTP \x1b[0m\r\n\r\n"
_MAX_ERRORS = 200


def check_loopback(host: str) -> str:
    """Return `host` if it is an IPv4 loopback address, else raise ValueError."""
    if ipaddress.ip_address(host) not in LOOPBACK:
        raise ValueError(f"{host!r} is not a 127.0.0.0/8 address")
    return host


def free_port_on(*addresses: str, attempts: int = 100) -> int:
    """A port that is free on every one of these loopback addresses (at this moment)."""
    addresses = tuple(check_loopback(a) for a in addresses or ("127.0.0.1",))
    for _ in range(attempts):
        with contextlib.ExitStack() as stack:
            first = stack.enter_context(socket.socket())
            first.bind((addresses[0], 0))
            port: int = first.getsockname()[1]
            try:
                for address in addresses[1:]:
                    stack.enter_context(socket.socket()).bind((address, port))
            except OSError:
                continue
            return port
    raise OSError(f"no port free on all of {', '.join(addresses)}")


class LoopbackServer:
    """An accept loop on a loopback address; subclasses implement `handle(sock)`."""

    kind = "server"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, io_timeout: float = 10.0):
        self.host = check_loopback(host)
        self.port = port
        self.io_timeout = io_timeout
        self.errors: list[str] = []  # what went wrong per connection, instead of stderr
        self.stopping = threading.Event()
        self._connections = 0
        self._lock = threading.Lock()
        self._live: dict[threading.Thread, socket.socket] = {}  # thread -> dup to shut down
        self._threads: list[threading.Thread] = []  # joined on stop, even if just finishing
        self._listener: socket.socket | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None
        self._acceptor: threading.Thread | None = None

    @property
    def connections(self) -> int:
        """How many TCP connections were accepted."""
        return self._connections

    @property
    def address(self) -> tuple[str, int]:
        return self.host, self.port

    def handle(self, sock: socket.socket) -> None:
        raise NotImplementedError

    def start(self: _S) -> _S:
        if self._acceptor is not None:
            return self
        try:
            listener = self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.host, self.port))
            listener.listen(64)
            listener.setblocking(False)
            self.port = listener.getsockname()[1]
            self._wake = socket.socketpair()
            self._acceptor = threading.Thread(
                target=self._accept_loop, name=f"cftui-{self.kind}-{self.port}", daemon=True
            )
            self._acceptor.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, wake every connection, join all threads, close all sockets."""
        self.stopping.set()
        if self._wake is not None:
            with contextlib.suppress(OSError):
                self._wake[1].send(b"x")
        if self._acceptor is not None:
            self._acceptor.join(timeout)
        for sock in (self._listener, *(self._wake or ())):
            if sock is not None:
                sock.close()
        with self._lock:
            for waker in self._live.values():
                with contextlib.suppress(OSError):
                    waker.shutdown(socket.SHUT_RDWR)
            threads = list(self._threads)
        deadline = time.monotonic() + timeout
        for thread in threads:
            if thread.ident is not None:  # started
                thread.join(max(0.0, deadline - time.monotonic()))

    def __enter__(self: _S) -> _S:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def note(self, message: str) -> None:
        with self._lock:
            if len(self.errors) < _MAX_ERRORS:
                self.errors.append(message)

    def _accept_loop(self) -> None:
        assert self._listener is not None and self._wake is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake[0], selectors.EVENT_READ)
            while not self.stopping.is_set():
                for key, _ in selector.select(timeout=1.0):
                    if key.fileobj is self._wake[0]:
                        return
                    try:
                        conn, _peer = self._listener.accept()
                    except (BlockingIOError, InterruptedError):
                        continue
                    except OSError as exc:  # EMFILE and friends: back off, keep serving
                        self.note(f"accept: {exc}")
                        self.stopping.wait(0.05)
                        continue
                    try:
                        self._spawn(conn)
                    except Exception as exc:  # no fd or thread left: drop this connection
                        self.note(f"spawn: {exc}")
                        conn.close()

    def _spawn(self, conn: socket.socket) -> None:
        conn.settimeout(self.io_timeout)
        with self._lock:
            if self.stopping.is_set():
                conn.close()
                return
            self._connections += 1
            thread = threading.Thread(target=self._run, args=(conn,), daemon=True,
                                      name=f"cftui-{self.kind}-{self.port}-conn")
            self._live[thread] = conn.dup()
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _run(self, conn: socket.socket) -> None:
        try:
            self.handle(conn)
        except Exception as exc:
            self.note(f"{type(exc).__name__}: {exc}")
        finally:
            conn.close()
            with self._lock:
                waker = self._live.pop(threading.current_thread(), None)
            if waker is not None:
                waker.close()


# --- building blocks for behaviours -------------------------------------------------


def read_head(sock: socket.socket, limit: int = 65536) -> bytes:
    """Read until the end of an HTTP request head, EOF, or `limit` bytes."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < limit:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def http_response(status: int = 200, body: bytes = b"ok\n") -> bytes:
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Unknown"
    head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n")
    return head.encode("ascii") + body


def drain(sock: socket.socket, stopping: threading.Event | None = None,
          seconds: float | None = None) -> None:
    """Read and discard until EOF, an error, `stopping`, or `seconds` have passed."""
    sock.settimeout(0.25)
    rounds = None if seconds is None else max(1, int(seconds / 0.25))
    while not (stopping and stopping.is_set()) and (rounds is None or rounds > 0):
        try:
            if not sock.recv(65536):
                return
        except TimeoutError:
            if rounds is not None:
                rounds -= 1
        except (OSError, ValueError):
            return


def finish(sock: socket.socket, stopping: threading.Event | None = None) -> None:
    """Close politely: close_notify for TLS, then FIN, then drain briefly (no RST)."""
    if isinstance(sock, ssl.SSLSocket):
        sock.settimeout(1.0)
        with contextlib.suppress(OSError, ValueError):
            sock = sock.unwrap()
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
    drain(sock, stopping, seconds=1.0)
    sock.close()


def send_bytes(data: bytes, *, read_first: bool = True) -> Behaviour:
    """Behaviour: (read what the client sends first, then) send `data`, then close."""

    def behave(sock: socket.socket) -> None:
        if read_first:
            sock.recv(65536)
        sock.sendall(data)
        finish(sock)

    return behave


def reset_after_read() -> Behaviour:
    """Behaviour: read the client's first bytes (its ClientHello), then send a TCP RST."""

    def behave(sock: socket.socket) -> None:
        sock.recv(65536)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()

    return behave


def never_answer() -> Behaviour:
    """Behaviour: read and ignore everything, answer nothing, until the client or stop closes."""

    def behave(sock: socket.socket) -> None:
        drain(sock)

    return behave


def close_immediately() -> Behaviour:
    """Behaviour: close the connection at once, before reading anything."""

    def behave(sock: socket.socket) -> None:
        sock.close()

    return behave


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
