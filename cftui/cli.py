"""Command line: `cftui` (the app), `cftui check` (headless, the contract), `cftui demo`.

Input is parsed and validated before anything starts; bad input gets one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cftui.engine.target import Target

# Nothing heavy at import time: `cftui check --help` answers before the engine loads.

from cftui.options import (  # re-exported: the command line's one namespace
    EXIT_FAIL,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
    _adhoc_target,
    _load_inventory,
    _no_domain_with_sources,
    _Parser,
    app_parser,
    check_parser,
    check_plan,
    check_targets,
    demo_parser,
    one_line,
    overrides,
)


def _need_terminal() -> None:
    """The app draws on a terminal; without one it would write escape codes to a file."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the app needs a terminal on stdin and stdout; "
                         "for scripts and pipes use: cftui check DOMAIN (or --config/--import)")


# --- running ---------------------------------------------------------------------------


def _colour_wanted(stream: Any) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and \
        os.environ.get("TERM") != "dumb"


#: Checks that run at once; connections are capped per origin and for the whole process
#: (engine.net.budget), so this only bounds the threads.
MAX_CHECKS_AT_ONCE = 256


def run_checks(targets: Sequence[Target], fmt: str, plan: Any = None) -> int:
    """Check every target at once and print the reports; with a CheckPlan, its origin
    groups are judged from their members' reports. Exit 1 when any report blocks (a
    group whose secondary saves it still exits 1: its primary's report blocks)."""
    from cftui.engine.net.budget import raise_descriptor_limit

    raise_descriptor_limit()  # before the engine sizes its connection cap
    from cftui.engine.pending import in_thread
    from cftui.engine.preload import preload
    from cftui.engine.run import check
    from cftui.engine.x509.anchors import TrustStoreError

    cancel = threading.Event()
    at_once = threading.BoundedSemaphore(MAX_CHECKS_AT_ONCE)

    def check_one(target: Target) -> Any:
        with at_once:
            return check(target, cancel=cancel)

    running = [in_thread(functools.partial(check_one, t), "cftui-check")[0] for t in targets]
    try:
        preload(targets)  # while the first round trips are in flight
        gc.freeze()
        gc.enable()
        reports = [r.result() for r in running]
    except TrustStoreError as exc:  # a CA file whose PEM framing hid a bad certificate
        cancel.set()
        raise UsageError(str(exc)) from None
    except KeyboardInterrupt:
        cancel.set()
        raise
    from cftui.engine import jsontext
    from cftui.engine import report as report_mod

    groups = _judge_groups(plan, reports) if plan is not None else []
    if fmt == "json":
        doc = (report_mod.to_json(reports[0]) if len(reports) == 1
               else report_mod.many_to_json(reports, groups))
        print(jsontext.dumps(doc))
    else:
        colour = _colour_wanted(sys.stdout)
        print("\n\n".join([report_mod.to_text(r, colour) for r in reports]
                          + [report_mod.group_text(g) for g in groups]))
    return EXIT_FAIL if any(r.verdict.would_fail for r in reports) else EXIT_OK


def _judge_groups(plan: Any, reports: Sequence[Any]) -> list[Any]:
    from cftui.engine.verdict.group import judge_group

    by_origin: dict[str, list[Any]] = {}
    for member, report in zip(plan.members, reports, strict=True):
        by_origin.setdefault(member, []).append(report)
    return [judge_group(g, by_origin, plan.unchecked) for g in plan.groups]


