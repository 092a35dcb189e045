"""Certificates origins really send make `cryptography` warn; cftui keeps that off stderr
(where it would land on the TUI) without changing the process's warning filters."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import warnings
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from support import SessionPki

from cftui.demo.pki import Issued, make_name
from cftui.demo.servers import TlsOrigin

NAME = "origin.example.com"
IMPORTS = "cftui.engine.x509.info, cftui.engine.x509.judge, cftui.engine.run, cftui.cli"


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter that shows every warning once per place (`-W default`)."""
    return subprocess.run([sys.executable, "-W", "default", *args], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)


def _certificates(doc: Any) -> list[dict[str, Any]]:
    """Every object in a JSON report that describes a certificate."""
    if isinstance(doc, list):
        return [c for item in doc for c in _certificates(item)]
    if not isinstance(doc, dict):
        return []
    own = [doc] if "serial" in doc and "subject" in doc else []
    return own + [c for value in doc.values() for c in _certificates(value)]


def test_importing_the_engine_leaves_the_warning_filters_alone() -> None:
    code = (f"import warnings\nbefore = list(warnings.filters)\nimport {IMPORTS}\n"
            "assert warnings.filters == before, warnings.filters[:3]\n")
    out = _python("-c", code)
    assert out.returncode == 0, out.stderr


def _serial_zero(pki: SessionPki) -> Issued:
    """A leaf with serial number 0, properly signed by the intermediate (the builder
    refuses 0: build with 1, set the byte, sign the new TBS; the lengths do not change)."""
    issuer = pki.intermediate
    assert isinstance(issuer.key, rsa.RSAPrivateKey)
    key = pki.leaf.key
    when = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(make_name(NAME))
            .issuer_name(issuer.cert.subject).public_key(key.public_key()).serial_number(1)
            .not_valid_before(when - timedelta(days=1)).not_valid_after(when + timedelta(days=9))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(NAME)]), False)
            .sign(issuer.key, hashes.SHA256()))
    der = bytearray(cert.public_bytes(serialization.Encoding.DER))
    at = der.index(b"\xa0\x03\x02\x01\x02\x02\x01\x01") + 7  # version 3, then serial 1
    der[at] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tbs = x509.load_der_x509_certificate(bytes(der)).tbs_certificate_bytes
        signature = issuer.key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
        der[-len(signature):] = signature
        zero = x509.load_der_x509_certificate(bytes(der))
        assert zero.serial_number == 0
    return Issued(zero, key, issuer)


def _long_common_name(pki: SessionPki) -> Issued:
    return pki.issue(NAME, common_name="o" * 70)


@pytest.mark.parametrize("make", [_serial_zero, _long_common_name],
                         ids=["serial-0", "cn-over-64"])
def test_checking_an_odd_certificate_prints_nothing_on_stderr(
        make: Callable[[SessionPki], Issued], pki: SessionPki,
        tls_origin: Callable[..., TlsOrigin]) -> None:
    issued = make(pki)
    origin = tls_origin(issued)
    out = _python("-m", "cftui", "check", NAME, "--port", str(origin.port),
               "--connect-to", "127.0.0.1", "--ca-file", str(pki.ca_file), "--format", "json")
    assert out.stderr == ""
    seen = {c["sha256"] for c in _certificates(json.loads(out.stdout))}
    assert hashlib.sha256(issued.der).hexdigest().upper() in seen  # the check saw it
