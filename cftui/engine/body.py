"""Reading a response body to its end, to time it against ResponseCompletionTimeout.

Only the framing is parsed (Content-Length, chunked, or close-delimited); the bytes
are counted and dropped. Reading stops at `profile.COMPLETION_BODY_LIMIT`: a body
that long is counted as complete for the timing, and the report says so.
"""

from __future__ import annotations

from collections.abc import Sequence


class BodyError(Exception):
    """The body's framing is broken (a chunk size that is not hex)."""


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
    if kind == "length":
        return len(body) >= (length or 0)
    if kind == "chunked":
        return _chunked_complete(body)
    return False  # close-delimited: complete at EOF only


def _chunked_complete(data: bytes | bytearray) -> bool:
    pos = 0
    while True:
        end = data.find(b"\r\n", pos)
        if end < 0:
            if len(data) - pos > 1024:
                raise BodyError("a chunk-size line over 1024 bytes")
            return False
        text = data[pos:end].split(b";", 1)[0].strip()
        try:
            size = int(text, 16)
        except ValueError:
            raise BodyError(f"chunk size {text[:20]!r} is not hexadecimal") from None
        if size == 0:
            rest = data[end + 2:]
            return rest.startswith(b"\r\n") or b"\r\n\r\n" in rest
        pos = end + 2 + size + 2
        if pos > len(data):
            return False
