"""The one way to build a Target from input: every value validated, names as A-labels.

Used by the command line, the app's ad-hoc form and `Origin.to_target` (TOML,
AWS exports, live AWS). Sources validate as they read, to name the file and the
place; this factory checks the assembled Target again so that no path can hand
the engine a value it did not check. Command-line options are layered on top of
a source's values by `layer`, the same way for every path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cftui.engine import files, profile, validate
from cftui.engine.target import Target

#: The keys `layer` and `make_target` take besides `domain`.
OPTION_KEYS = frozenset({
    "port", "protocols", "host_header", "connect_to", "ca_file", "connect_timeout",
    "read_timeout", "connection_attempts", "http", "path", "label", "max_connections",
    "ip_address_type", "mtls", "client_cert", "client_key", "http_version",
    "response_completion_timeout",
    "host_header_source", "notes", "edge_functions",
})


def request_path(origin_path: str, what: str = "origin_path") -> str:
    """The path CloudFront requests for `/` under an OriginPath."""
    return validate.origin_path(origin_path, what) + "/"


def _path(text: str) -> str:
    if text == "/":
        return text
    if not isinstance(text, str) or not text.endswith("/"):
        raise ValueError(f"path {validate.shown(text)} must end with /")
    return request_path(text[:-1], "path")


def make_target(domain: str, *, strict: bool = True, **options: Any) -> Target:
    """A validated Target. `strict`: timeouts within CloudFront's documented ranges
    (what a user types); otherwise any finite positive value (what AWS holds).
    Raises ValueError with a one-line message."""
    unknown = set(options) - OPTION_KEYS
    if unknown:
        raise TypeError(f"unknown option(s): {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {"domain": validate.domain(domain, "domain")}
    if options.get("port") is not None:
        values["port"] = validate.port(options["port"], "port")
    if options.get("protocols") is not None:
        values["protocols"] = validate.protocol_list(tuple(options["protocols"]), "protocols")
    if options.get("host_header") is not None:
        values["host_header"] = validate.domain(options["host_header"], "Host header")
    if options.get("connect_to") is not None:
        values["connect_to"] = _addresses(options["connect_to"])
    if options.get("ca_file") is not None:
        values["ca_file"] = ca_file_name(options["ca_file"])
    for key, limits, what in (
        ("connect_timeout", profile.CONNECTION_TIMEOUT, "connect timeout"),
        ("read_timeout", profile.ORIGIN_READ_TIMEOUT, "read timeout"),
    ):
        if options.get(key) is not None:
            values[key] = validate.timeout(options[key], limits, what, strict=strict)
    attempts = options.get("connection_attempts")
    if attempts is not None:
        if isinstance(attempts, bool) or not isinstance(attempts, int) or \
                not 1 <= attempts <= int(profile.CONNECTION_ATTEMPTS.high):
            raise ValueError(f"connection attempts {validate.shown(attempts)} must be 1-3")
        values["connection_attempts"] = attempts
    if options.get("http") is not None:
        values["http"] = bool(options["http"])
    if options.get("path") is not None:
        values["path"] = _path(options["path"])
    if options.get("label") is not None:
        values["label"] = validate.label(str(options["label"]))
    if options.get("max_connections") is not None:
        values["max_connections"] = validate.max_connections(options["max_connections"])
    for key in ("notes", "edge_functions"):
        if options.get(key) is not None:
            values[key] = _texts(options[key], key)
    if options.get("host_header_source") is not None:
        values["host_header_source"] = _text(options["host_header_source"], "host_header_source")
    values.update(_origin_settings(options, values.get("read_timeout",
                                                      profile.ORIGIN_READ_TIMEOUT.default)))
    return Target(**values)


def _origin_settings(options: Mapping[str, Any], read_timeout: float) -> dict[str, Any]:
    """IpAddressType, origin mTLS, OriginHttpVersion, ResponseCompletionTimeout."""
    values: dict[str, Any] = {}
    for key, allowed, what in (("ip_address_type", profile.IP_ADDRESS_TYPES, "IpAddressType"),
                               ("http_version", profile.HTTP_VERSIONS, "OriginHttpVersion")):
        if options.get(key) is not None:
            if options[key] not in allowed:
                raise ValueError(f"{what} {validate.shown(options[key])} must be one of "
                                 f"{', '.join(allowed)}")
            values[key] = options[key]
    cert, key_file = options.get("client_cert"), options.get("client_key")
    if (cert is None) != (key_file is None):
        raise ValueError("origin mTLS needs both a client certificate and its key")
    if cert is not None:
        from cftui.engine.x509 import client

        for path, what in ((cert, "client certificate"), (key_file, "client key")):
            if not isinstance(path, str) or not path.strip() or "\x00" in path:
                raise ValueError(f"{what} {validate.shown(path)} is not a file name")
        client.load(cert, str(key_file))
        values.update(client_cert=cert, client_key=key_file, mtls=True)
    elif options.get("mtls") is not None:
        values["mtls"] = bool(options["mtls"])
    completion = options.get("response_completion_timeout")
    if completion is not None:
        limits = profile.TimeoutRange(read_timeout, read_timeout, float("inf"))
        value = validate.timeout(completion, limits, "response completion timeout",
                                 strict=False)
        if value < read_timeout:
            raise ValueError(f"response completion timeout {value:g} s must be at least the "
                             f"read timeout ({read_timeout:g} s)")
        values["response_completion_timeout"] = value
    return values


#: Source texts shown in reports: capped so a hostile file cannot flood them.
_TEXT_LIMIT, _TEXTS_LIMIT = 1000, 100


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{what} {validate.shown(value)} is not text")
    return value[:_TEXT_LIMIT]


def _texts(values: Iterable[str], what: str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = (values,)
    return tuple(dict.fromkeys(_text(v, what) for v in values))[:_TEXTS_LIMIT]


def layer(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A source's values with the command line's on top (None: not given, keep base)."""
    merged = dict(base)
    merged.update({k: v for k, v in overrides.items() if v is not None})
    return merged


def ca_file_name(path: str) -> str:
    """A CA bundle path, checked as a name only (`ca_file` checks the file where the
    path enters: the command line, the config)."""
    if not isinstance(path, str) or not path.strip() or "\x00" in path or len(path) > 4096:
        raise ValueError(f"CA file {validate.shown(path)} is not a file name")
    return path


def ca_file(path: str) -> str:
    """A CA bundle path that names a regular file under the size cap."""
    ca_file_name(path)
    try:
        files.check_regular(path, files.CA_FILE_LIMIT)
    except files.FileError as exc:
        raise ValueError(f"CA file {validate.shown(path, 120)}: {exc}") from None
    return path


def _addresses(items: Iterable[str]) -> tuple[str, ...]:
    if isinstance(items, str):
        items = (items,)
    found = tuple(validate.address(a, "connect-to address") for a in items)
    return tuple(dict.fromkeys(found))
