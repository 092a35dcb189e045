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


_FAMILIES = {"ipv4": (socket.AF_INET,), "ipv6": (socket.AF_INET6,),
             "dualstack": (socket.AF_INET, socket.AF_INET6)}
_RECORDS = {socket.AF_INET: "A", socket.AF_INET6: "AAAA"}


def pick(domain: str, infos: list[Any], ip_address_type: str = "dualstack") -> tuple[str, ...]:
    """The addresses of `infos` (getaddrinfo's answer) in the families CloudFront uses
    for `ip_address_type`, IPv4 first, without duplicates; ResolveError when none is left."""
    families = _FAMILIES[ip_address_type]
    seen: dict[str, int] = {}
    other: list[str] = []
    for family, _, _, _, sockaddr in infos:
        if family in families:
            seen.setdefault(str(sockaddr[0]), 0 if family == socket.AF_INET else 1)
        elif family in _RECORDS:
            other.append(str(sockaddr[0]))
    if not seen:
        if other:
            wanted = " or ".join(_RECORDS[f] for f in families)
            raise ResolveError(f"{domain} has no {wanted} record, and CloudFront's IpAddressType "
                               f"{ip_address_type} uses only those (it resolves to "
                               f"{', '.join(dict.fromkeys(other))})")
        raise ResolveError(f"{domain} has no A or AAAA records")
    return tuple(sorted(seen, key=lambda a: seen[a]))


def resolve(domain: str, port: int, timeout: float,
            cancel: threading.Event | None = None,
            ip_address_type: str = "dualstack") -> tuple[str, ...]:
    """A and AAAA addresses of `domain` in the families of `ip_address_type`, IPv4
    first, without duplicates.

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
    return pick(domain, infos, ip_address_type)


#: Where CloudFront cannot connect from the internet: private (RFC 1918), loopback,
#: link-local, CGNAT (RFC 6598), "this network", unique-local (fc00::/7).
NOT_PUBLIC = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16",
    "100.64.0.0/10", "0.0.0.0/8", "::1/128", "::/128", "fe80::/10", "fc00::/7"))


def is_public(address: str) -> bool:
    """Whether CloudFront could reach `address` from the internet as far as its range
    says: not private, loopback, link-local, CGNAT or unique-local."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not any(ip.version == net.version and ip in net for net in NOT_PUBLIC)
