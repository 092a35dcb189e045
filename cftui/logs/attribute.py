"""Which distribution and origin served a request: CloudFront's cache behaviours, replayed.

The sources model (cftui.sources) keeps distributions and origins but not cache
behaviours, so attribution runs against its own small interface, DistributionRoutes:
the CacheBehaviors (path pattern, target origin id) in precedence order, then the
default behaviour's origin. `routes_from_inventory` fills it from an Inventory plus,
for AWS CLI exports, the behaviours read from the same JSON file.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from cftui.logs.parse import LogRecord
from cftui.sources.model import Inventory


@dataclass(frozen=True)
class CacheBehaviour:
    path_pattern: str  # PathPattern: `*` any run of characters, `?` one; case-sensitive
    target_origin_id: str  # an origin id or an origin group id


@dataclass(frozen=True)
class DistributionRoutes:
    """One distribution as attribution sees it."""

    label: str  # how reports name it: id, else name
    distribution_id: str | None = None
    hosts: tuple[str, ...] = ()  # domain name and aliases (`*.example.com` allowed)
    behaviours: tuple[CacheBehaviour, ...] = ()  # CacheBehaviors, in CloudFront's order
    default_origin_id: str | None = None  # DefaultCacheBehavior; None when not known

    def origin_for(self, uri_stem: str) -> str | None:
        """The first behaviour whose pattern matches the path wins, then the default."""
        for behaviour in self.behaviours:
            if path_matches(behaviour.path_pattern, uri_stem):
                return behaviour.target_origin_id
        return self.default_origin_id

    def serves(self, host: str) -> bool:
        return any(_host_matches(pattern, host) for pattern in self.hosts)


@dataclass(frozen=True)
class Attribution:
    distribution: str | None  # a DistributionRoutes label, or the id from the file name
    host: str | None  # set when no distribution of the config matched: grouped by host
    origin: str | None  # None: not attributed (no config, or the behaviours are unknown)


def path_matches(pattern: str, path: str) -> bool:
    """CloudFront's PathPattern test; a leading `/` on the pattern is optional."""
    return _compiled(pattern).fullmatch(path) is not None


@functools.lru_cache(maxsize=512)
def _compiled(pattern: str) -> re.Pattern[str]:
    if not pattern.startswith(("/", "*")):
        pattern = "/" + pattern
    parts = [".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern]
    return re.compile("".join(parts), re.DOTALL)


def _host_matches(pattern: str, host: str) -> bool:
    if pattern.startswith("*."):
        suffix = pattern[1:]
        return (len(host) > len(suffix) and host.endswith(suffix)
                and "." not in host[: -len(suffix)])
    return host == pattern


class Attributor:
    """Maps records to (distribution, origin); without routes, to (file id, host)."""

    def __init__(self, routes: Sequence[DistributionRoutes] = ()):
        self.routes = tuple(routes)
        self._by_id = {r.distribution_id: r for r in self.routes if r.distribution_id}
        self._by_host: dict[str, DistributionRoutes | None] = {}

    def attribute(self, record: LogRecord, file_distribution: str | None) -> Attribution:
        dist_id = record.distribution_id or file_distribution
        routes = self._by_id.get(dist_id) if dist_id else None
        if routes is None and self.routes:
            routes = self._for_host(record.host)
        if routes is None:
            return Attribution(dist_id, record.host or "-", None)
        return Attribution(routes.label, None, routes.origin_for(record.uri_stem))

    def _for_host(self, host: str) -> DistributionRoutes | None:
        if host not in self._by_host:
            if len(self._by_host) > 4096:  # hosts come from viewers: keep the cache bounded
                self._by_host.clear()
            self._by_host[host] = next((r for r in self.routes if r.serves(host)), None)
        return self._by_host[host]


def routes_from_inventory(inventory: Inventory
                          ) -> tuple[list[DistributionRoutes], list[str]]:
    """Routes for every distribution, and notes on what could not be attributed.

    A distribution read from an AWS export carries its cache behaviours; without them, a
    distribution with a single origin sends everything there.
    """
    routes: list[DistributionRoutes] = []
    notes: list[str] = []
    for dist in inventory.distributions:
        hosts = tuple(h.lower() for h in (dist.domain_name, *dist.aliases) if h)
        if dist.default_origin is not None:
            ordered = tuple(CacheBehaviour(p, o) for p, o in dist.behaviours)
            default: str | None = dist.default_origin
        else:
            ordered, default = (), (dist.origins[0].id if len(dist.origins) == 1 else None)
            if default is None:
                notes.append(f"{dist.label}: the config holds no cache behaviours; its "
                             f"requests are not attributed to one of its "
                             f"{len(dist.origins)} origins (use --import with the "
                             "get-distribution output)")
        if not hosts and not dist.id:
            notes.append(f"{dist.label}: no id, domain_name or aliases to match log lines")
        routes.append(DistributionRoutes(dist.label, dist.id, hosts, ordered, default))
    return routes, notes
