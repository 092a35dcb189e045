"""Resolve the origin domain to every address CloudFront might connect to."""

from __future__ import annotations

import ipaddress
import queue
import socket
import threading
import time
from typing import Any

from cftui.engine.net.connect import SLICE, Cancelled


class ResolveError(Exception):
    """The domain does not resolve (or not in time)."""


def is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def resolve(domain: str, port: int, timeout: float,
            cancel: threading.Event | None = None) -> tuple[str, ...]:
    """A and AAAA addresses of `domain`, IPv4 first, without duplicates.

    getaddrinfo has no timeout of its own, so it runs in a daemon thread (which
    never holds up exit) and the caller waits at most `timeout` seconds.
    """
    if is_address(domain):
        return (domain,)
    answers: queue.Queue[tuple[list[Any], BaseException | None]] = queue.Queue(maxsize=1)

    def lookup() -> None:
        try:
            answers.put((socket.getaddrinfo(domain, port, 0, socket.SOCK_STREAM), None))
        except BaseException as exc:  # handed to the caller
            answers.put(([], exc))

    threading.Thread(target=lookup, name="dns", daemon=True).start()
    deadline = time.monotonic() + timeout
    while True:
        if cancel is not None and cancel.is_set():
            raise Cancelled
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ResolveError(f"no answer for {domain} within {timeout:g} s")
        try:
            infos, error = answers.get(timeout=min(remaining, SLICE))
            break
        except queue.Empty:
            continue
    if isinstance(error, socket.gaierror):
        raise ResolveError(f"{domain} does not resolve: {error.strerror or error}") from error
    if error is not None:
        raise ResolveError(f"{domain} cannot be resolved: {error}") from error
    seen: dict[str, int] = {}
    for family, _, _, _, sockaddr in infos:
        seen.setdefault(str(sockaddr[0]), 0 if family == socket.AF_INET else 1)
    if not seen:
        raise ResolveError(f"{domain} has no A or AAAA records")
    return tuple(sorted(seen, key=lambda a: seen[a]))
