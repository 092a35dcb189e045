"""Stage panel headers and bodies: status glyph and word, duration, summary, history."""

from __future__ import annotations

from textual.content import Content

from cftui.engine.results import Report, Stage, Status
from cftui.ui.format import Formatter, safe
from cftui.ui.glyphs import STATUS_WORDS, Glyphs
from cftui.ui.state import StageView

STATUS_STYLES: dict[Status, str] = {
    Status.PENDING: "$text-muted",
    Status.RUNNING: "$accent bold",
    Status.DONE: "$text",
    Status.PASS: "$success bold",
    Status.WARN: "$warning bold",
    Status.FAIL: "$error bold reverse",  # the most important state is the most visible
    Status.SKIPPED: "$text-muted",
}


#: How the engine words a stage CloudFront never gets to (an earlier stage blocks).
NOT_REACHED = "not reached"


def not_reached(view: StageView) -> bool:
    return view.status is Status.SKIPPED and view.summary.startswith(NOT_REACHED)


def status_badge(status: Status, glyphs: Glyphs, *, unreached: bool = False) -> Content:
    """`✓ PASS`: glyph and word, so colour is never the only signal."""
    if unreached:
        return Content.styled(f"{glyphs.info} NOT REACHED", "bold")
    text = f"{glyphs.mark(status)} {STATUS_WORDS[status]}"
    return Content.styled(text, STATUS_STYLES[status])


def history_strip(history: tuple[Status, ...], glyphs: Glyphs) -> Content:
    """Watch mode: earlier outcomes as glyphs, oldest first."""
    return Content.assemble(*((glyphs.mark(s), STATUS_STYLES[s]) for s in history))


#: Cells taken by the left part of a stage header (name, badge, duration).
HEADER_LEFT = 31


def stage_header_left(view: StageView, glyphs: Glyphs, fmt: Formatter) -> Content:
    """`DNS         ✓ PASS      3 ms`: fixed width, so summaries line up."""
    badge = status_badge(view.status, glyphs, unreached=not_reached(view))
    duration = fmt.duration(view.duration_ms) if view.status not in (
        Status.PENDING, Status.RUNNING, Status.SKIPPED) else ""
    if badge.cell_length > 10:  # NOT REACHED: no duration to show, the badge takes its room
        return Content.assemble((f"{view.stage.label:<12}", "bold"),
                                badge.pad_right(HEADER_LEFT - 12 - badge.cell_length))
    return Content.assemble(
        (f"{view.stage.label:<12}", "bold"),
        badge.pad_right(max(0, 10 - badge.cell_length)),
        (f"{duration:>7}  ", "$text-muted"),
    )


def stage_header_summary(view: StageView, glyphs: Glyphs) -> Content:
    """The summary (untrusted text) and, in watch mode, the history strip."""
    summary = view.summary or _idle_summary(view.status)
    if not_reached(view):  # "not reached by CloudFront; the origin itself: …"
        summary = summary.split(";", 1)[-1].strip() if ";" in summary else summary
    parts: list[Content | tuple[str, str] | str] = [safe(summary)]
    if view.history:
        parts += ["  ", ("history ", "$text-muted"), history_strip(view.history, glyphs)]
    return Content.assemble(*parts)


def stage_header(view: StageView, glyphs: Glyphs, fmt: Formatter) -> Content:
    """The whole header as one line: `DNS  ✓ PASS  3 ms  summary  history ✓✓`."""
    return stage_header_left(view, glyphs, fmt) + stage_header_summary(view, glyphs)


def _idle_summary(status: Status) -> str:
    return {Status.PENDING: "waiting", Status.RUNNING: "in progress"}.get(status, "")


def stage_details(stage: Stage, view: StageView, report: Report | None) -> list[Content]:
    """Lines under the header; the TLS grid and the certificate chain are drawn elsewhere."""
    if stage in (Stage.TLS, Stage.CERTIFICATE, Stage.DNS):
        return []
    lines = list(view.details)
    if stage is Stage.HTTP and report is not None:
        lines = _http_lines(report) or lines
    if not_reached(view):  # what the origin told cftui directly: information, no verdict
        return [safe(f"(not what CloudFront gets) {line}", "$text-muted") for line in lines]
    if len(lines) <= 1 and view.status is not Status.FAIL:
        return []
    return [safe(line) for line in lines]


def _http_lines(report: Report) -> list[str]:
    lines = []
    for address in report.per_address:
        http = address.http
        if http is None:
            continue
        if http.status_line:
            server = next((v for k, v in http.headers if k.lower() == "server"), None)
            tail = f"  server: {server}" if server else ""
            lines.append(f"{address.address}: {http.status_line}{tail}")
        else:
            lines.append(f"{address.address}: {http.outcome} {http.error or ''}".rstrip())
    return lines
