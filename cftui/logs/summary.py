"""Streamed aggregation: per distribution and origin, 502 and 504 over time, with causes.

Memory is bounded whatever the input size: records are never kept; time buckets
widen (1 min, 5 min, 15 min, 1 h, …) so a summary holds at most MAX_BUCKETS per
group; groups and causes beyond their caps are lumped together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cftui.logs import parse, reader
from cftui.logs.attribute import Attribution, Attributor

ERROR_STATUSES: tuple[int, ...] = (502, 504)
BUCKET_LADDER: tuple[int, ...] = (60, 300, 900, 3600, 21600, 86400, 604800)
MAX_BUCKETS = 240
MAX_GROUPS = 200
MAX_CAUSES = 32
OTHER = "(other)"


@dataclass(frozen=True)
class Skipped:
    file: str
    line: int
    reason: str


@dataclass(frozen=True)
class Bucket:
    start: int  # epoch seconds, a multiple of the summary's bucket_seconds
    requests: int
    errors: dict[int, int]  # 502 / 504 -> count


@dataclass(frozen=True)
class Cause:
    status: int
    detailed_result_type: str  # x-edge-detailed-result-type; "" when not logged
    count: int


@dataclass(frozen=True)
class GroupSummary:
    """One distribution/origin (or, without a config, one host header)."""

    key: Attribution
    requests: int
    errors: dict[int, int]
    causes: tuple[Cause, ...]  # most frequent first
    buckets: tuple[Bucket, ...]  # every bucket from the summary's start to end, dense

    def rate(self, status: int) -> float:
        return self.errors.get(status, 0) / self.requests if self.requests else 0.0


@dataclass(frozen=True)
class LogSummary:
    files: tuple[str, ...]
    lines: int  # data and header lines read
    records: int  # requests counted
    skipped: int
    first_skipped: Skipped | None
    bucket_seconds: int
    start: int | None  # first bucket's start; None when no record was read
    end: int | None  # last bucket's start
    groups: tuple[GroupSummary, ...]  # most 502+504 first
    notes: tuple[str, ...] = ()


@dataclass
class _Group:
    requests: int = 0
    errors: dict[int, int] = field(default_factory=dict)
    causes: dict[tuple[int, str], int] = field(default_factory=dict)
    buckets: dict[int, list[int]] = field(default_factory=dict)  # start -> [req, 502, 504]


class Summariser:
    """Feed it records (or whole files); `result()` freezes what it has seen."""

    def __init__(self, attributor: Attributor | None = None):
        self.attributor = attributor or Attributor()
        self.width = BUCKET_LADDER[0]
        self.low: int | None = None
        self.high: int | None = None
        self.groups: dict[Attribution, _Group] = {}
        self.files: list[str] = []
        self.lines = self.records = self.skipped = 0
        self.first_skipped: Skipped | None = None
        self.notes: list[str] = []

    def skip(self, file: str, line: int, reason: str) -> None:
        self.skipped += 1
        if self.first_skipped is None:
            self.first_skipped = Skipped(file, line, reason)

    def add(self, record: parse.LogRecord, file_distribution: str | None = None) -> None:
        self.records += 1
        key = self.attributor.attribute(record, file_distribution)
        group = self.groups.get(key)
        if group is None:
            if len(self.groups) >= MAX_GROUPS:
                key = Attribution(key.distribution, OTHER, None)
            group = self.groups.setdefault(key, _Group())
        self._widen_for(record.epoch)
        start = record.epoch - record.epoch % self.width
        counts = group.buckets.get(start)
        if counts is None:
            counts = group.buckets[start] = [0, 0, 0]
        counts[0] += 1
        group.requests += 1
        status = record.status
        if status in ERROR_STATUSES:
            counts[1 + ERROR_STATUSES.index(status)] += 1
            group.errors[status] = group.errors.get(status, 0) + 1
            cause = (status, record.detailed_result_type)
            if cause not in group.causes and len(group.causes) >= MAX_CAUSES:
                cause = (status, OTHER)
            group.causes[cause] = group.causes.get(cause, 0) + 1

    def add_files(self, paths: Sequence[Path],
                  on_progress: Callable[[int], None] | None = None) -> None:
        """Every file in order; `on_progress` gets the bytes consumed over all of them."""
        done = 0
        for path in paths:
            self.add_file(path, None if on_progress is None else _offset(on_progress, done))
            done += path.stat().st_size

    def add_file(self, path: Path, on_progress: reader.Progress | None = None) -> None:
        """Every line of one file; problems are counted, never raised (but LogFileError
        for a file that cannot be opened)."""
        name = str(path)
        self.files.append(name)
        file_distribution = reader.distribution_from_name(path)
        w3c = parse.W3CParser()
        number = 0
        try:
            for raw in reader.read_lines(path, on_progress):
                number = raw.number
                self.lines += 1
                self._line(raw, w3c, name, file_distribution)
        except reader.LogFileError as exc:
            if number == 0 and not path.exists():
                raise
            self.skip(name, number + 1, str(exc).removeprefix(f"{name}: "))

    def _line(self, raw: reader.RawLine, w3c: parse.W3CParser, name: str,
              file_distribution: str | None) -> None:
        if raw.data is None:
            self.skip(name, raw.number, f"line longer than {reader.MAX_LINE} bytes")
            return
        if not raw.data.strip():
            return
        try:
            text = raw.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.skip(name, raw.number, f"not UTF-8 text at byte {exc.start}")
            return
        if text.startswith("#"):
            problem = w3c.header(text)
            if problem is not None:
                self.skip(name, raw.number, problem.reason)
            return
        result = parse.parse_json(text) if text.startswith("{") else w3c.record(text)
        if isinstance(result, parse.MalformedLine):
            self.skip(name, raw.number, result.reason)
        else:
            self.add(result, file_distribution)

    def _widen_for(self, epoch: int) -> None:
        if self.low is None or self.high is None:
            self.low = self.high = epoch
            return
        if self.low <= epoch <= self.high:
            return
        self.low, self.high = min(self.low, epoch), max(self.high, epoch)
        width = self.width
        while (self.high // width - self.low // width) + 1 > MAX_BUCKETS:
            width = _wider(width)
        if width != self.width:
            self.width = width
            for group in self.groups.values():
                merged: dict[int, list[int]] = {}
                for start, counts in group.buckets.items():
                    into = merged.setdefault(start - start % width, [0, 0, 0])
                    for i, value in enumerate(counts):
                        into[i] += value
                group.buckets = merged

    def result(self) -> LogSummary:
        width = self.width
        first = None if self.low is None else self.low - self.low % width
        last = None if self.high is None else self.high - self.high % width
        groups = [self._freeze(key, g, first, last) for key, g in self.groups.items()]
        groups.sort(key=lambda g: (-sum(g.errors.values()), -g.requests, _sort_key(g.key)))
        return LogSummary(tuple(self.files), self.lines, self.records, self.skipped,
                          self.first_skipped, width, first, last, tuple(groups),
                          tuple(self.notes))

    def _freeze(self, key: Attribution, group: _Group, first: int | None,
                last: int | None) -> GroupSummary:
        buckets: list[Bucket] = []
        if first is not None and last is not None:
            for start in range(first, last + 1, self.width):
                counts = group.buckets.get(start, (0, 0, 0))
                buckets.append(Bucket(start, counts[0], dict(zip(ERROR_STATUSES, counts[1:],
                                                                 strict=True))))
        causes = sorted((Cause(s, t, n) for (s, t), n in group.causes.items()),
                        key=lambda c: (-c.count, c.status, c.detailed_result_type))
        errors = {s: group.errors.get(s, 0) for s in ERROR_STATUSES}
        return GroupSummary(key, group.requests, errors, tuple(causes), tuple(buckets))


def _wider(width: int) -> int:
    for step in BUCKET_LADDER:
        if step > width:
            return step
    return width * 2


def _sort_key(key: Attribution) -> tuple[str, str, str]:
    return (key.distribution or "", key.host or "", key.origin or "")


def summarise(paths: Sequence[Path], attributor: Attributor | None = None,
              on_progress: Callable[[int], None] | None = None) -> LogSummary:
    """Read every file in order. on_progress gets the bytes consumed over all files."""
    summariser = Summariser(attributor)
    summariser.add_files(paths, on_progress)
    return summariser.result()


def _offset(report: Callable[[int], None], base: int) -> Callable[[int], None]:
    return lambda n: report(base + n)
