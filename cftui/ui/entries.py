"""What the picker lists: distributions (or the demo set) and their origins, as plain data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cftui.engine.model import Target
from cftui.engine.profile import Protocol
from cftui.logs.demo import DEMO_DISTRIBUTION_ID

if TYPE_CHECKING:
    from cftui.demo.origins import DemoOrigin
    from cftui.sources.model import Distribution, Inventory, Origin


@dataclass(frozen=True)
class OriginEntry:
    """One origin in the picker; `target` is None when cftui cannot check it."""

    key: str
    name: str  # the origin id, or the demo origin's title
    domain: str
    port: int
    protocols: tuple[Protocol, ...]
    host_header: str | None
    forwards_host: bool
    target: Target | None
    note: str = ""  # why it cannot be checked, or what the demo origin shows
    host_reason: str = ""
    kind: str = "custom"
    groups: str = ""  # its place in origin groups: "primary of app-failover"
    log_key: tuple[str | None, str] | None = None  # (distribution label, origin id) in logs
    edge: str = ""  # edge functions that may change Host or origin per request

    @property
    def checkable(self) -> bool:
        return self.target is not None

    def haystack(self) -> str:
        parts = (self.name, self.domain, str(self.port), self.host_header or "", self.note,
                 self.groups)
        return " ".join(parts).lower()


@dataclass(frozen=True)
class EntryGroup:
    """A distribution (or the demo set) holding origins."""

    key: str
    title: str  # distribution id
    subtitle: str  # aliases, comment
    entries: tuple[OriginEntry, ...]

    def haystack(self) -> str:
        return f"{self.title} {self.subtitle}".lower()


@dataclass(frozen=True)
class AdhocDefaults:
    """Defaults the ad-hoc origin form starts from."""

    port: int = 443
    protocols: tuple[Protocol, ...] = (Protocol.TLSv1_2,)
    ca_file: str | None = None
    connect_timeout: float | None = None
    read_timeout: float | None = None


@dataclass(frozen=True)
class PickerEntries:
    """Everything the picker shows, from one source."""

    groups: tuple[EntryGroup, ...] = ()
    source: str = ""
    notes: tuple[str, ...] = ()
    adhoc: AdhocDefaults = field(default_factory=AdhocDefaults)

    @classmethod
    def from_inventory(cls, inventory: Inventory, **overrides: Any) -> PickerEntries:
        """Every distribution and origin of an Inventory; overrides go to Origin.to_target."""
        groups = tuple(_group(d, i, overrides) for i, d in enumerate(inventory.distributions))
        return cls(groups, inventory.source, tuple(inventory.notes),
                   AdhocDefaults(ca_file=overrides.get("ca_file")))

    @classmethod
    def from_demo(cls, origins: Iterable[DemoOrigin]) -> PickerEntries:
        """The demo origins as one group."""
        origins = list(origins)
        entries = tuple(
            OriginEntry(key=f"demo/{o.key}", name=o.title, domain=o.target.domain,
                        port=o.target.port, protocols=o.target.protocols,
                        host_header=o.target.host_header,
                        forwards_host=o.target.host_header is not None,
                        target=o.target, note=o.description,
                        log_key=(DEMO_DISTRIBUTION_ID, o.key))
            for o in origins
        )
        ca_file = origins[0].target.ca_file if origins else None
        group = EntryGroup("demo", "demo", "loopback origins, broken on purpose", entries)
        return cls((group,), "demo", (), AdhocDefaults(ca_file=ca_file))

    def entries(self) -> Iterator[OriginEntry]:
        for group in self.groups:
            yield from group.entries

    def filtered(self, text: str) -> PickerEntries:
        """Groups and origins matching every word of `text` (case-insensitive)."""
        words = text.lower().split()
        if not words:
            return self
        groups = []
        for group in self.groups:
            head = group.haystack()
            keep = tuple(e for e in group.entries
                         if all(w in head or w in e.haystack() for w in words))
            if keep:
                groups.append(EntryGroup(group.key, group.title, group.subtitle, keep))
        return PickerEntries(tuple(groups), self.source, self.notes, self.adhoc)

    def find(self, target: Target) -> OriginEntry | None:
        return next((e for e in self.entries() if e.target == target), None)

    def for_logs(self, distribution: str | None, origin: str | None) -> OriginEntry | None:
        """The origin a log group was attributed to."""
        if origin is None:
            return None
        return next((e for e in self.entries() if e.log_key == (distribution, origin)), None)


def _group(dist: Distribution, index: int, overrides: dict[str, Any]) -> EntryGroup:
    subtitle = ", ".join((*dist.aliases, dist.name, *dist.tags) if dist.name
                         else (*dist.aliases, *dist.tags))
    key = f"dist{index}:{dist.label}"
    return EntryGroup(key, dist.label, subtitle,
                      tuple(_entry(o, key, overrides, _roles(dist, o.id), dist.label)
                            for o in dist.origins))


def _roles(dist: Distribution, origin_id: str) -> str:
    """Where CloudFront fails over: "primary of app-failover", "secondary of …"."""
    return ", ".join(f"{'primary' if g.primary == origin_id else 'secondary'} of {g.id}"
                     for g in dist.groups_of(origin_id))


def _entry(origin: Origin, group_key: str, overrides: dict[str, Any],
           groups: str = "", distribution: str | None = None) -> OriginEntry:
    target = origin.to_target(**overrides) if origin.checkable else None
    return OriginEntry(
        key=f"{group_key}/{origin.id}",
        name=origin.id,
        domain=origin.domain,
        port=target.port if target else origin.https_port,
        protocols=target.protocols if target else origin.ssl_protocols,
        host_header=origin.host_header,
        forwards_host=origin.forwards_host,
        target=target,
        note=origin.uncheckable_reason or "",
        host_reason=origin.host_forwarding_reason,
        kind=origin.kind,
        groups=groups,
        log_key=(distribution, origin.id),
        edge=("edge functions may change Host or origin: " + "; ".join(origin.edge_functions)
              if origin.edge_functions else ""),
    )