def cmd_check(argv: Sequence[str]) -> int:
    args = check_parser().parse_args(argv)
    try:
        chosen = check_plan(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    from cftui.engine.net import early

    early.open_for(chosen.targets)  # in flight while the engine loads (at most MAX_EARLY)
    try:
        return run_checks(chosen.targets, args.format, chosen)
    finally:
        early.close_unclaimed()


def cmd_demo(argv: Sequence[str]) -> int:
    args = demo_parser().parse_args(argv)
    if args.serve:
        from cftui.demo.serve import serve
        return serve()
    if not args.headless:
        _need_terminal()
    from cftui.demo.origins import DemoOrigins

    origins = DemoOrigins()
    with origins as demo:
        for note in origins.skipped:
            print(f"cftui: demo origin skipped, it cannot run here: {note}", file=sys.stderr)
        if args.headless:
            from cftui.sources.plan import CheckPlan

            plan = CheckPlan(tuple(d.target for d in demo), tuple(d.key for d in demo),
                             origins.groups)
            return run_checks(plan.targets, args.format, plan)
        from cftui.ui.app import CftuiApp, run_app
        from cftui.ui.logs import LogSource

        app = CftuiApp.from_demo(demo, ascii=args.ascii, logs=LogSource.demo())
        run_app(app, mouse=not args.no_mouse)
    return EXIT_OK


def cmd_schema(argv: Sequence[str]) -> int:
    _Parser(prog="cftui schema", description="Print the JSON Schema (draft 2020-12) of the "
            "reports `cftui check --format json` prints: cftui.report/1 and "
            "cftui.reports/1.").parse_args(argv)
    from cftui.engine.schema import schema_text

    sys.stdout.write(schema_text())
    return EXIT_OK


def _app_inventory(args: argparse.Namespace) -> Any:
    """The source for the app, refused as `cftui check` refuses it when it is empty."""
    from cftui.sources.model import SourceError

    inventory = _load_inventory(args)
    if inventory is None:
        return None
    try:
        if not inventory.distributions:
            raise SourceError("holds no distributions", file=inventory.source)
        if args.distribution or args.origin:
            inventory.find(args.distribution, args.origin)
    except SourceError as exc:
        raise UsageError(str(exc)) from None
    return inventory


def build_app(argv: Sequence[str], *, terminal: Any = None) -> tuple[Any, argparse.Namespace]:
    """The app for a command line, everything validated first; `terminal` checks that
    there is one (tests pass a no-op)."""
    need_terminal = terminal or _need_terminal
    args = app_parser().parse_args(argv)
    _no_domain_with_sources(args)
    try:
        given = overrides(args)
        start = _adhoc_target(args.domain, given) if args.domain else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not getattr(args, "aws", False):
        inventory = _app_inventory(args)
        need_terminal()
    else:
        need_terminal()  # before asking AWS anything
        inventory = _app_inventory(args)
    from cftui.ui.app import CftuiApp
    from cftui.ui.screens.adhoc import FormDefaults

    logs = _app_logs(args, inventory)
    app = CftuiApp.from_inventory(inventory, overrides=given, start_target=start,
                                  ascii=args.ascii, logs=logs)
    from dataclasses import replace  # not at import: `cftui --help` answers without it

    app.entries = replace(app.entries, adhoc=FormDefaults.from_options(given))
    return app, args


def _app_logs(args: argparse.Namespace, inventory: Any) -> Any:
    """--logs FILE…: checked here (a missing file is a usage error), read in the app."""
    if not args.logs:
        return None
    from cftui.logs import LogFileError
    from cftui.ui.logs import LogSource

    try:
        return LogSource.from_names(args.logs, inventory)
    except (LogFileError, OSError, ValueError) as exc:
        raise UsageError(f"--logs: {exc}") from None


def cmd_app(argv: Sequence[str]) -> int:
    app, args = build_app(argv)
    from cftui.ui.app import run_app

    run_app(app, mouse=not args.no_mouse)
    return EXIT_OK


def _cmd_logs(argv: Sequence[str]) -> int:
    from cftui.logs.cli import cmd_logs

    return cmd_logs(argv)


def _cmd_fix_chain(argv: Sequence[str]) -> int:
    from cftui.fixchain import cmd_fix_chain

    return cmd_fix_chain(argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands: dict[str, Callable[[Sequence[str]], int]] = {
        "check": cmd_check, "demo": cmd_demo, "schema": cmd_schema, "logs": _cmd_logs,
        "fix-chain": _cmd_fix_chain}
    command = commands.get(argv[0]) if argv else None
    try:
        if command is not None:
            return command(argv[1:])
        return cmd_app(argv)
    except UsageError as exc:
        print(f"cftui: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("cftui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        from cftui.engine.x509.anchors import TrustStoreError

        if not isinstance(exc, TrustStoreError):
            raise
        print(f"cftui: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE


def entry() -> None:
    """The `cftui` script. A headless check leaves as soon as its output is flushed,
    without the interpreter's teardown (joining idle threads, freeing every module:
    tens of milliseconds that the user would wait for after the answer is printed)."""
    argv = sys.argv[1:]
    if argv[:1] == ["check"]:
        # the modules and the trust store a check loads live until it exits: the cyclic
        # collector would walk them again and again while the first connections wait
        # (it comes back, with all of them frozen, once they are loaded: run_checks)
        gc.disable()
    code = main(argv)
    if argv[:1] == ["check"]:
        with contextlib.suppress(BrokenPipeError):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()


__all__ = [
    "EXIT_FAIL", "EXIT_OK", "EXIT_USAGE", "UsageError", "app_parser", "build_app",
    "check_parser", "check_plan", "check_targets", "cmd_app", "cmd_check", "cmd_demo",
    "cmd_schema", "demo_parser", "entry", "main", "one_line", "overrides", "run_checks",
]
