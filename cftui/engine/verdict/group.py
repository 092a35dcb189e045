"""Origin groups judged as a whole: CloudFront's failover from primary to secondary.

CloudFront fails over to the secondary for GET, HEAD and OPTIONS requests when the
primary cannot be connected to, times out, or answers a status code listed in the
group's FailoverCriteria; other methods get the primary's answer. cftui counts every
blocking cause of the primary as a failover trigger: DNS, TCP, TLS and certificate
failures all leave CloudFront without a connection, and a bad response is taken as
one too (an assumption, see docs/sources.md).

Each member's own report keeps its causes; the group gets its own (`group-failing`,
`group-primary-failing`, `group-secondary-failing`). Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cftui.engine.causes import CauseCode
from cftui.engine.results import Cause, Report
from cftui.engine.verdict.build import cause

FAILOVER_METHODS = "GET, HEAD and OPTIONS"
OTHER_METHODS = "POST, PUT, PATCH and DELETE"


@dataclass(frozen=True)
class GroupSpec:
    """An origin group as the source describes it; members are origin ids."""

    id: str
    primary: str
    secondary: str | None
    failover_status_codes: tuple[int, ...] = ()
    label: str | None = None  # "distribution / group id"


@dataclass(frozen=True)
class MemberState:
    """One member: None when it was not checked; else whether CloudFront fails over
    from it (or fails with it) and what viewers see."""

    origin: str
    fails: bool | None
    answer: str  # "502 (tcp-refused)", "503 from the origin", "works", or why unchecked
    http_status: int | None = None


@dataclass(frozen=True)
class GroupVerdict:
    spec: GroupSpec
    would_fail: bool
    http_status: int | None
    primary: MemberState
    secondary: MemberState | None
    causes: tuple[Cause, ...] = ()
    notes: tuple[str, ...] = ()


def member_state(origin: str, reports: Sequence[Report], failover_codes: Sequence[int],
                 unchecked: str | None = None) -> MemberState:
    """Fails when any of its reports (one per Host checked) has a blocking cause, or
    (for failover_codes, the primary's) answers a listed status code."""
    done = [r for r in reports if not r.cancelled]
    if not done:
        return MemberState(origin, None, unchecked or "not checked")
    for report in done:
        if report.verdict.would_fail:
            first = next(c for c in report.verdict.causes if c.blocking)
            return MemberState(origin, True, f"{report.verdict.http_status} ({first.code.value})",
                               report.verdict.http_status)
    for report in done:
        for address in report.per_address:
            status = address.http.status_code if address.http else None
            if status is not None and status in failover_codes:
                return MemberState(origin, True, f"{status} from the origin, a failover status",
                                   status)
    return MemberState(origin, False, "works")


def judge_group(spec: GroupSpec, reports: Mapping[str, Sequence[Report]],
                unchecked: Mapping[str, str] | None = None) -> GroupVerdict:
    """The group's verdict from its members' reports (keyed by origin id)."""
    why = unchecked or {}
    primary = member_state(spec.primary, reports.get(spec.primary, ()),
                           spec.failover_status_codes, why.get(spec.primary))
    secondary = (member_state(spec.secondary, reports.get(spec.secondary, ()), (),
                              why.get(spec.secondary)) if spec.secondary else None)
    notes: list[str] = []
    causes: list[Cause] = []
    for member in (primary, secondary):
        if member is not None and member.fails is None:
            notes.append(f"{member.origin} was not checked: {member.answer}")
    if secondary is None:
        notes.append("the group has no secondary origin: nothing to fail over to")
    other = spec.secondary or "-"
    would_fail, status = False, None
    if primary.fails and (secondary is None or secondary.fails):
        would_fail = True
        last = secondary if secondary is not None else primary
        status = last.http_status
        causes.append(cause(
            CauseCode.GROUP_FAILING,
            f"origin group {spec.id}: the primary {spec.primary} fails ({primary.answer})"
            + (f" and so does the secondary {secondary.origin} ({secondary.answer})"
               if secondary is not None else " and there is no secondary")
            + f": viewers get {status} for every method",
            primary=spec.primary, secondary=other))
    elif primary.fails:
        assert secondary is not None
        causes.append(cause(
            CauseCode.GROUP_PRIMARY_FAILING,
            f"origin group {spec.id}: the primary {spec.primary} fails ({primary.answer}); "
            f"{FAILOVER_METHODS} requests fail over to {secondary.origin}"
            + (" (not checked)" if secondary.fails is None else " (works)")
            + f", {OTHER_METHODS} requests get {primary.http_status}",
            primary=spec.primary, secondary=other))
    elif secondary is not None and secondary.fails:
        causes.append(cause(
            CauseCode.GROUP_SECONDARY_FAILING,
            f"origin group {spec.id}: the secondary {secondary.origin} fails "
            f"({secondary.answer}); the primary {spec.primary} works, but failover would "
            "not help", primary=spec.primary, secondary=other))
    return GroupVerdict(spec, would_fail, status, primary, secondary, tuple(causes),
                        tuple(notes))
