"""The loopback server base: an accept loop on a 127.0.0.0/8 address, in threads.

`LoopbackServer` runs an accept loop in a thread and one daemon thread per
connection, puts a timeout on every socket, writes nothing to stderr (errors go to
`errors`), and on `stop()` wakes and joins all of its threads and closes its
sockets. Subclasses implement `handle(sock)`.
"""

from __future__ import annotations

import contextlib
import ipaddress
import selectors
import socket
import threading
import time
from types import TracebackType
from typing import TypeVar

_S = TypeVar("_S", bound="LoopbackServer")

LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
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
