"""`cftui --config FILE`: distributions and origins written by hand in TOML.

The format is documented in docs/sources.md, with examples/cftui.toml. Unknown
keys are errors: in a hand-written file a typo (`https_prot`) must not pass.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

from cftui.engine import files, profile, targets, validate
from cftui.engine.profile import Protocol
from cftui.sources import guard
from cftui.sources.host_forwarding import viewer_hosts
from cftui.sources.model import (
    ORIGIN_KINDS,
    PROTOCOL_POLICIES,
    Distribution,
    Inventory,
    Origin,
    OriginGroup,
)
from cftui.sources.reader import Node, SourceError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

CONFIG_NAME = "cftui.toml"
_DISTRIBUTION_KEYS = ("id", "name", "domain_name", "aliases", "origin", "origin_group")
_ORIGIN_KEYS = (
    "id", "domain", "kind", "https_port", "http_port", "protocol_policy", "protocols",
    "connect_timeout", "read_timeout", "attempts", "host_header", "forward_host",
    "origin_path", "connect_to", "ca_file", "ip_address_type", "client_cert", "client_key",
    "http_version", "response_completion_timeout",
)
_GROUP_KEYS = ("id", "primary", "secondary", "failover_status_codes")
_TOML_POSITION = re.compile(r"\s*\(at (line \d+, column \d+)\)$")


def find_config(explicit: Path | str | None = None) -> Path | None:
    """The config to use: explicit, ./cftui.toml, then $XDG_CONFIG_HOME/cftui/config.toml."""
    if explicit is not None:
        return Path(explicit).expanduser()
    local = Path.cwd() / CONFIG_NAME
    if local.is_file():
        return local
    xdg = os.environ.get("XDG_CONFIG_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".config"
    user = base / "cftui" / "config.toml"
    return user if user.is_file() else None


def load_config(path: Path | str) -> Inventory:
    path = Path(path)
    source = str(path)
    try:
        text = files.read_regular(path, files.CONFIG_LIMIT).decode("utf-8-sig")
    except files.FileError as exc:
        raise SourceError(str(exc), file=source) from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 text: {exc.reason} at byte {exc.start}",
                          file=source) from None
    guard.check_toml(text, source)
    try:
        doc = tomllib.loads(text)
    except (ValueError, RecursionError) as exc:  # TOMLDecodeError; int() past 4300 digits
        message = str(exc)
        position = _TOML_POSITION.search(message)
        raise SourceError(f"invalid TOML: {_TOML_POSITION.sub('', message)}", file=source,
                          place=position.group(1) if position else None) from None
    root = Node(doc, source)
    root.only_keys(["distribution"])
    tables = root["distribution"]
    if not tables.present:
        raise SourceError("no [[distribution]] table (see examples/cftui.toml)", file=source)
    base = path.parent
    dists = tuple(_distribution(node, base) for node in _tables(tables, "[[distribution]]"))
    _unique([d.id or d.name for d in dists], tables, "distribution")
    return Inventory(distributions=dists, source=source)


def _distribution(node: Node, base: Path) -> Distribution:
    node.only_keys(_DISTRIBUTION_KEYS)
    dist_id = node["id"].optional_string()
    name = node["name"].string(default="")
    if not dist_id and not name:
        raise node.error("a distribution needs an id or a name")
    aliases = tuple(a.checked(validate.alias) for a in node["aliases"].items()) if node[
        "aliases"].present else ()
    domain_name = (_hostname(node["domain_name"], "domain_name")
                   if node["domain_name"].present else None)
    origins_node = node["origin"]
    if not origins_node.present or not origins_node.value:
        raise origins_node.error("a distribution needs at least one [[distribution.origin]]")
    label = dist_id or name
    origins = tuple(_origin(o, base, label, aliases, domain_name)
                    for o in _tables(origins_node, "[[distribution.origin]]"))
    _unique([o.id for o in origins], origins_node, "origin")
    groups_node = node["origin_group"]
    groups = tuple(_group(g, {o.id for o in origins})
                   for g in _tables(groups_node, "[[distribution.origin_group]]")
                   ) if groups_node.present else ()
    return Distribution(id=dist_id, name=name, domain_name=domain_name, aliases=aliases,
                        origins=origins, origin_groups=groups, source=node.file)


def _origin(node: Node, base: Path, label: str, aliases: tuple[str, ...],
            domain_name: str | None) -> Origin:
    node.only_keys(_ORIGIN_KEYS)
    kind = _choice(node["kind"], ORIGIN_KINDS, "custom")
    policy = _choice(node["protocol_policy"], PROTOCOL_POLICIES, "https-only")
    host_header, forwards, reason, hosts = _host(node, aliases, domain_name)
    ca_file = node["ca_file"].optional_string()
    return Origin(
        id=node["id"].string(empty=False),
        domain=_hostname(node["domain"], "domain"),
        kind=kind,  # type: ignore[arg-type]
        https_port=node["https_port"].integer(default=443, low=1, high=65535),
        http_port=node["http_port"].integer(default=80, low=1, high=65535),
        protocol_policy=policy,  # type: ignore[arg-type]
        ssl_protocols=_protocols(node["protocols"]),
        connect_timeout=_timeout(node["connect_timeout"], profile.CONNECTION_TIMEOUT),
        read_timeout=_timeout(node["read_timeout"], profile.ORIGIN_READ_TIMEOUT),
        connection_attempts=node["attempts"].integer(
            default=3, low=int(profile.CONNECTION_ATTEMPTS.low),
            high=int(profile.CONNECTION_ATTEMPTS.high)),
        host_header=host_header,
        forwards_host=forwards,
        host_forwarding_reason=reason,
        viewer_hosts=hosts,
        origin_path=node["origin_path"].checked(validate.origin_path) if node[
            "origin_path"].present else "",
        connect_to=_addresses(node["connect_to"]),
        ca_file=_ca_file(node["ca_file"], base, ca_file),
        distribution=label,
        **_origin_settings(node, base),
    )


def _origin_settings(node: Node, base: Path) -> dict[str, Any]:
    """ip_address_type, client_cert + client_key, http_version, response_completion_timeout."""
    out: dict[str, Any] = {}
    for key, allowed in (("ip_address_type", profile.IP_ADDRESS_TYPES),
                         ("http_version", profile.HTTP_VERSIONS)):
        if node[key].present:
            out[key] = _choice(node[key], allowed, allowed[0])
    cert, key_file = (node["client_cert"].optional_string(),
                       node["client_key"].optional_string())
    if (cert is None) != (key_file is None):
        raise node.error("client_cert and client_key go together")
    if cert is not None and key_file is not None:
        paths = [os.path.abspath(base / Path(p).expanduser()) for p in (cert, key_file)]
        try:
            from cftui.engine.x509 import client  # cryptography: only for mTLS

            client.load(paths[0], paths[1])
        except ValueError as exc:
            raise node["client_cert"].error(str(exc)) from None
        out.update(client_cert=paths[0], client_key=paths[1])
    completion = node["response_completion_timeout"]
    if completion.present:
        out["response_completion_timeout"] = completion.number(low=1, high=86400, unit="s")
    return out


def _host(node: Node, aliases: tuple[str, ...],
          domain_name: str | None) -> tuple[str | None, bool, str, tuple[str, ...]]:
    header = node["host_header"]
    forward = node["forward_host"].boolean(default=header.present)
    if header.present:
        if not forward:
            raise node["forward_host"].error("is false but host_header is set; drop one")
        host = _hostname(header, "host_header")
        return host, True, "host_header set in the config", (host,)
    if not forward:
        return (None, False, "forward_host not set: CloudFront sends the origin domain as Host",
                ())
    hosts, why = viewer_hosts(aliases, domain_name)
    if not hosts:
        raise node["forward_host"].error("needs the distribution's aliases or domain_name to "
                                         "know the viewer Host; or set host_header")
    return hosts[0], True, f"forward_host = true; {why}", hosts


def _protocols(node: Node) -> tuple[Protocol, ...]:
    if not node.present:
        return profile.DEFAULT_PROTOCOLS
    found: list[Protocol] = []
    for item in node.items():
        try:
            protocol = Protocol.parse(item.string())
        except ValueError as exc:
            raise item.error(str(exc)) from None
        if protocol not in found:
            found.append(protocol)
    if not found:
        raise node.error("must list at least one protocol, e.g. [\"TLSv1.2\"]")
    return tuple(found)


def _group(node: Node, origin_ids: set[str]) -> OriginGroup:
    node.only_keys(_GROUP_KEYS)
    members = []
    for key in ("primary", "secondary"):
        member = node[key].string(empty=False)
        if member not in origin_ids:
            raise node[key].error(f"no origin {member!r} in this distribution "
                                  f"(origins: {', '.join(sorted(origin_ids))})")
        members.append(member)
    codes = tuple(c.integer(low=100, high=599) for c in node["failover_status_codes"].items()
                  ) if node["failover_status_codes"].present else ()
    return OriginGroup(node["id"].string(empty=False), members[0], members[1], codes)


def _tables(node: Node, header: str) -> list[Node]:
    """An array of tables; a single table ([x] instead of [[x]]) gets a hint."""
    if isinstance(node.value, dict):
        raise node.error(f"write {header} with double brackets: it is a list of tables")
    items = list(node.items())
    for item in items:
        if not isinstance(item.value, dict):
            raise item.error(f"expected a table ({header})")
    return items


def _choice(node: Node, allowed: tuple[str, ...], default: str) -> str:
    value = node.string(default=default)
    if value not in allowed:
        raise node.error(f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _timeout(node: Node, limits: profile.TimeoutRange) -> float:
    return node.number(default=limits.default, low=limits.low, high=limits.high, unit="s")


def _hostname(node: Node, what: str = "host name") -> str:
    """A host name as an A-label (IP addresses refused: CloudFront needs a name)."""
    node.string(empty=False)
    return node.checked(validate.domain, what)


def _ca_file(node: Node, base: Path, name: str | None) -> str | None:
    if not name:
        return None
    try:
        return targets.ca_file(os.path.abspath(base / Path(name).expanduser()))
    except (ValueError, RuntimeError) as exc:
        raise node.error(str(exc)) from None


def _addresses(node: Node) -> tuple[str, ...]:
    if not node.present:
        return ()
    items = [node] if isinstance(node.value, str) else list(node.items())
    return tuple(item.checked(validate.address, "connect_to") for item in items)


def _unique(ids: list[str], node: Node, what: str) -> None:
    seen: set[str] = set()
    for position, item in enumerate(ids):
        if item in seen:
            raise node.index(position).error(f"duplicate {what} {item!r}")
        seen.add(item)
