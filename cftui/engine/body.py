"""Reading a response body to its end, to time it against ResponseCompletionTimeout.

Only the framing is parsed (Content-Length, chunked, or close-delimited); the bytes
are counted and dropped. Reading stops at `profile.COMPLETION_BODY_LIMIT`: a body
that long is counted as complete for the timing, and the report says so.
"""

from __future__ import annotations

from collections.abc import Sequence


class BodyError(Exception):
    """The body's framing is broken (a chunk size that is not hex)."""


# What the report says of a body read short or late, over HTTP/1.1 and HTTP/2 alike.

def capped(limit: int) -> str:
    return f"stopped reading at {limit} bytes: counted as complete, the rest was not timed"


def closed_after(body_bytes: int) -> str:
    return f"the origin closed the connection after {body_bytes} body bytes"


def took_over(completion_timeout: float, body_bytes: int) -> str:
    return (f"the whole response took over {completion_timeout:g} s ({body_bytes} body "
            "bytes by then)")


def stalled(read_timeout: float, body_bytes: int) -> str:
    return f"the body stalled for over {read_timeout:g} s after {body_bytes} bytes"


def framing(status: int, headers: Sequence[tuple[str, str]]) -> tuple[str, int | None]:
    """("length", n), ("chunked", None) or ("close", None), as RFC 9112 §6.3 decides."""
    if status in (204, 304) or 100 <= status < 200:
        return "length", 0
    fields = {name.lower(): value for name, value in headers}
    if "chunked" in fields.get("transfer-encoding", "").lower():
        return "chunked", None
    length = fields.get("content-length", "").strip()
    if length.isascii() and length.isdigit():
        return "length", int(length)
    return "close", None


def complete(kind: str, length: int | None, body: bytes | bytearray) -> bool:
    """Whether `body` (the bytes after the head so far) holds the whole body."""
    return Framing(kind, length).complete(body)


class Framing:
    """`complete` for a body read piece by piece: a chunked body's framing is walked
    once, each call going on from the last whole chunk (from the start every time, a
    body of many small chunks cost quadratic time, counted against the completion
    timeout)."""

    def __init__(self, kind: str, length: int | None) -> None:
        self.kind, self.length = kind, length
        self._next_chunk = 0  # where the first chunk not yet whole starts

    def complete(self, body: bytes | bytearray) -> bool:
        if self.kind == "length":
            return len(body) >= (self.length or 0)
        if self.kind == "chunked":
            done, self._next_chunk = _chunked_complete(body, self._next_chunk)
            return done
        return False  # close-delimited: complete at EOF only


def _chunked_complete(data: bytes | bytearray, pos: int) -> tuple[bool, int]:
    """(whether the chunked body ends in `data`, where its first unfinished chunk
    starts), walking from `pos`, the start of a chunk."""
    while True:
        end = data.find(b"\r\n", pos)
        if end < 0:
            if len(data) - pos > 1024:
                raise BodyError("a chunk-size line over 1024 bytes")
            return False, pos
        text = data[pos:end].split(b";", 1)[0].strip()
        try:
            size = int(text, 16)
        except ValueError:
            raise BodyError(f"chunk size {text[:20]!r} is not hexadecimal") from None
        if size == 0:
            rest = data[end + 2:]
            return rest.startswith(b"\r\n") or b"\r\n\r\n" in rest, pos
        following = end + 2 + size + 2
        if following > len(data):
            return False, pos
        pos = following
