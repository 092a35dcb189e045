"""Tree labels for the picker: distributions, origins, the ad-hoc entry, last verdicts."""

from __future__ import annotations

from textual.content import Content

from cftui.engine.results import Report
from cftui.engine.verdict.group import GroupVerdict, MemberState
from cftui.ui.entries import EntryGroup, OriginEntry, OriginGroupEntry
from cftui.ui.format import plain, safe
from cftui.ui.glyphs import Glyphs

MUTED = "$text-muted"


def group_label(group: EntryGroup) -> Content:
    parts: list[Content | tuple[str, str]] = [safe(group.title, "bold")]
    if group.subtitle:
        parts.append(("  ", ""))
        parts.append(safe(group.subtitle, MUTED))
    return Content.assemble(*parts)


def protocols_text(entry: OriginEntry) -> str:
    return ",".join(p.value for p in entry.protocols) or "TLSv1.2"


def host_text(entry: OriginEntry) -> str:
    """The Host CloudFront sends: a known name, the viewer's (forwarded) or the origin's."""
    if entry.host_header:
        return f"Host {entry.host_header}"
    return "Host from viewer" if entry.forwards_host else "Host = origin domain"


def config_places() -> list[str]:
    """Where `cftui` looks for a config when none is given (as find_config does)."""
    import os
    from pathlib import Path

    xdg = os.environ.get("XDG_CONFIG_HOME", "")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".config"
    return [str(Path.cwd() / "cftui.toml"), str(base / "cftui" / "config.toml")]


def getting_started() -> Content:
    """No config: where cftui looked, and the ways to start."""
    first, second = config_places()
    return Content.assemble(
        ("No distributions: no config found.\n", "bold"),
        ("Looked for ", "$text-muted"), plain(first), ("\n       and ", "$text-muted"),
        plain(second), "\n\nTo start:\n",
        ("  cp examples/cftui.toml ./cftui.toml", "bold"), ("   a commented example\n",
                                                          "$text-muted"),
        ("  cftui --import dists.json", "bold"),
        ("   aws cloudfront get-distribution-config output\n", "$text-muted"),
        ("  cftui --aws", "bold"), ("   list a live account's distributions\n", "$text-muted"),
        ("  ctrl+n", "bold"), ("   check one origin now, any domain\n", "$text-muted"),
    )


def origin_label(entry: OriginEntry, glyphs: Glyphs, last: Report | None = None) -> Content:
    """`id  domain:port  TLSv1.2  Host …  ✗ 502`; uncheckable origins say why, dimmed."""
    parts: list[Content | tuple[str, str]] = []
    if last is not None:
        parts += [verdict_badge(last, glyphs), ("  ", "")]
    if entry.name != entry.domain:
        parts += [safe(entry.name, "bold"), ("  ", "")]
    parts.append(safe(f"{entry.domain}:{entry.port}", "" if entry.checkable else MUTED))
    if entry.checkable:
        parts.append((f"  {protocols_text(entry)}", MUTED))
        if entry.host_header or entry.forwards_host:  # the usual Host is in the detail line
            parts += [("  ", ""), safe(host_text(entry), MUTED)]
    else:
        parts += [(f"  {entry.kind}: ", MUTED), safe(entry.note, MUTED)]
    if entry.groups:
        parts += [("  ", ""), safe(entry.groups, MUTED)]
    if entry.edge:
        parts += [("  ", ""), (f"{glyphs.warn} edge functions", "$warning")]
    return Content.assemble(*parts)


def verdict_badge(report: Report, glyphs: Glyphs) -> Content:
    verdict = report.verdict
    if report.cancelled:
        return Content.styled("cancelled", MUTED)
    if verdict.would_fail:
        return Content.styled(f"{glyphs.bad} {verdict.http_status or 502}", "$error bold")
    if verdict.causes:
        return Content.styled(f"{glyphs.warn} OK", "$warning bold")
    return Content.styled(f"{glyphs.ok} OK", "$success bold")


