"""Validate every value a Target is made of, wherever it comes from.

Each function takes what a user typed or a file held and returns the value the
engine uses (host names as lower-case A-labels), or raises ValueError with a
one-line message fit to show as is. `what` names the field in that message.
"""

from __future__ import annotations

import ipaddress
import math
import re
import unicodedata

from cftui.engine import profile
from cftui.engine.profile import Protocol

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
#: A header name (RFC 9110 token).
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
#: What CloudFront accepts in an OriginPath besides letters and digits.
_PATH_CHARS = re.compile(r"^[A-Za-z0-9/._~!$&'()*+,;=:@%-]*$")
MAX_PATH = 255


def shown(text: object, size: int = 80) -> str:
    """A value for an error message: repr'd, non-ASCII escaped, cut short."""
    value = repr(text) if not isinstance(text, str) else repr(text[: size + 1])
    value = value.encode("ascii", "backslashreplace").decode()
    return value if len(value) <= size else value[: size - 3] + "..."


def is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip(" ").strip("[]"))
    except ValueError:
        return False
    return True


def domain(text: str, what: str = "domain") -> str:
    """A DNS host name as CloudFront takes it for an origin; returns its A-label form.

    CloudFront refuses IP addresses as an origin's DomainName (and a viewer Host is
    an alias, a name too); give the address with --connect-to instead.
    """
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a string")
    name = text.strip(" ")  # a typing accident; any other white space is refused
    if not name:
        raise ValueError(f"{what} is empty")
    if "://" in name or "/" in name:
        raise ValueError(f"{what} {shown(name)} must be a bare host name, without scheme or path")
    if is_ip(name):
        raise ValueError(f"{what} {shown(name)} is an IP address: CloudFront needs a domain "
                         "name there; give the address with --connect-to (connect_to)")
    if ":" in name:
        raise ValueError(f"{what} {shown(name)} must not contain a port "
                         "(give the port separately: --port, https_port)")
    if len(name) > 1000 or any(unicodedata.category(c)[0] in "CZ" for c in name):
        raise ValueError(f"{what} {shown(name)} is not a valid host name")
    try:
        ascii_name = name.removesuffix(".").encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise ValueError(f"{what} {shown(name)} is not a valid host name") from None
    if len(ascii_name) > 253:
        raise ValueError(f"{what} is longer than 253 characters")
    labels = ascii_name.split(".")
    if any(not _LABEL.match(label) for label in labels):
        raise ValueError(f"{what} {shown(name)} is not a valid host name")
    if labels[-1].isdigit():
        raise ValueError(f"{what} {shown(name)} is not a valid host name (numeric top label)")
    return ascii_name


def alias(text: str, what: str = "alias") -> str:
    """A distribution alias (CNAME): a host name, or `*.` and a host name."""
    if isinstance(text, str) and text.strip(" ").startswith("*."):
        return "*." + domain(text.strip(" ")[2:], what)
    return domain(text, what)


def address(text: str, what: str = "--connect-to") -> str:
    if isinstance(text, str) and is_ip(text) and len(text) < 100:
        return str(ipaddress.ip_address(text.strip(" ").strip("[]")))
    raise ValueError(f"{what} {shown(text, 60)} is not an IPv4 or IPv6 address")


def port(value: int | str, what: str = "port") -> int:
    if isinstance(value, bool):
        raise ValueError(f"{what} {shown(value)} is not a number")
    if isinstance(value, str):
        value = value.strip(" ")
        if not value.isascii() or not value.isdigit() or len(value) > 5:
            raise ValueError(f"{what} {shown(value)} is not a number between 1 and 65535")
    if not isinstance(value, (int, str)):
        raise ValueError(f"{what} {shown(value)} is not a number")
    number = int(value)
    if not 1 <= number <= 65535:
        raise ValueError(f"{what} {number} is out of range (1-65535)")
    return number


def protocols(text: str, what: str = "--protocols") -> tuple[Protocol, ...]:
    """A comma list of OriginSslProtocols, oldest first, without duplicates."""
    items = [item for item in text.split(",") if item.strip()]
    if not items:
        raise ValueError(f"{what} is empty; give e.g. TLSv1.2 or TLSv1.1,TLSv1.2")
    return protocol_list(items, what)


def protocol_list(items: list[str] | tuple[str, ...] | tuple[Protocol, ...],
                  what: str = "protocols") -> tuple[Protocol, ...]:
    if not items:
        raise ValueError(f"{what} is empty")
    parsed: set[Protocol] = set()
    for item in items:
        if isinstance(item, Protocol):
            parsed.add(item)
            continue
        try:
            parsed.add(Protocol.parse(item))
        except (ValueError, TypeError, AttributeError):
            raise ValueError(f"{what}: {shown(item, 40)} is not one of SSLv3, TLSv1, "
                             "TLSv1.1, TLSv1.2") from None
    return tuple(sorted(parsed, key=lambda p: p.wire))


def timeout(value: float | str, limits: profile.TimeoutRange, what: str, *,
            strict: bool = True) -> float:
    """A finite number of seconds: in CloudFront's documented range when `strict` (what
    a user types), or merely positive (what AWS holds may exceed it after a quota
    increase)."""
    if isinstance(value, bool):
        raise ValueError(f"{what} {shown(value)} is not a number")
    try:
        number = float(value.strip(" ") if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{what} {shown(value, 40)} is not a number") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number of seconds, not {shown(value, 20)}")
    if strict:
        return limits.validate(number, what)
    if not 0 < number <= 86400:
        raise ValueError(f"{what} must be a positive number of seconds, not {number:g}")
    return number


def origin_path(text: str, what: str = "origin_path") -> str:
    """CloudFront's OriginPath: empty, or starts with `/` and does not end with one,
    at most 255 characters of URL path characters."""
    if not isinstance(text, str):
        raise ValueError(f"{what} must be a string")
    if text == "":
        return ""
    if len(text) > MAX_PATH:
        raise ValueError(f"{what} is longer than {MAX_PATH} characters")
    if not _PATH_CHARS.match(text):
        raise ValueError(f"{what} {shown(text)} holds characters CloudFront does not allow "
                         "in an origin path (spaces, control characters, ? or #)")
    if not text.startswith("/") or text.endswith("/"):
        raise ValueError(f"{what} {shown(text)} must start with / and must not end with /")
    return text


def header_name(text: str, what: str = "header name") -> str:
    if not isinstance(text, str) or len(text) > 256 or not _TOKEN.match(text):
        raise ValueError(f"{what} {shown(text, 60)} is not a valid HTTP header name")
    return text


def label(text: str | None) -> str | None:
    """A display name: control, format and bidi characters replaced."""
    if text is None:
        return None
    return "".join("?" if unicodedata.category(c)[0] == "C" else c for c in text[:200])


def max_connections(value: object, what: str = "--max-connections") -> int:
    """Connections to one origin in flight at once: 1-256."""
    try:
        number = int(str(value), 10)
    except ValueError:
        raise ValueError(f"{what} {shown(value)} is not a whole number") from None
    if not 1 <= number <= 256:
        raise ValueError(f"{what} {number} is out of range (1-256)")
    return number
