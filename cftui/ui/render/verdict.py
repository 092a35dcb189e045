"""The verdict bar: what CloudFront would answer, the first cause and its fix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.content import Content

from cftui.engine.results import Report, Status
from cftui.ui.format import safe
from cftui.ui.glyphs import Glyphs

REASONS = {502: "Bad Gateway", 504: "Gateway Timeout"}


@dataclass(frozen=True)
class VerdictView:
    """What the bar needs; `kind` (ok/warn/fail/running/cancelled/error) sets its CSS class."""

    kind: str
    lines: tuple[Content, ...]


def verdict_view(report: Report | None, *, running: bool, done: int, glyphs: Glyphs,
                 cancelled: bool = False, error: str | None = None,
                 history: Sequence[int | None] = (),
                 changes: Sequence[str] | None = None) -> VerdictView:
    tail = _history(history, changes)
    if error:
        return VerdictView("error", (
            Content.assemble((f"{glyphs.bad} check failed: ", "bold"), safe(error)),
            Content("r re-runs the check"),
        ))
    if running:
        return VerdictView("running", (
            Content.assemble((f"{glyphs.mark(Status.RUNNING)} checking", "bold"),
                             f"  {done}/5 stages done", tail),
            Content.styled("Esc cancels", "$text-muted"),
        ))
    if cancelled or (report is not None and report.cancelled):
        return VerdictView("cancelled", (
            Content.assemble((f"{glyphs.mark(Status.SKIPPED)} cancelled", "bold"), tail),
            Content.styled("r re-runs the check, Esc goes back", "$text-muted"),
        ))
    if report is None:
        return VerdictView("running", (Content.styled("not checked yet: r runs the check",
                                                      "$text-muted"),))
    verdict = report.verdict
    first = verdict.first_fix
    rest = len(verdict.causes) - 1
    more = Content.styled(f"  (+{rest} more below)" if rest > 0 else "", "$text-muted")
    if verdict.would_fail:
        status = verdict.http_status or 502
        head = Content.assemble(
            (f"{glyphs.bad} CloudFront would answer {status} {REASONS.get(status, '')}".rstrip(),
             "bold"), tail)
        kind = "fail"
    elif verdict.causes:
        head = Content.assemble((f"{glyphs.warn} OK with warnings: CloudFront can connect",
                                 "bold"), tail)
        kind = "warn"
    else:
        head = Content.assemble((f"{glyphs.ok} OK: CloudFront can connect to this origin",
                                 "bold"), tail)
        kind = "ok"
    lines = [head]
    if first is not None:
        lines.append(Content.assemble((f"{first.code}: ", "bold"), safe(first.message), more))
        lines.append(Content.assemble(("fix: ", "bold"), safe(first.fix)))
    return VerdictView(kind, tuple(lines))


def _history(history: Sequence[int | None], changes: Sequence[str] | None = None) -> Content:
    """Watch mode: the last verdicts, then what the last round changed."""
    if not history:
        return Content("")
    words = " ".join("OK" if h in (None, 200) else str(h) for h in history[-6:])
    said = ("" if changes is None else
            "; " + (", ".join(changes) if changes else "no change") + " since last round")
    return Content.styled(f"   watch: {words}{said}", "$text-muted")


def causes_lines(report: Report, glyphs: Glyphs) -> list[Content]:
    """Every cause, blocking first: for the panel under the verdict."""
    lines = []
    for cause in report.verdict.causes:
        mark, style = ((glyphs.bad, "$error bold") if cause.blocking
                       else (glyphs.warn, "$warning bold"))
        where = f" [{cause.address}]" if cause.address else ""
        lines.append(Content.assemble((f"{mark} {cause.code}", style), safe(where),
                                      "  ", safe(cause.message)))
        lines.append(Content.assemble(("    fix: ", "$text-muted"), safe(cause.fix)))
    return lines
