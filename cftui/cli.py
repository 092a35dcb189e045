"""Command line: `cftui` (the app), `cftui check` (headless, the contract), `cftui demo`.

Input is parsed and validated before anything starts; bad input gets one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, NoReturn

from cftui import __version__
from cftui.engine import profile, validate
from cftui.engine.model import Target
from cftui.engine.x509.judge import TrustStoreError, trust_anchors
from cftui.logs.cli import cmd_logs

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input: shown as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _target_options(parser: argparse.ArgumentParser) -> None:
    o = parser.add_argument
    o("--port", help="the origin's HTTPS port (HTTPSPort); default 443")
    o("--protocols", help="comma list of OriginSslProtocols: SSLv3,TLSv1,TLSv1.1,TLSv1.2 "
      "(default TLSv1.2)")
    o("--host-header", metavar="NAME",
      help="the viewer Host header CloudFront forwards: the SNI and the name to match")
    o("--connect-to", metavar="ADDRESS", action="append",
      help="connect to this IP address instead of resolving the domain (repeatable)")
    o("--ca-file", metavar="PEM", help="extra trust anchors, added to Mozilla's list")
    o("--connect-timeout", metavar="S", help="CloudFront's ConnectionTimeout, 1-10 s")
    o("--read-timeout", metavar="S", help="CloudFront's OriginReadTimeout, 1-180 s")


def _source_options(parser: argparse.ArgumentParser) -> None:
    src = parser.add_mutually_exclusive_group()
    src.add_argument("--config", metavar="FILE", help="a cftui TOML file")
    src.add_argument("--import", dest="import_file", metavar="FILE",
                     help="JSON printed by aws cloudfront get-distribution(-config) or "
                     "list-distributions")
    parser.add_argument("--distribution", metavar="ID", help="which distribution in the file")
    parser.add_argument("--origin", metavar="ID", help="which origin (default: all)")


def check_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cftui check", description="Check origins as CloudFront would, headless.")
    p.add_argument("domain", nargs="?", help="the origin domain")
    _source_options(p)
    _target_options(p)
    p.add_argument("--no-http", action="store_true", help="skip the HTTP request stage")
    p.add_argument("--format", choices=("text", "json"), default="text")
    return p


def app_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cftui", description="Find out why CloudFront cannot reach an origin "
                "over HTTPS. Commands: cftui check …, cftui demo.")
    p.add_argument("domain", nargs="?", help="check this origin domain right away")
    _source_options(p)
    p.add_argument("--aws", action="store_true", help="list distributions of a live account")
    p.add_argument("--profile", help="AWS profile for --aws")
    _target_options(p)
    _ui_options(p)
    p.add_argument("--version", action="version", version=f"cftui {__version__}")
    return p


def _ui_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-mouse", action="store_true", help="leave the mouse to the terminal")
    p.add_argument("--ascii", action="store_true", help="no line-drawing characters")


def demo_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cftui demo", description="Start broken origins on 127.0.0.1 and open "
                "the app on them (or check them headless).")
    p.add_argument("--headless", action="store_true", help="check them all and print reports")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--serve", action="store_true", help="keep the origins running and print "
                   "a cftui check command for each")
    _ui_options(p)
    return p


# --- turning options into targets ----------------------------------------------------


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Validated command-line values; None where not given (the file's value stays)."""
    out: dict[str, Any] = {
        "port": validate.port(args.port) if args.port is not None else None,
        "protocols": validate.protocols(args.protocols) if args.protocols else None,
        "host_header": (validate.domain(args.host_header, "--host-header")
                        if args.host_header else None),
        "connect_to": (tuple(validate.address(a) for a in args.connect_to)
                       if args.connect_to else None),
        "ca_file": args.ca_file,
        "connect_timeout": (validate.timeout(args.connect_timeout, profile.CONNECTION_TIMEOUT,
                                             "--connect-timeout")
                            if args.connect_timeout is not None else None),
        "read_timeout": (validate.timeout(args.read_timeout, profile.ORIGIN_READ_TIMEOUT,
                                          "--read-timeout")
                         if args.read_timeout is not None else None),
    }
    if args.ca_file:
        try:
            trust_anchors(args.ca_file)
        except TrustStoreError as exc:
            raise UsageError(str(exc)) from None
    if getattr(args, "no_http", False):
        out["http"] = False
    return out


def _adhoc_target(domain: str, given: dict[str, Any]) -> Target:
    values = {k: v for k, v in given.items() if v is not None}
    return Target(domain=validate.domain(domain), **values)


