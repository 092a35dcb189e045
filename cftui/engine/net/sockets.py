"""How every connection of a check is started: one place for the socket options.

Import-light (the command line opens the first connections with it before the engine
loads: engine/net/early.py)."""

from __future__ import annotations

import socket


def family_of(address: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def start_connect(sock: socket.socket, address: str, port: int) -> int:
    """Nagle off, non-blocking, connecting: connect_ex's errno (0: connected already;
    EINPROGRESS or EAGAIN: on its way; anything else: failed). Raises OSError where the
    socket refuses an option or the address."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setblocking(False)
    return sock.connect_ex((address, port))
