"""What the picker lists: distributions (or the demo set) and their origins, as plain data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cftui.engine.profile import Protocol
from cftui.engine.results import Report
from cftui.engine.target import Target
from cftui.engine.verdict.group import GroupSpec, GroupVerdict, judge_group
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
class GroupMember:
    """One member of an origin group: its target (None: cannot be checked) and why not."""

    origin: str  # the origin id the GroupSpec names
    target: Target | None
    why_not: str = ""


@dataclass(frozen=True)
class OriginGroupEntry:
    """An origin group in the picker, judged by the engine from its members' reports."""

    key: str
    spec: GroupSpec
    members: tuple[GroupMember, ...]

    def verdict(self, reports: Mapping[Target, Report]) -> GroupVerdict:
        """engine.verdict.group.judge_group on the last report of each member."""
        by_origin: dict[str, Sequence[Report]] = {}
        unchecked: dict[str, str] = {}
        for member in self.members:
            report = reports.get(member.target) if member.target is not None else None
            if report is not None:
                by_origin[member.origin] = (report,)
            elif member.why_not:
                unchecked[member.origin] = member.why_not
        return judge_group(self.spec, by_origin, unchecked)

    def first_unchecked(self, reports: Mapping[Target, Report]) -> Target | None:
        """The first checkable member without a report (primary first), else the first
        checkable member."""
        targets = [m.target for m in self.members if m.target is not None]
        return next((t for t in targets if t not in reports), targets[0] if targets else None)

    def haystack(self) -> str:
        return " ".join(("group", self.spec.id, *(m.origin for m in self.members))).lower()


@dataclass(frozen=True)
class EntryGroup:
    """A distribution (or the demo set) holding origins, and its origin groups."""

    key: str
    title: str  # distribution id
    subtitle: str  # aliases, comment
    entries: tuple[OriginEntry, ...]
    origin_groups: tuple[OriginGroupEntry, ...] = ()

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
        """The demo origins as one group; the demo's origin groups whose members are all
        present are judged from their members' reports."""
        from cftui.demo.origins import demo_groups

        origins = list(origins)
        targets = {o.key: o.target for o in origins}
        specs = demo_groups(targets)
        entries = tuple(
            OriginEntry(key=f"demo/{o.key}", name=o.title, domain=o.target.domain,
                        port=o.target.port, protocols=o.target.protocols,
                        host_header=o.target.host_header,
                        forwards_host=o.target.host_header is not None,
                        target=o.target, note=o.description,
                        groups=_roles_in(specs, o.key),
                        log_key=(DEMO_DISTRIBUTION_ID, o.key))
            for o in origins
        )
        origin_groups = tuple(
            OriginGroupEntry(f"demo/group/{g.id}", g, tuple(
                GroupMember(m, targets.get(m), "" if m in targets else "not running")
                for m in (g.primary, g.secondary) if m is not None))
            for g in specs)
        ca_file = origins[0].target.ca_file if origins else None
        group = EntryGroup("demo", "demo", "loopback origins, broken on purpose", entries,
                           origin_groups)
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
            kept = {e.target for e in keep if e.target is not None}
            origin_groups = tuple(
                g for g in group.origin_groups
                if kept & {m.target for m in g.members}
                or all(w in head or w in g.haystack() for w in words))
            if keep or origin_groups:
                groups.append(EntryGroup(group.key, group.title, group.subtitle, keep,
                                         origin_groups))
        return PickerEntries(tuple(groups), self.source, self.notes, self.adhoc)

    def find(self, target: Target) -> OriginEntry | None:
        return next((e for e in self.entries() if e.target == target), None)

    def for_logs(self, distribution: str | None, origin: str | None) -> OriginEntry | None:
        """The origin a log group was attributed to."""
        if origin is None:
            return None
        return next((e for e in self.entries() if e.log_key == (distribution, origin)), None)


def _group(dist: Distribution, index: int, overrides: dict[str, Any]) -> EntryGroup:
    # the markers first (staging of …, tenant of …): a long list of aliases is what an
    # 80-column picker cuts off
    subtitle = ", ".join((*dist.tags, *dist.aliases, dist.name) if dist.name
                         else (*dist.tags, *dist.aliases))
    key = f"dist{index}:{dist.label}"
    entries = tuple(_entry(o, key, overrides, _roles_in(dist.origin_groups, o.id), dist.label)
                    for o in dist.origins)
    targets = {e.name: e.target for e in entries}
    origin_groups = tuple(
        OriginGroupEntry(f"{key}/group/{g.id}", g.spec(dist.label),
                         tuple(GroupMember(m, targets.get(m), dist.why_unchecked(m, ""))
                               for m in (g.primary, g.secondary) if m is not None))
        for g in dist.origin_groups)
    return EntryGroup(key, dist.label, subtitle, entries, origin_groups)


def _roles_in(groups: Iterable[Any], origin_id: str) -> str:
    """Where CloudFront fails over: "primary of app-failover", "secondary of …"."""
    return ", ".join(f"{'primary' if g.primary == origin_id else 'secondary'} of {g.id}"
                     for g in groups if origin_id in (g.primary, g.secondary))


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
