"""Command-line options: parsers, and turning what was typed into validated Targets.

Everything here runs before any network work: bad input raises UsageError (one line,
exit status 2). Nothing heavy is imported at module load, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, NoReturn

from cftui import __version__
from cftui.textsafe import printable_line

if TYPE_CHECKING:
    from cftui.engine.target import Target

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
    return printable_line(text)


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
        from cftui.engine.x509 import client

        client.load(cert, str(key_file))
        out.update(client_cert=cert, client_key=key_file)
    completion = getattr(args, "response_completion_timeout", None)
    if completion is not None:
        out["response_completion_timeout"] = validate.timeout(
            completion, profile.TimeoutRange(30, 1, 86400), "--response-completion-timeout")
    return out


def _ca_file(path: str) -> str:
    """A CA bundle: a regular file under the cap holding PEM certificates (the framing
    checked here, before anything connects; parsed by the check, see engine/preload)."""
    from cftui.engine import targets
    from cftui.engine.x509.anchors import TrustStoreError, check_pem_file

    path = targets.ca_file(path)
    try:
        check_pem_file(path)
    except TrustStoreError as exc:
        raise ValueError(str(exc)) from None
    return path


def check_command(target: Target) -> str:
    """The `cftui check` command line that checks this target the same way again: every
    setting that differs from what the command line assumes is spelled out."""
    import shlex

    from cftui.engine import profile

    words = ["cftui", "check", target.domain]
    if target.port != 443:
        words += ["--port", str(target.port)]
    if target.protocols != profile.DEFAULT_PROTOCOLS:
        words += ["--protocols", ",".join(p.value for p in target.protocols)]
    for address in target.connect_to:
        words += ["--connect-to", address]
    if target.host_header:
        words += ["--host-header", target.host_header]
    if target.ca_file:
        words += ["--ca-file", target.ca_file]
    for option, value, default in (
            ("--connect-timeout", target.connect_timeout, profile.CONNECTION_TIMEOUT.default),
            ("--read-timeout", target.read_timeout, profile.ORIGIN_READ_TIMEOUT.default)):
        if value != default:
            words += [option, f"{value:g}"]
    return " ".join(shlex.quote(w) for w in words)


def _adhoc_target(domain: str, given: dict[str, Any]) -> Target:
    from cftui.engine import targets

    return targets.make_target(domain, **given)


def _load_inventory(args: argparse.Namespace) -> Any:
    from pathlib import Path  # not for a plain DOMAIN: checks start sooner without it

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
    from cftui.sources.plan import CheckPlan

    return CheckPlan((_adhoc_target(args.domain, given),), ("",))
