"""The TLS grid: one row per (address, protocol) with the accepted suite or the refusal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from textual.content import Content

from cftui.engine.model import Outcome, ProtocolAttempt, ProtocolResult, Purpose
from cftui.engine.profile import ORIGIN_SSL_PROTOCOLS, Protocol
from cftui.engine.results import Status
from cftui.ui.format import Formatter, plain
from cftui.ui.glyphs import Glyphs

INFO_STYLE = "$text-muted"
ROW_STYLES: dict[str, str] = {
    "pass": "$success bold",
    "fail": "$error bold reverse",
    "warn": "$warning bold",
    "info": "$text-muted",
    "pending": "$text-muted",
    "running": "$accent",
}


@dataclass(frozen=True)
class GridRow:
    """One protocol attempt row; `kind` is pass/fail/warn/info/pending/running."""

    key: str
    address: str
    protocol: Protocol
    enabled: bool
    kind: str
    outcome: str  # "accepted", "refused", "no common suite", …
    detail: str  # the suite, or the alert / error (untrusted)
    duration_ms: float | None


def protocol_order(enabled: Sequence[Protocol]) -> list[Protocol]:
    """Enabled protocols first (newest first), then CloudFront's others, then TLS 1.3."""
    on = sorted(enabled, key=lambda p: -p.wire)
    off = sorted((p for p in ORIGIN_SSL_PROTOCOLS if p not in on), key=lambda p: -p.wire)
    return [*on, *off, Protocol.TLSv1_3]


def row_key(address: str, protocol: Protocol) -> str:
    return f"{address}|{protocol.value}"


def grid_rows(
    enabled: Sequence[Protocol],
    addresses: Sequence[str],
    results: Mapping[tuple[str, Protocol], ProtocolResult],
    attempts: Mapping[tuple[str, Protocol], Sequence[ProtocolAttempt]],
    running: bool,
) -> list[GridRow]:
    rows = []
    for address in addresses:
        for protocol in protocol_order(enabled):
            key = (address, protocol)
            rows.append(_row(address, protocol, protocol in enabled, results.get(key),
                             attempts.get(key, ()), running))
    return rows


def _row(address: str, protocol: Protocol, enabled: bool, result: ProtocolResult | None,
         attempts: Sequence[ProtocolAttempt], running: bool) -> GridRow:
    key = row_key(address, protocol)
    if result is None:
        if attempts:
            return GridRow(key, address, protocol, enabled, "running", "probing", "",
                           sum(a.duration_ms for a in attempts))
        kind, word = ("pending", "waiting") if running else ("info", "not tried")
        return GridRow(key, address, protocol, enabled, kind, word, "", None)
    all_attempts = result.attempts or tuple(attempts)
    first = next((a for a in all_attempts if a.purpose is not Purpose.BROAD), None)
    ms = first.duration_ms if first else None
    kind, outcome, detail = _judge(protocol, enabled, result)
    if kind == "pass" and any(a.flight is not None and a.flight.certificate_request is not None
                              for a in all_attempts):
        kind, outcome = "fail", "client cert"
    return GridRow(key, address, protocol, enabled, kind, outcome, detail, ms)


def _judge(protocol: Protocol, enabled: bool, r: ProtocolResult) -> tuple[str, str, str]:
    error = r.error or ""
    if protocol is Protocol.TLSv1_3:
        if r.accepted:
            return "info", "spoken", f"{r.broad_cipher or ''} (never used by CloudFront)".strip()
        return "info", "not spoken" if r.accepted is False else "no answer", error
    if r.cloudfront_works:
        more = len(r.accepted_ciphers) - 1
        detail = (r.cipher or "") + (f" +{more}" if more > 0 else "")
        if not enabled:
            return "info", "accepted", f"{detail} (not enabled)"
        return "pass", "accepted", detail
    if r.accepted:  # speaks the version, none of CloudFront's suites
        why = f"wants {r.broad_cipher}" if r.broad_cipher else error
        return ("fail" if enabled else "info"), "no common suite", why
    if r.accepted is None or _silent(r):
        return ("fail" if enabled else "info"), "no answer", error
    return ("fail" if enabled else "info"), "refused", error


def _silent(r: ProtocolResult) -> bool:
    """Timed out waiting: the origin said nothing, it did not refuse."""
    first = next((a for a in r.attempts if a.purpose is not Purpose.BROAD), None)
    if first is not None:
        return first.outcome is Outcome.TIMEOUT
    return "timed out" in (r.error or "")


def _mark(kind: str, glyphs: Glyphs) -> str:
    return {"pass": glyphs.ok, "fail": glyphs.bad, "warn": glyphs.warn, "info": glyphs.info,
            "pending": glyphs.mark(Status.PENDING),
            "running": glyphs.mark(Status.RUNNING)}[kind]


def _role(row: GridRow) -> str:
    if row.protocol is Protocol.TLSv1_3:
        return "info"
    return "on" if row.enabled else "off"


HEADER = ("protocol", "use", "result", "time", "suite or alert")
WIDTHS = (8, 4, 17, 6)


def grid_header() -> Content:
    cells = [h.ljust(w) for h, w in zip(HEADER, WIDTHS, strict=False)]
    return Content.styled(" ".join(cells) + " " + HEADER[-1], "$text-muted bold")


def grid_line(row: GridRow, glyphs: Glyphs, fmt: Formatter) -> Content:
    """One row, aligned to the header: protocol, role, outcome, time, detail."""
    style = ROW_STYLES[row.kind]
    dim = "$text-muted" if not row.enabled and row.protocol is not Protocol.TLSv1_3 else ""
    outcome = f"{_mark(row.kind, glyphs)} {row.outcome}"
    return Content.assemble(
        (row.protocol.value.ljust(WIDTHS[0]) + " ", "bold" if row.enabled else dim),
        (_role(row).ljust(WIDTHS[1]) + " ", dim or "$text-muted"),
        (outcome.ljust(WIDTHS[2]) + " ", style),
        (fmt.duration(row.duration_ms).rjust(WIDTHS[3]) + " ", "$text-muted"),
        (plain(row.detail), dim),
    )


def address_heading(address: str, port: int) -> Content:
    return Content.styled(plain(f"{address}:{port}"), "bold underline")
