"""Command line: `cftui` (the app), `cftui check` (headless, the contract), `cftui demo`.

Input is parsed and validated before anything starts; bad input gets one line on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from cftui import __version__

if TYPE_CHECKING:
    from cftui.engine.model import Target

# Nothing heavy at import time: `cftui check --help` answers before the engine loads.

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
    o("--connection-attempts", metavar="N", help="CloudFront's ConnectionAttempts, 1-3 "
      "(default 3): a refused or reset connection is tried again")
    o("--ip-address-type", metavar="TYPE", help="CloudFront's IpAddressType: ipv4 (default), "
      "ipv6 or dualstack: the address family it connects over")
    o("--client-cert", metavar="PEM", help="origin mTLS: the client certificate (chain) to "
      "present, as CloudFront presents the one named by OriginMtlsConfig")
    o("--client-key", metavar="PEM", help="origin mTLS: the client certificate's key")
    o("--http-version", metavar="VERSION", help="CloudFront's OriginHttpVersion: http1.1 "
      "(default) or http2")
    o("--response-completion-timeout", metavar="S", help="CloudFront's "
      "ResponseCompletionTimeout: the whole response, at least the read timeout")
    o("--max-connections", metavar="N", help="connections to the origin open at once, 1-256 "
      "(default 32): lower it for origins behind connection limits")


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
    p.add_argument("--logs", nargs="+", metavar="FILE", help="CloudFront access logs (files "
                   "or directories): each origin's 502/504 rate in the picker, ctrl+l to plot")
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


def one_line(text: str) -> str:
    """An error message as one printable line (values in it came from the user)."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


