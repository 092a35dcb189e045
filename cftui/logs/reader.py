"""Lines of CloudFront access-log files: gzip or plain (by magic bytes), bounded line length.

A log set can be gigabytes: lines are read one at a time, an over-long line is
skipped up to its newline without being held, and progress is the compressed
bytes consumed (what `ls -l` shows), so it is comparable to the files' total size.
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

GZIP_MAGIC = b"\x1f\x8b"
MAX_LINE = 64 * 1024  # a CloudFront log line is well under this; longer is junk
#: <optional prefix>/<DistributionId>.YYYY-MM-DD-HH.<unique>.gz
_FILE_NAME = re.compile(r"^(E[A-Z0-9]{5,20})\.\d{4}-\d{2}-\d{2}-\d{2}\.[A-Za-z0-9_-]+")

Progress = Callable[[int], None]  # bytes of the current file consumed so far


class LogFileError(Exception):
    """A file that cannot be opened or read at all: one line, exit status 2."""


@dataclass(frozen=True)
class RawLine:
    number: int  # 1-based line number in its file
    data: bytes | None  # None: the line was longer than MAX_LINE and was skipped


def distribution_from_name(path: Path | str) -> str | None:
    """The distribution id in CloudFront's file name convention, if the name follows it."""
    match = _FILE_NAME.match(Path(path).name)
    return match.group(1) if match else None


def expand(paths: list[str]) -> list[Path]:
    """The files to read: files as given, directories walked (sorted); missing ones refused."""
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                found.extend(Path(root, f) for f in sorted(files) if not f.startswith("."))
        elif path.exists():
            found.append(path)
        else:
            raise LogFileError(f"{name}: no such file")
    for path in found:
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            raise LogFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return found


def read_lines(path: Path, on_progress: Progress | None = None,
               every: int = 8192) -> Iterator[RawLine]:
    """The file's lines without their line ends; gzip is detected by its magic bytes.

    A corrupt or truncated gzip stream raises LogFileError after the lines read so far.
    """
    try:
        raw = path.open("rb")
    except OSError as exc:
        raise LogFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with raw:
        stream: BinaryIO = raw
        if raw.peek(2)[:2] == GZIP_MAGIC:
            stream = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
        try:
            yield from _lines(stream, raw, on_progress, every)
        except (OSError, EOFError, zlib.error) as exc:
            raise LogFileError(f"{path}: {_gzip_reason(exc)}") from None
        if on_progress is not None:
            on_progress(raw.tell())


def _lines(stream: BinaryIO, raw: BinaryIO, on_progress: Progress | None,
           every: int) -> Iterator[RawLine]:
    number = 0
    while True:
        line = stream.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):  # drop the rest of the long line
                line = stream.readline(MAX_LINE)
            yield RawLine(number, None)
        else:
            yield RawLine(number, line.rstrip(b"\r\n"))
        if on_progress is not None and number % every == 0:
            on_progress(raw.tell())


def _gzip_reason(exc: BaseException) -> str:
    if isinstance(exc, EOFError):
        return "the gzip stream ends early (truncated file)"
    if isinstance(exc, gzip.BadGzipFile | zlib.error):
        return f"corrupt gzip data: {exc}"
    return f"cannot read: {getattr(exc, 'strerror', None) or exc}"
