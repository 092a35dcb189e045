"""Export the current check's report as Markdown or JSON (the contract's report)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from cftui.engine import jsontext
from cftui.engine import report as report_mod
from cftui.engine.results import Report
from cftui.engine.target import Target

FORMATS = {".md": "markdown", ".markdown": "markdown", ".json": "json"}


def default_name(report: Report, now: float | None = None) -> str:
    """`cftui-<domain>-<yyyymmdd-hhmmss>.md`; the domain reduced to safe file characters."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now if now is not None else
                                                          time.time()))
    domain = re.sub(r"[^A-Za-z0-9.-]+", "_", report.target.domain).strip("._-")[:80]
    return f"cftui-{domain or 'origin'}-{stamp}.md"


def format_for(path: Path) -> str:
    """"markdown" or "json" by extension; ValueError for anything else."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise ValueError(f"{path.name}: use a .md or .json file name")
    return kind


def render(report: Report, kind: str) -> str:
    if kind == "json":
        return jsontext.dumps(report_mod.to_json(report)) + "\n"
    return report_mod.to_markdown(report)


def resolve(name: str, cwd: Path | None = None) -> Path:
    """The path the user meant: ~ expanded, relative to the working directory."""
    path = Path(name.strip()).expanduser()
    return path if path.is_absolute() else (cwd or Path.cwd()) / path


def write(report: Report, path: Path, *, overwrite: bool = False) -> Path:
    """Write the report; FileExistsError unless overwrite, OSError for the rest."""
    text = render(report, format_for(path))
    with open(path, "w" if overwrite else "x", encoding="utf-8") as out:
        out.write(text)
    return path


def describe_error(exc: OSError, path: Path) -> str:
    """One line for the user: what went wrong, no traceback."""
    if isinstance(exc, FileNotFoundError):
        return f"no such directory: {path.parent}"
    if isinstance(exc, PermissionError):
        return f"permission denied: {path}"
    if isinstance(exc, IsADirectoryError):
        return f"is a directory: {path}"
    return f"cannot write {path}: {exc.strerror or exc}"


def save_command(command: str, target: Target, directory: Path | None = None) -> Path:
    """Write an s_client command to `cftui-s_client-<domain>[-n].sh` in `directory` (the
    working directory by default), never over an existing file; returns the path."""
    domain = re.sub(r"[^A-Za-z0-9.-]+", "_", target.domain).strip("._-")[:80] or "origin"
    folder = directory or Path.cwd()
    for n in range(100):
        path = folder / f"cftui-s_client-{domain}{f'-{n}' if n else ''}.sh"
        try:
            with open(path, "x", encoding="utf-8") as out:
                out.write("#!/bin/sh\n" + command + "\n")
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"too many cftui-s_client-{domain}*.sh files in {folder}")