# --- turning options into targets ----------------------------------------------------


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Validated command-line values; None where not given (the file's value stays)."""
    from cftui.engine import profile, validate

    timeouts = (("connect_timeout", profile.CONNECTION_TIMEOUT, "--connect-timeout"),
                ("read_timeout", profile.ORIGIN_READ_TIMEOUT, "--read-timeout"))
    out: dict[str, Any] = {
        "port": validate.port(args.port, "--port") if args.port is not None else None,
        "protocols": (validate.protocols(args.protocols)
                      if args.protocols is not None else None),
        "host_header": (validate.domain(args.host_header, "--host-header")
                        if args.host_header is not None else None),
        "connect_to": (tuple(dict.fromkeys(validate.address(a) for a in args.connect_to))
                       if args.connect_to else None),
        "ca_file": _ca_file(args.ca_file) if args.ca_file is not None else None,
        **{key: (validate.timeout(getattr(args, key), limits, what)
                 if getattr(args, key) is not None else None)
           for key, limits, what in timeouts},
    }
    if getattr(args, "max_connections", None) is not None:
        out["max_connections"] = validate.max_connections(args.max_connections)
    out.update(_origin_overrides(args))
    if getattr(args, "no_http", False):
        out["http"] = False
    return out


def _origin_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """--connection-attempts, --ip-address-type, --client-cert/--client-key,
    --http-version, --response-completion-timeout (checked again in make_target)."""
    from cftui.engine import profile, validate
    from cftui.engine.x509 import client

    out: dict[str, Any] = {}
    attempts = getattr(args, "connection_attempts", None)
    if attempts is not None:
        if not attempts.strip().isdigit() or not 1 <= int(attempts) <= 3:
            raise ValueError(f"--connection-attempts {validate.shown(attempts)} must be 1-3")
        out["connection_attempts"] = int(attempts)
    for key, allowed, option in (("ip_address_type", profile.IP_ADDRESS_TYPES,
                                  "--ip-address-type"),
                                 ("http_version", profile.HTTP_VERSIONS, "--http-version")):
        value = getattr(args, key, None)
        if value is not None:
            if value not in allowed:
                raise ValueError(f"{option} {validate.shown(value)} must be one of "
                                 f"{', '.join(allowed)}")
            out[key] = value
    cert, key_file = getattr(args, "client_cert", None), getattr(args, "client_key", None)
    if (cert is None) != (key_file is None):
        raise ValueError("--client-cert and --client-key go together")
    if cert is not None:
        client.load(cert, str(key_file))
        out.update(client_cert=cert, client_key=key_file)
    completion = getattr(args, "response_completion_timeout", None)
    if completion is not None:
        out["response_completion_timeout"] = validate.timeout(
            completion, profile.TimeoutRange(30, 1, 86400), "--response-completion-timeout")
    return out


_PARSED_CA_FILES: set[str] = set()


def _ca_file(path: str) -> str:
    """A CA bundle: a regular file under the cap, whose PEM parses (once per path)."""
    from cftui.engine import targets
    from cftui.engine.x509.anchors import TrustStoreError, load_pem_file

    path = targets.ca_file(path)
    if path not in _PARSED_CA_FILES:
        try:
            load_pem_file(path)
        except (TrustStoreError, OSError) as exc:
            raise ValueError(str(exc)) from None
        _PARSED_CA_FILES.add(path)
    return path


def _adhoc_target(domain: str, given: dict[str, Any]) -> Target:
    from cftui.engine import targets

    return targets.make_target(domain, **given)


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


def _no_domain_with_sources(args: argparse.Namespace) -> None:
    if args.domain and (args.config or args.import_file or getattr(args, "aws", False)):
        raise UsageError("give either a DOMAIN or --config/--import, not both")
    if args.domain and (args.distribution or args.origin):
        raise UsageError("--distribution and --origin choose from --config/--import; "
                         "with a DOMAIN they mean nothing")


def check_targets(args: argparse.Namespace) -> list[Target]:
    return list(check_plan(args).targets)


def check_plan(args: argparse.Namespace) -> Any:
    """The targets to check (a CheckPlan: one per origin and viewer Host, with the origin
    groups to judge)."""
    from cftui.sources.plan import CheckPlan

    _no_domain_with_sources(args)
    given = overrides(args)
    if args.config or args.import_file:
        from cftui.engine import validate
        from cftui.sources.model import SourceError
        from cftui.sources.plan import plan

        inventory = _load_inventory(args)
        try:
            dist, origins = inventory.find(args.distribution, args.origin)
        except SourceError as exc:
            raise UsageError(str(exc)) from None
        try:
            chosen = plan(dist, origins, given)
            for target in chosen.targets:
                if target.ca_file:
                    try:
                        _ca_file(target.ca_file)
                    except ValueError as exc:
                        raise ValueError(f"{target.label}: {exc}") from None
        except ValueError as exc:
            raise UsageError(validate.label(str(exc))) from None
        return chosen
    if args.distribution or args.origin:
        raise UsageError("--distribution and --origin need --config or --import")
    if not args.domain:
        raise UsageError("give an origin DOMAIN, or --config/--import FILE")
    return CheckPlan((_adhoc_target(args.domain, given),), ("",))


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
    from concurrent.futures import ThreadPoolExecutor

    from cftui.engine.net.budget import raise_descriptor_limit

    raise_descriptor_limit()  # before the engine sizes its connection cap
    if any(t.http for t in targets):
        # OpenSSL's bindings load here, before the first connection: loaded in the
        # request's worker they would hold the interpreter while the scan starts
        import cftui.engine.http  # noqa: F401

    from cftui.engine import jsontext
    from cftui.engine import report as report_mod
    from cftui.engine.run import check

    cancel = threading.Event()
    with ThreadPoolExecutor(max_workers=min(MAX_CHECKS_AT_ONCE, len(targets)) or 1) as pool:
        futures = [pool.submit(check, t, cancel=cancel) for t in targets]
        try:
            reports = [f.result() for f in futures]
        except KeyboardInterrupt:
            cancel.set()
            raise
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
    return run_checks(chosen.targets, args.format, chosen)


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
    app.entries = replace(app.entries, adhoc=FormDefaults.from_options(given))
    return app, args


def _app_logs(args: argparse.Namespace, inventory: Any) -> Any:
    """--logs FILE…: checked here (a missing file is a usage error), read in the app."""
    if not args.logs:
        return None
    from cftui.logs import LogFileError
    from cftui.ui.logs import LogSource

    try:
        return LogSource.from_names(args.logs, inventory, args.import_file)
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


if __name__ == "__main__":
    sys.exit(main())
