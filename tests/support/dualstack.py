"""`localhost` on both address families: a TLS origin on ::1 and a private /etc/hosts.

This machine's /etc/hosts gives `localhost` only 127.0.0.1. `in_localhost_namespace`
runs a command under `unshare -rm` (a user and a mount namespace, no network
namespace: the loopback interface, and the servers the tests start on it, are the
same inside) with a hosts file bind-mounted over /etc/hosts, so getaddrinfo answers
both ::1 and 127.0.0.1 for `localhost` there.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cftui.demo.pki import Issued
from cftui.demo.servers import Cert, TlsOrigin

V4, V6 = "127.0.0.1", "::1"
HOSTS = f"{V4} localhost\n{V6} localhost\n"
#: Bind-mount $0 (the hosts file) over /etc/hosts, then run the command.
_MOUNT_HOSTS = 'mount --bind "$0" /etc/hosts && exec "$@"'


class Ipv6TlsOrigin(TlsOrigin):
    """A TlsOrigin listening on ::1 only (IPV6_V6ONLY), which LoopbackServer, IPv4-only,
    does not offer; same options as TlsOrigin except `host`."""

    def __init__(self, leaf: Issued, extra: Sequence[Cert] | None = None, **options: Any):
        super().__init__(leaf, extra, **options)
        self.host = V6

    def start(self) -> Ipv6TlsOrigin:
        if self._acceptor is not None:
            return self
        try:
            listener = self._listener = ipv6_listener(self.port)
            listener.setblocking(False)
            self.port = listener.getsockname()[1]
            self._wake = socket.socketpair()
            self._acceptor = threading.Thread(
                target=self._accept_loop, name=f"cftui-tls6-{self.port}", daemon=True)
            self._acceptor.start()
        except BaseException:
            self.stop()
            raise
        return self


def ipv6_listener(port: int = 0) -> socket.socket:
    """A listening socket on [::1]:port that does not also take IPv4."""
    sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((V6, port))
        sock.listen(64)
    except BaseException:
        sock.close()
        raise
    return sock


def port_free_on_both(attempts: int = 100) -> int:
    """A port number free on 127.0.0.1 and on ::1 (at this moment)."""
    for _ in range(attempts):
        with socket.socket() as v4, socket.socket(socket.AF_INET6) as v6:
            v4.bind((V4, 0))
            port: int = v4.getsockname()[1]
            v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            with contextlib.suppress(OSError):
                v6.bind((V6, port))
                return port
    raise OSError("no port free on both 127.0.0.1 and ::1")


def write_hosts(directory: Path) -> Path:
    """A hosts file in which `localhost` is both ::1 and 127.0.0.1."""
    hosts = directory / "hosts"
    hosts.write_text(HOSTS)
    return hosts


def in_localhost_namespace(hosts: Path, command: Sequence[str], timeout: float,
                           ) -> subprocess.CompletedProcess[str]:
    """Run `command` under `unshare -rm` with `hosts` mounted over /etc/hosts."""
    unshare = shutil.which("unshare") or "unshare"
    return subprocess.run([unshare, "-rm", "sh", "-c", _MOUNT_HOSTS, str(hosts), *command],
                          capture_output=True, text=True, timeout=timeout, check=False)


def namespace_refusal(directory: Path) -> str | None:
    """Why `in_localhost_namespace` cannot work here (None when it can): unshare
    missing, or user namespaces or the bind mount not permitted."""
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    try:
        done = in_localhost_namespace(write_hosts(directory), ["true"],
                                      timeout=10)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unshare -rm cannot run: {exc}"
    if done.returncode != 0:
        return f"unshare -rm with a bind-mounted /etc/hosts is not permitted: " \
               f"{(done.stderr or done.stdout).strip()[:200]}"
    return None
