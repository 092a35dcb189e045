"""Validate what a user types (domain, port, protocols, timeouts) into Target values.

Every function raises ValueError with a one-line message fit to show as is.
"""

from __future__ import annotations

import ipaddress
import re

from cftui.engine import profile
from cftui.engine.profile import Protocol

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def domain(text: str, what: str = "domain") -> str:
    """A DNS host name as CloudFront takes it for an origin (IP addresses are refused
    by CloudFront, but allowed here for testing). Returns the IDNA ASCII form."""
    name = text.strip()
    shown = name.encode("ascii", "backslashreplace").decode()[:80]
    if not name:
        raise ValueError(f"{what} is empty")
    if "://" in name or "/" in name:
        raise ValueError(f"{what} {shown!r} must be a bare host name, without scheme or path")
    try:
        ipaddress.ip_address(name)
        return name
    except ValueError:
        pass
    if ":" in name:
        raise ValueError(f"{what} {shown!r} must not contain a port; use --port")
    try:
        ascii_name = name.rstrip(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueError(f"{what} {shown!r} is not a valid host name") from None
    if len(ascii_name) > 253:
        raise ValueError(f"{what} is longer than 253 characters")
    labels = ascii_name.split(".")
    if any(not _LABEL.match(label) for label in labels):
        raise ValueError(f"{what} {shown!r} is not a valid host name")
    if labels[-1].isdigit():
        raise ValueError(f"{what} {shown!r} is not a valid host name (numeric top label)")
    return ascii_name


def address(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        shown = text.encode("ascii", "backslashreplace").decode()[:60]
        raise ValueError(f"--connect-to {shown!r} is not an IPv4 or IPv6 address") from None


def port(value: int | str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"port {value!r} is not a number") from None
    if not 1 <= number <= 65535:
        raise ValueError(f"port {number} is out of range (1-65535)")
    return number


def protocols(text: str) -> tuple[Protocol, ...]:
    """A comma list of OriginSslProtocols, oldest first, without duplicates."""
    items = [item for item in text.split(",") if item.strip()]
    if not items:
        raise ValueError("--protocols is empty")
    parsed = {Protocol.parse(item) for item in items}
    return tuple(sorted(parsed, key=lambda p: p.wire))


def timeout(value: float | str, limits: profile.TimeoutRange, what: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} {value!r} is not a number") from None
    return limits.validate(number, what)
