"""`cftui logs FILE…`: 502/504 over time per distribution and origin, from access logs."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from cftui.engine import jsontext
from cftui.logs import reader, render
from cftui.logs.attribute import Attributor, routes_from_inventory
from cftui.logs.summary import Summariser
from cftui.options import one_line

EXIT_OK, EXIT_USAGE = 0, 2


class LogsUsageError(Exception):
    """Shown as one line; exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise LogsUsageError(message)


def logs_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cftui logs", description="Summarise CloudFront access logs (standard "
                "W3C or v2 JSON lines, gzip or plain): 502 and 504 responses over time per "
                "distribution and origin, with x-edge-detailed-result-type.")
    p.add_argument("files", nargs="*", metavar="FILE", help="log files or directories")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--config", metavar="FILE", help="a cftui TOML file (distributions)")
    src.add_argument("--import", dest="import_file", metavar="FILE",
                     help="aws cloudfront get-distribution / list-distributions JSON: "
                     "its cache behaviours attribute requests to origins")
    p.add_argument("--demo", action="store_true", help="read the shipped demo log")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--ascii", action="store_true", help="ASCII sparklines")
    return p


def _attributor(args: argparse.Namespace, notes: list[str]) -> tuple[Attributor, str]:
    if args.demo and not (args.config or args.import_file):
        from cftui.logs.demo import DEMO_ROUTES

        return Attributor([DEMO_ROUTES]), "behaviours"
    if not (args.config or args.import_file):
        return Attributor(), "host"
    from cftui.sources.model import SourceError

    try:
        if args.import_file:
            from cftui.sources.aws_export import load_export

            inventory = load_export(Path(args.import_file))
        else:
            from cftui.sources.toml_config import load_config

            inventory = load_config(Path(args.config))
    except SourceError as exc:
        raise LogsUsageError(str(exc)) from None
    routes, found = routes_from_inventory(inventory)
    notes.extend(found)
    by_behaviour = any(d.default_origin is not None for d in inventory.distributions)
    return Attributor(routes), "behaviours" if by_behaviour else "config"


def _progress(total: int, stream: TextIO) -> Callable[[int], None]:
    last = [0.0]

    def show(done: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.2:
            return
        last[0] = now
        share = f" ({done * 100 // total}%)" if total else ""
        stream.write(f"\rreading {_mb(done)} / {_mb(total)}{share}   ")
        stream.flush()

    return show


def _mb(n: int) -> str:
    return f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.1f} MB"


def cmd_logs(argv: Sequence[str]) -> int:
    """Entry point for cftui.cli's command table."""
    try:
        return _run(argv)
    except (LogsUsageError, reader.LogFileError) as exc:
        print(f"cftui: {one_line(str(exc))}", file=sys.stderr)  # file names are untrusted
        return EXIT_USAGE


def _run(argv: Sequence[str]) -> int:
    args = logs_parser().parse_args(argv)
    names = list(args.files)
    if args.demo:
        from cftui.logs.demo import demo_log_path

        names.append(str(demo_log_path()))
    if not names:
        raise LogsUsageError("give log FILEs (or a directory), or --demo")
    notes: list[str] = []
    attributor, attribution = _attributor(args, notes)
    paths = reader.expand(names)
    summariser = Summariser(attributor)
    summariser.notes.extend(notes)
    show = _progress(sum(p.stat().st_size for p in paths), sys.stderr) \
        if sys.stderr.isatty() else None
    summariser.add_files(paths, show)
    if show is not None:
        sys.stderr.write("\r" + " " * 40 + "\r")
    summary = summariser.result()
    if args.format == "json":
        print(jsontext.dumps(render.to_json(summary, attribution=attribution)))
    else:
        print(render.to_text(summary, ascii=args.ascii))
    return EXIT_OK
