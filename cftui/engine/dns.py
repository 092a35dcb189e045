"""Resolve the origin domain to every address CloudFront might connect to."""

from __future__ import annotations

import ipaddress
import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="dns")


class ResolveError(Exception):
    """The domain does not resolve (or not in time)."""


def is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def resolve(domain: str, port: int, timeout: float) -> tuple[str, ...]:
    """A and AAAA addresses of `domain`, IPv4 first, without duplicates.

    getaddrinfo has no timeout of its own, so it runs in a small pool and the
    caller waits at most `timeout` seconds.
    """
    if is_address(domain):
        return (domain,)
    future = _pool.submit(socket.getaddrinfo, domain, port, 0, socket.SOCK_STREAM)
    try:
        infos = future.result(timeout=timeout)
    except FutureTimeout as exc:
        raise ResolveError(f"no answer for {domain} within {timeout:g} s") from exc
    except socket.gaierror as exc:
        raise ResolveError(f"{domain} does not resolve: {exc.strerror or exc}") from exc
    except (UnicodeError, ValueError, OSError) as exc:
        raise ResolveError(f"{domain} cannot be resolved: {exc}") from exc
    seen: dict[str, int] = {}
    for family, _, _, _, sockaddr in infos:
        seen.setdefault(str(sockaddr[0]), 0 if family == socket.AF_INET else 1)
    if not seen:
        raise ResolveError(f"{domain} has no A or AAAA records")
    return tuple(sorted(seen, key=lambda a: seen[a]))