def _checked(target: Target) -> Target:
    """A target read from a file, refused up front when its domain or CA file is bad."""
    try:
        validate.domain(target.domain)
        if target.ca_file:
            trust_anchors(target.ca_file)
    except (ValueError, TrustStoreError) as exc:
        raise UsageError(f"{target.label or target.domain}: {exc}") from None
    return target


def _load_inventory(args: argparse.Namespace) -> Any:
    from cftui.sources.model import SourceError
    from cftui.sources.toml_config import find_config, load_config

    try:
        if args.import_file:
            from cftui.sources.aws_export import load_export

            return load_export(Path(args.import_file))
        if getattr(args, "aws", False):
            from cftui.sources.aws_live import load_account

            return load_account(args.profile)
        path = find_config(Path(args.config) if args.config else None)
        return load_config(path) if path else None
    except SourceError as exc:
        raise UsageError(str(exc)) from None


def check_targets(args: argparse.Namespace) -> list[Target]:
    given = overrides(args)
    if args.config or args.import_file:
        if args.domain:
            raise UsageError("give either a DOMAIN or --config/--import, not both")
        from cftui.sources.model import SourceError

        inventory = _load_inventory(args)
        try:
            _, origins = inventory.find(args.distribution, args.origin)
        except SourceError as exc:
            raise UsageError(str(exc)) from None
        return [_checked(origin.to_target(**given)) for origin in origins]
    if not args.domain:
        raise UsageError("give an origin DOMAIN, or --config/--import FILE")
    return [_adhoc_target(args.domain, given)]


# --- running ---------------------------------------------------------------------------


def _colour_wanted(stream: Any) -> bool:
    return stream.isatty() and "NO_COLOR" not in os.environ and \
        os.environ.get("TERM") != "dumb"


def run_checks(targets: Sequence[Target], fmt: str) -> int:
    from cftui.engine import report as report_mod
    from cftui.engine.run import check

    cancel = threading.Event()
    with ThreadPoolExecutor(max_workers=min(16, len(targets)) or 1) as pool:
        futures = [pool.submit(check, t, cancel=cancel) for t in targets]
        try:
            reports = [f.result() for f in futures]
        except KeyboardInterrupt:
            cancel.set()
            raise
    if fmt == "json":
        doc = (report_mod.to_json(reports[0]) if len(reports) == 1
               else report_mod.many_to_json(reports))
        print(json.dumps(doc, indent=2))
    else:
        colour = _colour_wanted(sys.stdout)
        print("\n\n".join(report_mod.to_text(r, colour) for r in reports))
    return EXIT_FAIL if any(r.verdict.would_fail for r in reports) else EXIT_OK


def cmd_check(argv: Sequence[str]) -> int:
    args = check_parser().parse_args(argv)
    try:
        targets = check_targets(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return run_checks(targets, args.format)


def cmd_demo(argv: Sequence[str]) -> int:
    args = demo_parser().parse_args(argv)
    if args.serve:
        from cftui.demo.serve import serve
        return serve()
    from cftui.demo.origins import DemoOrigins

    origins = DemoOrigins()
    with origins as demo:
        for note in origins.skipped:
            print(f"cftui: demo origin skipped, it cannot run here: {note}", file=sys.stderr)
        if args.headless:
            return run_checks([d.target for d in demo], args.format)
        from cftui.ui.app import CftuiApp, run_app

        app = CftuiApp.from_demo(demo, ascii=args.ascii)
        run_app(app, mouse=not args.no_mouse)
    return EXIT_OK


def cmd_schema(argv: Sequence[str]) -> int:
    _Parser(prog="cftui schema", description="Print the JSON Schema (draft 2020-12) of the "
            "reports `cftui check --format json` prints: cftui.report/1 and "
            "cftui.reports/1.").parse_args(argv)
    from cftui.engine.schema import schema_text

    sys.stdout.write(schema_text())
    return EXIT_OK


def cmd_app(argv: Sequence[str]) -> int:
    args = app_parser().parse_args(argv)
    try:
        given = overrides(args)
        start = _adhoc_target(args.domain, given) if args.domain else None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    inventory = _load_inventory(args)
    from cftui.ui.app import CftuiApp, run_app

    app = CftuiApp.from_inventory(inventory, overrides=given, start_target=start,
                                  ascii=args.ascii)
    run_app(app, mouse=not args.no_mouse)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from cftui.fixchain import cmd_fix_chain

    commands = {"check": cmd_check, "demo": cmd_demo, "schema": cmd_schema, "logs": cmd_logs,
                "fix-chain": cmd_fix_chain}
    command = commands.get(argv[0]) if argv else None
    try:
        if command is not None:
            return command(argv[1:])
        return cmd_app(argv)
    except UsageError as exc:
        print(f"cftui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except TrustStoreError as exc:
        print(f"cftui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("cftui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
