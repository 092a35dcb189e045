"""`cftui fix-chain`: build the chain CloudFront needs and write it as PEM.

Runs the check, takes the chain the origin sent (from an address whose verdict has
cert-chain-incomplete, cert-chain-order or cert-extra-certs, else the first), fetches
missing issuers over AIA, orders leaf → intermediates without the root, verifies it
with the check's own verifier, writes it and says how to install it.

Exit status: 0 when a verified chain was written, and also when the origin already
sends the complete chain in order (nothing to fix: nothing is written, since a file
identical to what is installed helps nobody); 1 when no chain could be built or written
(one line says why); 2 on bad usage, an existing --out file without --force included.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from cftui.engine.results import Report
from cftui.engine.x509.repair import CHAIN_CAUSES, Repair, cert_label, pick_address, repair_chain
from cftui.options import (
    EXIT_FAIL,
    EXIT_OK,
    UsageError,
    _adhoc_target,
    _Parser,
    _target_options,
    check_command,
    overrides,
)
from cftui.textsafe import one_line

_EPILOG = ("Exit status: 0 chain written (or nothing to fix: the origin already sends it "
           "complete and in order, nothing is written), 1 no chain could be built, "
           "2 bad usage.")


def fix_chain_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="cftui fix-chain", epilog=_EPILOG,
                description="Build the certificate chain CloudFront needs (leaf, then "
                "intermediates, no root; missing issuers fetched from their AIA "
                "caIssuers URL) and write it as PEM.")
    p.add_argument("domain", help="the origin domain")
    _target_options(p)
    p.add_argument("--out", metavar="FILE", default="fullchain.pem",
                   help="where to write the chain (default fullchain.pem)")
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.add_argument("--fetch-timeout", metavar="S", default="10",
                   help="deadline for each issuer fetch over HTTP, 1-60 s (default 10)")
    return p


def _fetch_timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"--fetch-timeout: not a number: {text!r}") from None
    if not 1 <= value <= 60:
        raise UsageError(f"--fetch-timeout: {value:g} is outside 1-60 s")
    return value


def _why_no_certificate(report: Report) -> str:
    blocking = report.verdict.first_fix
    if blocking is not None:
        return one_line(blocking.message)
    return one_line(report.dns_error or "the origin sent no certificate")


def install_help(out: str) -> list[str]:
    """How to install the written chain on common servers and in ACM."""
    f = shlex.quote(out)
    return [
        "Install it (key.pem is your private key; leaf.pem is the first certificate",
        f"of {out}, chain.pem the others):",
        f"  nginx       ssl_certificate {f};  (ssl_certificate_key key.pem; unchanged)",
        f"  Apache      2.4.8+: SSLCertificateFile {f}; older: SSLCertificateFile leaf.pem",
        "              with SSLCertificateChainFile chain.pem",
        f"  HAProxy     crt: one PEM with the key appended: cat {f} key.pem > site.pem",
        f"  Caddy       tls {f} key.pem",
        "  IIS         import the intermediates into the computer's",
        "              \"Intermediate Certification Authorities\" store",
        "  ACM         aws acm import-certificate --certificate fileb://leaf.pem "
        "--certificate-chain fileb://chain.pem --private-key fileb://key.pem",
        "              (add --certificate-arn ARN to re-import over the certificate in use)",
    ]


def _write(path: Path, data: bytes, force: bool) -> str | None:
    """Write the file; None, or why it could not be written."""
    try:
        with path.open("wb" if force else "xb") as handle:
            handle.write(data)
    except FileExistsError:
        return f"{path} exists: give --force to overwrite it"
    except OSError as exc:
        return f"cannot write {path}: {exc.strerror or exc}"
    return None


def _summary(repair: Repair, out: str, address: str) -> list[str]:
    names = " → ".join(one_line(cert_label(c)) for c in repair.chain)
    lines = [f"cftui: wrote {out}: {len(repair.chain)} certificate"
             f"{'s' if len(repair.chain) > 1 else ''} from {address}, {names}",
             f"  verified up to {one_line(repair.root or '?')} (the root is left out)"]
    lines += [f"  fetched {one_line(f.subject)} from {one_line(f.url)}" for f in repair.fetched]
    lines += [f"  left out {one_line(d)}" for d in repair.dropped]
    return lines


def cmd_fix_chain(argv: Sequence[str]) -> int:
    from cftui.engine.run import check

    args = fix_chain_parser().parse_args(argv)
    try:
        given = overrides(args)
        given["http"] = False  # the chain is all this needs
        target = _adhoc_target(args.domain, given)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    fetch_timeout = _fetch_timeout(args.fetch_timeout)
    out = Path(args.out)
    if out.is_dir():
        raise UsageError(f"--out {args.out}: a directory")
    if out.exists() and not args.force:
        raise UsageError(f"{args.out} exists: give --force to overwrite it")

    report = check(target)
    chosen = pick_address(report)
    if chosen is None or chosen.certificate is None:
        return _fail(f"no certificate to repair: {_why_no_certificate(report)}")
    try:
        repair = repair_chain([c.der for c in chosen.certificate.chain], target.ca_file,
                              fetch_timeout=fetch_timeout,
                              connect_timeout=target.connect_timeout)
    except ValueError as exc:
        return _fail(f"the leaf certificate does not parse: {exc}")
    if not repair.ok:
        return _fail(f"cannot build the chain: {repair.problem}")
    if not repair.changed:
        print(f"cftui: {target.domain} ({chosen.address}) already sends the complete chain "
              "in order: nothing to fix, nothing written")
        return EXIT_OK
    if error := _write(out, repair.pem, args.force):
        return _fail(error)
    others = sorted({c.code.value for c in report.verdict.causes
                     if c.blocking and c.code not in CHAIN_CAUSES})
    also = [f"  the check also found: {', '.join(others)} (the chain does not fix these)"]
    print("\n".join([*_summary(repair, one_line(args.out), chosen.address),
                     *(also if others else []), "",
                     *install_help(one_line(args.out)), "",
                     "Then check again:", f"  {check_command(target)}"]))
    return EXIT_OK


def _fail(why: str) -> int:
    print(f"cftui: {one_line(why)}", file=sys.stderr)
    return EXIT_FAIL
