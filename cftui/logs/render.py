"""A LogSummary for scripts (JSON, cftui.logs/1) and people (a table with sparklines)."""

from __future__ import annotations

import time
from typing import Any

from cftui.logs.attribute import Attribution
from cftui.logs.summary import ERROR_STATUSES, Bucket, GroupSummary, LogSummary
from cftui.textsafe import one_line

SCHEMA = "cftui.logs/1"
BLOCKS = " ▁▂▃▄▅▆▇█"
ASCII_BLOCKS = " .:-=+*#@"
SPARK_WIDTH = 60


def iso(epoch: int | None) -> str | None:
    return None if epoch is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def to_json(summary: LogSummary, *, attribution: str = "host") -> dict[str, Any]:
    first = summary.first_skipped
    return {
        "schema": SCHEMA,
        "files": list(summary.files),
        "lines": summary.lines,
        "records": summary.records,
        "skipped": {"count": summary.skipped,
                    "first": None if first is None else
                    {"file": first.file, "line": first.line, "reason": first.reason}},
        "attribution": attribution,
        "bucket_seconds": summary.bucket_seconds,
        "start": iso(summary.start),
        "end": iso(summary.end),
        "notes": list(summary.notes),
        "groups": [_group_json(g) for g in summary.groups],
    }


def _group_json(group: GroupSummary) -> dict[str, Any]:
    return {
        "distribution": group.key.distribution,
        "host": group.key.host,
        "origin": group.key.origin,
        "requests": group.requests,
        "errors": {str(s): group.errors.get(s, 0) for s in ERROR_STATUSES},
        "rates": {str(s): round(group.rate(s), 6) for s in ERROR_STATUSES},
        "causes": [{"status": c.status, "detailed_result_type": c.detailed_result_type or None,
                    "count": c.count} for c in group.causes],
        "buckets": [{"start": iso(b.start), "requests": b.requests,
                     **{str(s): b.errors.get(s, 0) for s in ERROR_STATUSES}}
                    for b in group.buckets],
    }


def sparkline(buckets: tuple[Bucket, ...], *, width: int = SPARK_WIDTH,
              ascii: bool = False) -> str:
    """502+504 per bucket as block heights; adjacent buckets share a cell when too many."""
    values = [sum(b.errors.values()) for b in buckets]
    if not values:
        return ""
    per_cell = -(-len(values) // width)
    cells = [sum(values[i:i + per_cell]) for i in range(0, len(values), per_cell)]
    blocks = ASCII_BLOCKS if ascii else BLOCKS
    peak = max(cells)
    if peak == 0:
        return blocks[0] * len(cells)
    top = len(blocks) - 1
    return "".join(blocks[0] if v == 0 else blocks[max(1, round(v * top / peak))]
                   for v in cells)


def label(key: Attribution) -> tuple[str, str]:
    """(distribution column, origin-or-host column), safe to print."""
    dist = key.distribution or "-"
    if key.origin is not None:
        where = key.origin
    elif key.host is not None:
        where = f"host {key.host}"
    else:
        where = "(origin unknown)"
    return one_line(dist), one_line(where)


def _bucket_words(seconds: int) -> str:
    if seconds % 86400 == 0:
        return f"{seconds // 86400}-day"
    if seconds % 3600 == 0:
        return f"{seconds // 3600}-hour"
    return f"{seconds // 60}-minute"


def to_text(summary: LogSummary, *, ascii: bool = False) -> str:
    out = [f"{len(summary.files)} file(s), {summary.records:,} requests"]
    if summary.start is not None and summary.end is not None:
        out[0] += (f", {iso(summary.start)} to {iso(summary.end + summary.bucket_seconds)}, "
                   f"{_bucket_words(summary.bucket_seconds)} buckets")
    if summary.first_skipped is not None:
        f = summary.first_skipped
        out.append(f"skipped {summary.skipped:,} malformed line(s); first at "
                   f"{one_line(f.file)}:{f.line}: {f.reason}")
    out.extend(f"note: {one_line(n)}" for n in summary.notes)
    if not summary.groups:
        out.append("no requests found")
        return "\n".join(out)
    rows: list[tuple[str, ...]] = [
        ("DISTRIBUTION", "ORIGIN / HOST", "REQUESTS", "502", "RATE", "504", "RATE")]
    for g in summary.groups:
        rows.append((*label(g.key), f"{g.requests:,}",
                     *(x for s in ERROR_STATUSES
                       for x in (f"{g.errors.get(s, 0):,}", f"{g.rate(s):.2%}"))))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out.append("")
    for row in rows:
        cells = [c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in
                 enumerate(zip(row, widths, strict=True))]
        out.append("  ".join(cells).rstrip())
    for g in summary.groups:
        if not sum(g.errors.values()):
            continue
        dist, where = label(g.key)
        out.append("")
        out.append(f"{dist} / {where}")
        peak = max(g.buckets, key=lambda b: sum(b.errors.values()))
        out.append(f"  502+504 |{sparkline(g.buckets, ascii=ascii)}|  peak "
                   f"{sum(peak.errors.values()):,} at {iso(peak.start)}")
        causes = ", ".join(f"{c.status} {c.detailed_result_type or '(no detailed type)'} "
                           f"{c.count:,}" for c in g.causes[:6])
        out.append(f"  causes: {causes}")
    return "\n".join(out)