def adhoc_label(text: str, glyphs: Glyphs) -> Content:
    if text.strip():
        return Content.assemble(("+ check ", "bold"), safe(text.strip(), "bold"),
                                (" as an ad-hoc origin", MUTED))
    return Content.assemble(("+ ad-hoc origin", "bold"), ("  any domain, port, protocols, Host",
                                                          MUTED))


def entry_detail(entry: OriginEntry) -> Content:
    """The line under the tree describing the highlighted origin."""
    if not entry.checkable:
        return safe(entry.note, MUTED)
    parts = [f"{entry.domain}:{entry.port}", protocols_text(entry), host_text(entry)]
    if entry.groups:
        parts.append(entry.groups)
    if entry.host_reason:
        parts.append(entry.host_reason)
    if entry.note:
        parts.append(entry.note)
    if entry.edge:
        parts.append(entry.edge)
    return safe(", ".join(plain(p) for p in parts))


def _pending(member: MemberState) -> str:
    """An unchecked member: not checked yet, or why it cannot be (judge_group's answer)."""
    return "not checked yet" if member.answer == "not checked" else member.answer


def group_summary(verdict: GroupVerdict) -> tuple[str, str, str]:
    """The group's verdict in words, from judge_group's member states: the state, what
    viewers get ("" when nothing to add) and the style."""
    primary, secondary = verdict.primary, verdict.secondary
    if primary.fails is None and (secondary is None or secondary.fails is None):
        return "not checked yet", "", MUTED
    if verdict.would_fail:
        status = verdict.http_status or 502
        if secondary is None:
            return "would fail (the primary fails, no secondary)", \
                f"every method gets {status}", "$error"
        return "would fail (both members fail)", f"every method gets {status}", "$error"
    if primary.fails:
        assert secondary is not None
        if secondary.fails is None:
            return f"primary failing, secondary {_pending(secondary)}", "", "$warning"
        return ("primary failing, secondary healthy",
                f"GET/HEAD/OPTIONS fail over, other methods get {primary.http_status or 502}",
                "$warning")
    if primary.fails is None:
        state = "failing" if secondary is not None and secondary.fails else "healthy"
        return f"primary {_pending(primary)}, secondary {state}", "", MUTED
    if secondary is None:
        return "healthy", "no secondary to fail over to", "$success"
    if secondary.fails is None:
        return f"primary healthy, secondary {_pending(secondary)}", "", MUTED
    if secondary.fails:
        return "primary healthy, secondary failing", "failover would not help", "$warning"
    return "healthy", "", "$success"


def group_row_label(group: OriginGroupEntry, verdict: GroupVerdict, glyphs: Glyphs,
                    indent: str = "") -> Content:
    """`! group app-failover: primary failing, secondary healthy`, and on a second line
    (after `indent`) what viewers get; two short lines stay readable at 80 columns."""
    head, tail, style = group_summary(verdict)
    mark = {"$error": glyphs.bad, "$warning": glyphs.warn, "$success": glyphs.ok}.get(style)
    parts: list[Content | tuple[str, str]] = []
    if mark is not None:
        parts += [(mark, f"{style} bold"), (" ", "")]
    parts += [("group ", "bold"), safe(group.spec.id, "bold"), (": ", ""), safe(head, style)]
    if tail:
        parts += [(f"\n{indent}", ""), safe(tail, style)]
    return Content.assemble(*parts)


def group_detail(verdict: GroupVerdict) -> Content:
    """The line under the tree for a highlighted origin group: each member, the cause."""
    parts = [f"primary {verdict.primary.origin}: {_member(verdict.primary)}"]
    if verdict.secondary is not None:
        parts.append(f"secondary {verdict.secondary.origin}: {_member(verdict.secondary)}")
    if verdict.primary.fails is None or (verdict.secondary is not None
                                         and verdict.secondary.fails is None):
        parts.append("Enter checks the next unchecked member")
    parts += [f"{c.code.value}: {c.message}" for c in verdict.causes]
    return safe("; ".join(plain(p) for p in parts))


def _member(member: MemberState) -> str:
    return _pending(member) if member.fails is None else member.answer
