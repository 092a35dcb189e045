"""One access-log line -> LogRecord: W3C (tab-separated, `#Fields:`) or v2 JSON lines.

Columns are found by name from the `#Fields:` header, never by position; `-` is
empty. A file without a header is read with the legacy standard-log field order
when its lines have exactly that many fields. Every problem is a MalformedLine
with a short reason, never an exception.
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from typing import Any

from cftui.textsafe import one_line

#: The standard (legacy) log's fields, in the order CloudFront writes them.
STANDARD_FIELDS: tuple[str, ...] = (
    "date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)",
    "cs-uri-stem", "sc-status", "cs(Referer)", "cs(User-Agent)", "cs-uri-query", "cs(Cookie)",
    "x-edge-result-type", "x-edge-request-id", "x-host-header", "cs-protocol", "cs-bytes",
    "time-taken", "x-forwarded-for", "ssl-protocol", "ssl-cipher",
    "x-edge-response-result-type", "cs-protocol-version", "fle-status", "fle-encrypted-fields",
    "c-port", "time-to-first-byte", "x-edge-detailed-result-type", "sc-content-type",
    "sc-content-len", "sc-range-start", "sc-range-end",
)
_NEEDED = ("sc-status", "cs-uri-stem")
_MAX_TEXT = 256  # longest host / path / result type kept from a line


@dataclass(frozen=True, slots=True)
class LogRecord:
    """The fields of one request that the summary needs."""

    epoch: int  # seconds since 1970, UTC
    status: int  # sc-status; 0 when CloudFront logged 000 (viewer went away)
    host: str  # x-host-header, else cs(Host); "" when absent
    uri_stem: str  # cs-uri-stem
    result_type: str  # x-edge-result-type
    detailed_result_type: str  # x-edge-detailed-result-type, e.g. OriginConnectError
    edge_location: str
    distribution_id: str | None  # the v2 DistributionId field, when logged


@dataclass(frozen=True, slots=True)
class MalformedLine:
    reason: str


class W3CParser:
    """Reads one file's lines in order; `#Fields:` lines reset the column map."""

    def __init__(self) -> None:
        self._index: dict[str, int] | None = None
        self._count = 0

    def header(self, text: str) -> MalformedLine | None:
        if text.startswith("#Fields:"):
            names = text[len("#Fields:"):].split()
            if not names or any(n not in names for n in _NEEDED):
                self._index = None
                return MalformedLine("#Fields: header lacks sc-status or cs-uri-stem")
            self._index = {name: i for i, name in enumerate(names)}
            self._count = len(names)
        return None

    def record(self, text: str) -> LogRecord | MalformedLine:
        values = text.split("\t")
        if self._index is None:
            if len(values) != len(STANDARD_FIELDS):
                return MalformedLine("data before any #Fields: header")
            self._index = {name: i for i, name in enumerate(STANDARD_FIELDS)}
            self._count = len(STANDARD_FIELDS)
        if len(values) != self._count:
            return MalformedLine(f"{len(values)} fields, the #Fields: header names {self._count}")
        index = self._index

        def get(name: str) -> str:
            i = index.get(name)
            value = values[i] if i is not None else "-"
            return "" if value == "-" else value

        return build(get)


def parse_json(text: str) -> LogRecord | MalformedLine:
    """A v2 JSON line: one object, the same field names as keys."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return MalformedLine("not a JSON object")
    if not isinstance(doc, dict):
        return MalformedLine("not a JSON object")

    def get(name: str) -> str:
        value: Any = doc.get(name)
        if value is None or value == "-" or isinstance(value, dict | list):
            return ""
        return str(value)

    return build(get)


def build(get: Any) -> LogRecord | MalformedLine:
    epoch = _epoch(get)
    if isinstance(epoch, MalformedLine):
        return epoch
    status_text = get("sc-status")
    if len(status_text) != 3 or not status_text.isascii() or not status_text.isdigit():
        return MalformedLine(f"bad sc-status {_short(status_text)!r}")
    status = int(status_text)
    if status != 0 and not 100 <= status <= 599:
        return MalformedLine(f"bad sc-status {status_text!r}")
    return LogRecord(
        epoch=epoch,
        status=status,
        host=_short(get("x-host-header") or get("cs(Host)")).lower(),
        uri_stem=get("cs-uri-stem")[:2048],  # matched against patterns, never shown
        result_type=_short(get("x-edge-result-type")),
        detailed_result_type=_short(get("x-edge-detailed-result-type")),
        edge_location=_short(get("x-edge-location")),
        distribution_id=_short(get("DistributionId")) or None,
    )


def _epoch(get: Any) -> int | MalformedLine:
    stamp = get("timestamp(ms)") or get("timestamp")
    if stamp:
        try:
            value = float(stamp)
        except ValueError:
            return MalformedLine(f"bad timestamp {_short(stamp)!r}")
        if get("timestamp(ms)"):
            value /= 1000
        if not 0 <= value < 253402300800:  # before year 10000
            return MalformedLine(f"bad timestamp {_short(stamp)!r}")
        return int(value)
    return _date_time(get("date"), get("time"))


def _date_time(date: str, time: str) -> int | MalformedLine:
    """`2024-05-01` and `13:04:59` (UTC) -> epoch seconds, strictly."""
    if (len(date) != 10 or date[4] != "-" or date[7] != "-" or len(time) != 8
            or time[2] != ":" or time[5] != ":"):
        return MalformedLine(f"bad date/time {_short(date)!r} {_short(time)!r}")
    parts = (date[0:4], date[5:7], date[8:10], time[0:2], time[3:5], time[6:8])
    if not all(p.isascii() and p.isdigit() for p in parts):
        return MalformedLine(f"bad date/time {_short(date)!r} {_short(time)!r}")
    hour, minute, second = int(parts[3]), int(parts[4]), int(parts[5])
    day_start = _DAYS.get(date)
    if day_start is None:
        year, month, day = int(parts[0]), int(parts[1]), int(parts[2])
        if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
            return MalformedLine(f"bad date {date!r}")
        if len(_DAYS) > 4096:
            _DAYS.clear()
        day_start = _DAYS[date] = calendar.timegm((year, month, day, 0, 0, 0, 0, 0, 0))
    if not (hour < 24 and minute < 60 and second < 61):
        return MalformedLine(f"bad time {time!r}")
    return day_start + hour * 3600 + minute * 60 + second


_DAYS: dict[str, int] = {}  # date -> epoch of its midnight: most lines share a few dates


def _short(text: str, limit: int = _MAX_TEXT) -> str:
    """Untrusted text, one line, control characters made visible, bounded in length."""
    text = text[:limit]
    return text if text.isascii() and text.isprintable() else one_line(text)
