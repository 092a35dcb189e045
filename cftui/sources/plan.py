"""What `cftui check` runs for a distribution: one Target per origin and Host, and the
origin groups to judge as a whole from their members' reports."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cftui.engine.target import Target

if TYPE_CHECKING:  # not loaded for a plain DOMAIN: the verdict loads while checks run
    from cftui.engine.verdict.group import GroupSpec
    from cftui.sources.model import Distribution, Origin


@dataclass(frozen=True)
class CheckPlan:
    targets: tuple[Target, ...]
    members: tuple[str, ...]  # the origin id of each target, same order
    groups: tuple[GroupSpec, ...] = ()
    unchecked: Mapping[str, str] = field(default_factory=dict)  # origin id -> why not


def plan(dist: Distribution, origins: Sequence[Origin], overrides: Mapping[str, Any],
         ) -> CheckPlan:
    """Targets for `origins` (each alias of a Host-forwarding origin on its own) and the
    groups of `dist` that hold any of them. Raises ValueError naming the origin."""
    targets: list[Target] = []
    members: list[str] = []
    deployment = tuple(f"{dist.label}: {tag}" for tag in dist.deployment_tags)
    for origin in origins:
        try:
            made = origin.to_targets(**{**overrides, "notes": origin.notes + deployment}
                                     if deployment else overrides)
        except ValueError as exc:
            raise ValueError(f"{origin.label}: {exc}") from None
        targets += made
        members += [origin.id] * len(made)
    chosen = {o.id for o in origins}
    groups = tuple(g.spec(dist.label) for g in dist.origin_groups
                   if chosen & {g.primary, g.secondary})
    unchecked = {member: dist.why_unchecked(member, "not selected with --origin")
                 for g in groups for member in (g.primary, g.secondary)
                 if member is not None and member not in chosen}
    return CheckPlan(tuple(targets), tuple(members), groups, unchecked)
