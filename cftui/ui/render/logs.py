"""Text for the log view and the picker's error rates: pure functions of a LogSummary."""

from __future__ import annotations

import time
from collections.abc import Sequence

from textual.content import Content

from cftui.logs import GroupSummary, LogSummary
from cftui.logs.render import label
from cftui.logs.summary import ERROR_STATUSES
from cftui.ui.format import plain, safe

MUTED = "$text-muted"


def percent(rate: float) -> str:
    """33%, 0.4%, 0%: small rates keep a decimal so they do not read as none."""
    if rate == 0:
        return "0%"
    value = rate * 100
    return f"{value:.1f}%" if value < 1 else f"{value:.0f}%"


def rate_badge(group: GroupSummary) -> Content:
    """`502 25%` (and/or `504 3%`) from the loaded logs; muted when there are none."""
    shown = [(s, group.rate(s)) for s in ERROR_STATUSES if group.errors.get(s, 0)]
    if not shown:
        return Content.styled("502 0%", MUTED)
    return Content.styled(" ".join(f"{s} {percent(r)}" for s, r in shown), "$error bold")


def bar(done: int, total: int, width: int = 20, *, ascii: bool = False) -> str:
    full, empty = ("#", "-") if ascii else ("█", "░")
    share = min(1.0, done / total) if total else 0.0
    filled = round(share * width)
    return f"[{full * filled}{empty * (width - filled)}]" if ascii else \
        full * filled + empty * (width - filled)


def size(n: int) -> str:
    if n >= 1e9:
        return f"{n / 1e9:.2f} GB"
    return f"{n / 1e6:.1f} MB" if n >= 1e5 else f"{n / 1e3:.0f} kB"


def progress_line(done: int, total: int, *, ascii: bool = False) -> Content:
    share = f" {done * 100 // total}%" if total else ""
    return Content.assemble(("Reading logs ", "bold"), bar(done, total, ascii=ascii),
                            (f"{share}  {size(done)} / {size(total)}", MUTED))


def clock(epoch: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(epoch))


def bucket_words(seconds: int) -> str:
    if seconds % 86400 == 0:
        return f"{seconds // 86400} d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min"


def summary_line(summary: LogSummary) -> Content:
    files = len(summary.files)
    text = f"{files} file{'s' * (files != 1)}, {summary.records:,} requests"
    if summary.start is not None and summary.end is not None:
        text += (f", {clock(summary.start)} to {clock(summary.end + summary.bucket_seconds)}"
                 f" UTC, {bucket_words(summary.bucket_seconds)} buckets")
    return Content.assemble(("Logs  ", "bold"), (text, MUTED))


def problem_lines(summary: LogSummary) -> list[Content]:
    lines = []
    if summary.first_skipped is not None:
        f = summary.first_skipped
        lines.append(Content.assemble(
            (f"skipped {summary.skipped:,} malformed line(s); first at ", "$warning"),
            safe(f"{f.file}:{f.line}: {f.reason}", "$warning")))
    lines += [Content.assemble(("note: ", MUTED), safe(n, MUTED)) for n in summary.notes]
    return lines


def row_cells(group: GroupSummary) -> tuple[str, str, str, str, str]:
    """Distribution, origin (or host), requests, 502 and 504 with their rates: plain text."""
    dist, where = label(group.key)
    counts = [f"{group.errors.get(s, 0):,} {percent(group.rate(s))}" for s in ERROR_STATUSES]
    return plain(dist), plain(where), f"{group.requests:,}", counts[0], counts[1]


def errors_per_bucket(group: GroupSummary) -> list[float]:
    return [float(sum(b.errors.values())) for b in group.buckets]


def plot_caption(group: GroupSummary, bucket_seconds: int,
                 values: Sequence[float] | None = None) -> Content:
    """What the sparkline shows (`values`: errors_per_bucket(group), if at hand), and
    its peak."""
    values = errors_per_bucket(group) if values is None else values
    if not values or not any(values):
        return Content.styled("no 502 or 504 in these logs", MUTED)
    peak = max(range(len(values)), key=values.__getitem__)
    start = group.buckets[0].start
    end = group.buckets[-1].start + bucket_seconds
    return Content.assemble(
        ("502+504 per ", "bold"), (bucket_words(bucket_seconds), "bold"),
        (f"  {clock(start)} to {clock(end)[-5:]} UTC, peak {int(values[peak]):,} at "
         f"{clock(group.buckets[peak].start)[-5:]}", MUTED))


def cause_lines(group: GroupSummary, limit: int = 6) -> list[Content]:
    """x-edge-detailed-result-type per status, most frequent first (untrusted text)."""
    lines = [Content.assemble((f"  {c.status} ", "bold"),
                              safe(c.detailed_result_type or "(no detailed type)"),
                              (f"  {c.count:,}", MUTED)) for c in group.causes[:limit]]
    if len(group.causes) > limit:
        lines.append(Content.styled(f"  and {len(group.causes) - limit} more", MUTED))
    return lines
