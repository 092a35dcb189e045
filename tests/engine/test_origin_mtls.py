"""Origin mTLS: the real handshake presents a client certificate the way CloudFront does."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from support import SessionPki

from cftui.cli import check_parser, overrides
from cftui.demo.pki import leaf, root_ca
from cftui.engine.causes import CauseCode
from cftui.engine.results import Report
from cftui.engine.targets import make_target


def _codes(report: Report) -> list[CauseCode]:
    return [c.code for c in report.verdict.causes]


def _client(pki: SessionPki, tmp_path: Path, stem: str, **options: Any) -> dict[str, str]:
    files = leaf(pki.client_ca, common_name=f"cftui {stem}", client=True, key_index=4,
                 **options).write(tmp_path, stem)
    return {"client_cert": str(files.cert), "client_key": str(files.key)}


def test_without_mtls_the_request_is_blocking(run_check: Callable[..., Report],
                                              s_server: Callable[..., Any],
                                              pki: SessionPki) -> None:
    server = s_server(verify_ca=pki.client_ca)
    assert CauseCode.TLS_CLIENT_CERT_REQUIRED in _codes(run_check(server.port))


def test_configured_without_a_certificate_is_unverified(run_check: Callable[..., Report],
                                                       s_server: Callable[..., Any],
                                                       pki: SessionPki) -> None:
    server = s_server(verify_ca=pki.client_ca)
    report = run_check(server.port, mtls=True)
    assert _codes(report) == [CauseCode.MTLS_UNVERIFIED] and not report.verdict.would_fail
    http = report.per_address[0].http
    assert http is not None and "none was supplied" in (http.error or "")


def test_accepted_client_certificate(run_check: Callable[..., Report],
                                     s_server: Callable[..., Any], pki: SessionPki) -> None:
    server = s_server(verify_ca=pki.client_ca)
    files = pki.client_files
    report = run_check(server.port, mtls=True, client_cert=str(files.cert),
                       client_key=str(files.key))
    assert not report.verdict.would_fail, report.verdict.causes
    http = report.per_address[0].http
    assert http is not None and http.status_code == 200


def test_certificate_from_another_ca_is_rejected(run_check: Callable[..., Report],
                                                 s_server: Callable[..., Any],
                                                 pki: SessionPki, tmp_path: Path) -> None:
    server = s_server(verify_ca=pki.client_ca)
    other = root_ca("Somebody Else's CA", key_index=5)
    files = leaf(other, common_name="stranger", client=True, key_index=4).write(tmp_path, "x")
    report = run_check(server.port, mtls=True, client_cert=str(files.cert),
                       client_key=str(files.key))
    rejected = [c for c in report.verdict.causes if c.code is CauseCode.TLS_CLIENT_CERT_REJECTED]
    assert rejected and "unknown ca" in rejected[0].message
    assert report.verdict.http_status == 502


def test_expired_client_certificate_is_judged(run_check: Callable[..., Report],
                                              s_server: Callable[..., Any],
                                              pki: SessionPki, tmp_path: Path) -> None:
    server = s_server(verify_ca=pki.client_ca)
    given = _client(pki, tmp_path, "expired", not_before=timedelta(days=-30),
                    not_after=timedelta(days=-1))
    report = run_check(server.port, mtls=True, **given)
    codes = _codes(report)
    assert CauseCode.MTLS_CLIENT_CERT_INVALID in codes
    assert CauseCode.TLS_CLIENT_CERT_REJECTED in codes
    invalid = next(c for c in report.verdict.causes
                   if c.code is CauseCode.MTLS_CLIENT_CERT_INVALID)
    assert "expired" in invalid.message


def test_server_purpose_is_judged(pki: SessionPki, tmp_path: Path) -> None:
    from cftui.engine.x509 import client

    files = leaf(pki.client_ca, common_name="server", key_index=4).write(tmp_path, "srv")
    assert client.problems(client.load(str(files.cert), str(files.key))) == [
        "its extended key usage lacks clientAuth"]


def test_key_must_match(pki: SessionPki, tmp_path: Path) -> None:
    other = leaf(pki.client_ca, common_name="other", client=True, key_index=5).write(
        tmp_path, "other")
    with pytest.raises(ValueError, match="does not match"):
        make_target("origin.example.com", client_cert=str(pki.client_files.cert),
                    client_key=str(other.key))
    with pytest.raises(ValueError, match="both"):
        make_target("origin.example.com", client_cert=str(pki.client_files.cert))
    with pytest.raises(ValueError, match="not a regular file"):
        make_target("origin.example.com", client_cert="/dev/zero", client_key="/dev/zero")


def test_cli_options(pki: SessionPki) -> None:
    args = check_parser().parse_args([
        "origin.example.com", "--client-cert", str(pki.client_files.cert), "--client-key",
        str(pki.client_files.key), "--ip-address-type", "dualstack", "--http-version",
        "http2", "--response-completion-timeout", "60", "--connection-attempts", "2"])
    target = make_target("origin.example.com", **overrides(args))
    assert (target.mtls, target.ip_address_type, target.http_version,
            target.response_completion_timeout, target.connection_attempts) == (
        True, "dualstack", "http2", 60.0, 2)
    with pytest.raises(ValueError, match="at least the read timeout"):
        make_target("origin.example.com", read_timeout=30, response_completion_timeout=10)
