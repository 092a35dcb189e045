"""Loading never writes: not the user's files, not anything else; and no textual import."""

from __future__ import annotations

import builtins
import contextlib
import io
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cftui.sources import SourceError, find_config, load_config, load_export

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _snapshot(root: Path) -> dict[str, tuple[int, int, bytes]]:
    return {str(p.relative_to(root)): (p.stat().st_mode, p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(root.rglob("*")) if p.is_file()}


@contextlib.contextmanager
def no_writes() -> Iterator[list[str]]:
    """Fail any open for writing while the loaders run (root ignores file modes)."""
    attempts: list[str] = []
    real_open: Callable[..., Any] = builtins.open
    real_os_open = os.open

    def guarded_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(flag in mode for flag in "wax+"):
            attempts.append(f"open({file!r}, {mode!r})")
            raise PermissionError(f"write attempted: {file}")
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & _WRITE_FLAGS:
            attempts.append(f"os.open({path!r})")
            raise PermissionError(f"write attempted: {path}")
        return real_os_open(path, flags, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(builtins, "open", guarded_open)
        patch.setattr(io, "open", guarded_open)
        patch.setattr(os, "open", guarded_os_open)
        yield attempts


def test_the_guard_catches_writes(tmp_path: Path) -> None:
    with no_writes() as attempts:
        with pytest.raises(PermissionError):
            (tmp_path / "x.txt").write_text("x")
        with pytest.raises(PermissionError):
            os.open(tmp_path / "y.txt", os.O_CREAT | os.O_WRONLY)
    assert len(attempts) == 2


def test_loaders_write_nothing(tmp_path: Path, data_dir: Path, example_toml: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "readonly"
    shutil.copytree(data_dir, copy)
    shutil.copy(example_toml, copy / "cftui.toml")
    (copy / "bad.toml").write_text('[[distribution]]\nid = "E1"\nbogus = 1\n')
    for path in copy.iterdir():
        path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    copy.chmod(stat.S_IRUSR | stat.S_IXUSR)
    before = _snapshot(copy)
    monkeypatch.chdir(copy)
    try:
        with no_writes() as attempts:
            assert find_config(None) == copy / "cftui.toml"
            assert load_config(copy / "cftui.toml").distributions
            for export in sorted(copy.glob("*.json")):
                load_export(export)
            with pytest.raises(SourceError):
                load_config(copy / "bad.toml")
            with pytest.raises(SourceError):
                load_export(copy / "absent.json")
    finally:
        copy.chmod(stat.S_IRWXU)
    assert attempts == []
    assert _snapshot(copy) == before
    assert sorted(p.name for p in copy.iterdir()) == sorted(before)


def test_sources_never_import_textual_or_boto3() -> None:
    code = ("import sys, cftui.sources, cftui.sources.aws_live; "
            "print(sorted(m for m in ('textual', 'boto3', 'botocore') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).resolve().parents[2])
    assert result.stdout.strip() == "[]"
