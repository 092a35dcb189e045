"""Reading files named on the command line or in a config: regular files only, capped.

`/dev/zero` would be read forever and a FIFO without a writer blocks `open()`;
both are refused before a byte is read. The open is non-blocking so that a FIFO
cannot hang it, and the read stops one byte past the cap.
"""

from __future__ import annotations

import errno
import os
import stat

#: Size caps by kind: a hand-written config, an AWS CLI export (list-distributions
#: of a large account), a PEM bundle (Mozilla's is ~0.25 MB).
CONFIG_LIMIT = 256 << 10
EXPORT_LIMIT = 64 << 20
CA_FILE_LIMIT = 8 << 20


class FileError(ValueError):
    """A file that cannot be used; the message is one line, without the file name."""


def _size(limit: int) -> str:
    return f"{limit >> 20} MB" if limit >= 1 << 20 else f"{limit >> 10} KB"


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; FileError otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise FileError(f"cannot read: {exc.strerror or exc}") from None
    except (ValueError, TypeError):
        raise FileError("cannot read: not a usable file name") from None
    try:
        _refuse_unless_regular(os.fstat(fd), limit)
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise FileError(f"too large: over {_size(limit)}")
        return b"".join(chunks)
    except OSError as exc:
        if exc.errno == errno.EAGAIN:
            raise FileError("cannot read: would block") from None
        raise FileError(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def check_regular(path: str | os.PathLike[str], limit: int) -> None:
    """Refuse a path that is not a regular file under `limit` bytes (stat only: cheap
    enough to run for every target built)."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise FileError(f"cannot read: {exc.strerror or exc}") from None
    except (ValueError, TypeError):
        raise FileError("cannot read: not a usable file name") from None
    _refuse_unless_regular(info, limit)


def _refuse_unless_regular(info: os.stat_result, limit: int) -> None:
    if stat.S_ISDIR(info.st_mode):
        raise FileError("cannot read: is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise FileError("cannot read: not a regular file (a device, FIFO or socket)")
    if info.st_size > limit:
        raise FileError(f"too large: {info.st_size} bytes, the limit is {_size(limit)}")


def version(path: str | os.PathLike[str]) -> tuple[int, int, int] | None:
    """What tells one content of a file from the next (inode, mtime, size), for caches
    that read a file once per version: a file changed while the TUI runs is read
    again. None when it cannot be looked at (the read then says why)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError, TypeError):
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size
