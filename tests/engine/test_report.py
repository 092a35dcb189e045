"""The JSON report keeps the contract's shape (CONTRACT.md, `cftui.report/1`).

`assert_report_shape` checks every field the contract lists: its type, its enum, and the
ISO 8601 UTC times. Extra fields are allowed (the contract only ever adds fields).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support import SessionPki

from cftui.demo.loopback import free_port_on
from cftui.engine import report as report_mod
from cftui.engine.profile import Protocol
from cftui.engine.results import Report

NAME = "origin.example.com"
STAGE_IDS = ("dns", "tcp", "tls", "certificate", "http")
STATUSES = {"pass", "warn", "fail", "skipped"}
PROTOCOLS = {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}
ORIGIN_PROTOCOLS = PROTOCOLS - {"TLSv1.3"}
SEVERITIES = {"error", "warning"}
BLOCKING_CODES = {
    "dns-unresolved", "tcp-refused", "tcp-timeout", "not-tls", "tls-protocol-mismatch",
    "tls-cipher-mismatch", "tls-client-cert-required", "tls-handshake-failed",
    "cert-name-mismatch", "cert-chain-incomplete", "cert-chain-order", "cert-untrusted",
    "cert-expired", "cert-not-yet-valid", "cert-key-unsupported", "origin-read-timeout",
    "origin-bad-response",
}
WARNING_CODES = {"cert-expiring-soon", "cert-name-cn-only", "cert-extra-certs",
                 "legacy-protocol", "address-inconsistent", "origin-error-status"}
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)$")


# --- the validator -------------------------------------------------------------------------


def _type(value: Any, kinds: tuple[type, ...] | type, where: str) -> None:
    kinds = kinds if isinstance(kinds, tuple) else (kinds,)
    if isinstance(value, bool) and bool not in kinds:
        raise AssertionError(f"{where}: bool where {kinds} expected")
    assert isinstance(value, kinds), f"{where}: {value!r} is not {kinds}"


def _str_or_none(value: Any, where: str) -> None:
    _type(value, (str, type(None)), where)


def _str_list(value: Any, where: str) -> None:
    _type(value, list, where)
    for i, item in enumerate(value):
        _type(item, str, f"{where}[{i}]")


def _iso_utc(value: Any, where: str) -> None:
    _type(value, str, where)
    assert ISO_UTC.match(value), f"{where}: {value!r} is not ISO 8601 UTC"
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.utcoffset() == dt.timedelta(0), where


def _keys(obj: Any, keys: set[str], where: str) -> None:
    _type(obj, dict, where)
    missing = keys - set(obj)
    assert not missing, f"{where}: missing {sorted(missing)}"


def assert_report_shape(doc: Any) -> None:
    """Raise AssertionError unless `doc` (parsed JSON) is a `cftui.report/1` report."""
    _keys(doc, {"schema", "target", "stages", "protocols", "certificate", "verdict"}, "report")
    assert doc["schema"] == "cftui.report/1"

    target = doc["target"]
    _keys(target, {"domain", "port", "sni", "host_header", "protocols", "addresses"}, "target")
    _type(target["domain"], str, "target.domain")
    _type(target["port"], int, "target.port")
    assert 1 <= target["port"] <= 65535
    _type(target["sni"], str, "target.sni")
    _str_or_none(target["host_header"], "target.host_header")
    _str_list(target["protocols"], "target.protocols")
    assert set(target["protocols"]) <= ORIGIN_PROTOCOLS, target["protocols"]
    _str_list(target["addresses"], "target.addresses")

    _type(doc["stages"], list, "stages")
    ids = []
    for i, stage in enumerate(doc["stages"]):
        where = f"stages[{i}]"
        _keys(stage, {"id", "status", "summary", "duration_ms"}, where)
        assert stage["id"] in STAGE_IDS, f"{where}.id {stage['id']!r}"
        assert stage["status"] in STATUSES, f"{where}.status {stage['status']!r}"
        _type(stage["summary"], str, f"{where}.summary")
        _type(stage["duration_ms"], (float, int), f"{where}.duration_ms")
        assert stage["duration_ms"] >= 0
        ids.append(stage["id"])
    assert len(ids) == len(set(ids)), ids

    _type(doc["protocols"], list, "protocols")
    for i, p in enumerate(doc["protocols"]):
        where = f"protocols[{i}]"
        _keys(p, {"protocol", "enabled", "accepted", "cipher", "accepted_ciphers", "error"},
              where)
        assert p["protocol"] in PROTOCOLS, f"{where}.protocol {p['protocol']!r}"
        _type(p["enabled"], bool, f"{where}.enabled")
        _type(p["accepted"], (bool, type(None)), f"{where}.accepted")
        _str_or_none(p["cipher"], f"{where}.cipher")
        _str_list(p["accepted_ciphers"], f"{where}.accepted_ciphers")
        _str_or_none(p["error"], f"{where}.error")

    cert = doc["certificate"]
    if cert is not None:
        _keys(cert, {"chain", "name_match", "matched_name", "trusted", "chain_complete",
                     "missing_issuer", "days_left"}, "certificate")
        _type(cert["chain"], list, "certificate.chain")
        assert cert["chain"], "certificate.chain is empty"
        for i, c in enumerate(cert["chain"]):
            where = f"certificate.chain[{i}]"
            _keys(c, {"subject", "issuer", "serial", "not_before", "not_after", "san",
                      "key_type", "key_bits", "signature_algorithm", "sha256"}, where)
            for key in ("subject", "issuer", "serial", "key_type", "signature_algorithm"):
                _type(c[key], str, f"{where}.{key}")
            _iso_utc(c["not_before"], f"{where}.not_before")
            _iso_utc(c["not_after"], f"{where}.not_after")
            _str_list(c["san"], f"{where}.san")
            _type(c["key_bits"], int, f"{where}.key_bits")
            _type(c["sha256"], str, f"{where}.sha256")
            assert re.fullmatch(r"[0-9A-Fa-f:]{64,95}", c["sha256"]), c["sha256"]
        _type(cert["name_match"], bool, "certificate.name_match")
        _str_or_none(cert["matched_name"], "certificate.matched_name")
        _type(cert["trusted"], bool, "certificate.trusted")
        _type(cert["chain_complete"], bool, "certificate.chain_complete")
        _str_or_none(cert["missing_issuer"], "certificate.missing_issuer")
        _type(cert["days_left"], int, "certificate.days_left")

    v = doc["verdict"]
    _keys(v, {"would_fail", "http_status", "causes"}, "verdict")
    _type(v["would_fail"], bool, "verdict.would_fail")
    assert v["http_status"] in (502, 504, None), v["http_status"]
    _type(v["causes"], list, "verdict.causes")
    for i, c in enumerate(v["causes"]):
        where = f"verdict.causes[{i}]"
        _keys(c, {"code", "severity", "stage", "message", "fix"}, where)
        _type(c["code"], str, f"{where}.code")
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", c["code"]), c["code"]
        assert c["severity"] in SEVERITIES, f"{where}.severity {c['severity']!r}"
        assert c["stage"] in STAGE_IDS, f"{where}.stage {c['stage']!r}"
        _type(c["message"], str, f"{where}.message")
        _type(c["fix"], str, f"{where}.fix")
        assert c["message"] and c["fix"], where
        if c["code"] in BLOCKING_CODES:
            assert c["severity"] == "error", c
        if c["code"] in WARNING_CODES:
            assert c["severity"] == "warning", c
    blocking = any(c["severity"] == "error" for c in v["causes"])
    assert v["would_fail"] is blocking
    assert (v["http_status"] is not None) is blocking


def assert_reports_shape(doc: Any) -> None:
    _keys(doc, {"schema", "reports"}, "document")
    assert doc["schema"] == "cftui.reports/1"
    _type(doc["reports"], list, "reports")
    for report in doc["reports"]:
        assert_report_shape(report)


def as_json(report: Report) -> Any:
    """What a script gets: dumped strictly (no NaN) and parsed back."""
    return json.loads(json.dumps(report_mod.to_json(report), allow_nan=False))


# --- the validator catches what it should ----------------------------------------------------


def test_validator_rejects_wrong_shapes() -> None:
    good = {
        "schema": "cftui.report/1",
        "target": {"domain": NAME, "port": 443, "sni": NAME, "host_header": None,
                   "protocols": ["TLSv1.2"], "addresses": []},
        "stages": [{"id": "dns", "status": "fail", "summary": "x", "duration_ms": 1.5}],
        "protocols": [], "certificate": None,
        "verdict": {"would_fail": True, "http_status": 502, "causes": [
            {"code": "dns-unresolved", "severity": "error", "stage": "dns", "message": "m",
             "fix": "f"}]},
    }
    assert_report_shape(good)
    broken = [
        ("stages", [{"id": "dns", "status": "failed", "summary": "x", "duration_ms": 1.0}]),
        ("protocols", [{"protocol": "TLSv1.2", "enabled": True, "accepted": "yes",
                        "cipher": None, "accepted_ciphers": [], "error": None}]),
        ("verdict", {"would_fail": True, "http_status": 503, "causes": []}),
        ("verdict", {"would_fail": False, "http_status": None, "causes": [
            {"code": "tcp-timeout", "severity": "warning", "stage": "tcp", "message": "m",
             "fix": "f"}]}),
    ]
    for key, value in broken:
        with pytest.raises(AssertionError):
            assert_report_shape({**good, key: value})
    with pytest.raises(AssertionError):
        _iso_utc("2026-01-01T10:00:00+02:00", "t")


# --- real reports ----------------------------------------------------------------------------


def test_healthy_report(run_check, tls_origin) -> None:
    doc = as_json(run_check(tls_origin(min_version="TLSv1.2").port))
    assert_report_shape(doc)
    assert [s["id"] for s in doc["stages"]] == list(STAGE_IDS)
    assert [s["status"] for s in doc["stages"]] == ["pass"] * 5
    assert doc["verdict"] == {"would_fail": False, "http_status": None, "causes": []}
    assert [p["protocol"] for p in doc["protocols"]] == ["SSLv3", "TLSv1", "TLSv1.1",
                                                         "TLSv1.2", "TLSv1.3"]
    by_name = {p["protocol"]: p for p in doc["protocols"]}
    assert by_name["TLSv1.2"]["enabled"] is True and by_name["TLSv1.2"]["accepted"] is True
    assert by_name["TLSv1.2"]["cipher"] in by_name["TLSv1.2"]["accepted_ciphers"]
    assert by_name["TLSv1.1"]["accepted"] is False and by_name["TLSv1.1"]["error"]
    assert by_name["TLSv1.3"]["enabled"] is False
    cert = doc["certificate"]
    assert cert["trusted"] and cert["chain_complete"] and cert["name_match"]
    assert cert["matched_name"] == NAME and cert["missing_issuer"] is None
    assert [c["subject"] for c in cert["chain"]] == ["CN = origin.example.com",
                                                      "CN = cftui Test Intermediate CA"]
    assert cert["chain"][0]["san"] == [NAME, "www.origin.example.com"]
    assert (cert["chain"][0]["key_type"], cert["chain"][0]["key_bits"]) == ("RSA", 2048)
    assert doc["target"] == {**doc["target"], "domain": NAME, "sni": NAME,
                             "host_header": None, "protocols": ["TLSv1.2"],
                             "addresses": ["127.0.0.1"]}
    _iso_utc(doc["started_at"], "started_at")


def test_dns_failure_report(run_check) -> None:
    doc = as_json(run_check(443, domain="no-such-origin.cftui.invalid", connect_to=()))
    assert_report_shape(doc)
    assert doc["protocols"] == [] and doc["certificate"] is None
    assert doc["target"]["addresses"] == []
    assert [s["status"] for s in doc["stages"]] == ["fail"] + ["skipped"] * 4
    assert [c["code"] for c in doc["verdict"]["causes"]] == ["dns-unresolved"]


def test_tls13_only_report_has_the_certificate_read_over_tls13(run_check, tls_origin) -> None:
    doc = as_json(run_check(tls_origin(min_version="TLSv1.3").port))
    assert_report_shape(doc)
    assert doc["certificate"]["trusted"] is True and doc["certificate"]["name_match"] is True
    tls13 = next(p for p in doc["protocols"] if p["protocol"] == "TLSv1.3")
    assert tls13["accepted"] is True and tls13["cipher"] is None


def test_plain_http_report_has_untried_protocols(run_check, plain_http_origin) -> None:
    doc = as_json(run_check(plain_http_origin().port))
    assert_report_shape(doc)
    assert all(p["accepted"] is None for p in doc["protocols"])


def test_broken_certificate_and_timeout_reports(run_check, tls_origin, pki: SessionPki) -> None:
    leaf = pki.issue(NAME, not_before=dt.timedelta(days=-100), not_after=dt.timedelta(days=-10))
    expired = as_json(run_check(tls_origin(leaf, ()).port))
    assert_report_shape(expired)
    assert expired["certificate"]["days_left"] < 0
    assert expired["certificate"]["chain_complete"] is False
    assert expired["certificate"]["missing_issuer"] == "CN = cftui Test Intermediate CA"
    slow = as_json(run_check(tls_origin(behaviour="delay:5").port))
    assert_report_shape(slow)
    assert slow["verdict"]["http_status"] == 504


def test_two_address_report(run_check, tls_origin, pki: SessionPki) -> None:
    port = free_port_on("127.0.0.1", "127.0.0.2")
    tls_origin(host="127.0.0.1", port=port)
    tls_origin(pki.issue("stale.example.com"), host="127.0.0.2", port=port)
    doc = as_json(run_check(port, connect_to=("127.0.0.1", "127.0.0.2"),
                            protocols=(Protocol.TLSv1_1, Protocol.TLSv1_2)))
    assert_report_shape(doc)
    assert doc["target"]["addresses"] == ["127.0.0.1", "127.0.0.2"]
    assert doc["target"]["protocols"] == ["TLSv1.1", "TLSv1.2"]
    # the single certificate field describes the failing address
    assert doc["certificate"]["name_match"] is False


def test_report_with_a_host_header(run_check, tls_origin, pki: SessionPki) -> None:
    server = tls_origin(pki.issue("default.example.com"),
                        sni={"www.example.com": pki.issue("www.example.com")})
    doc = as_json(run_check(server.port, host_header="www.example.com"))
    assert_report_shape(doc)
    assert doc["target"]["sni"] == doc["target"]["host_header"] == "www.example.com"
    assert doc["certificate"]["matched_name"] == "www.example.com"


def test_many_to_json(run_check, tls_origin) -> None:
    reports = [run_check(tls_origin().port), run_check(free_port_on("127.0.0.1"))]
    doc = json.loads(json.dumps(report_mod.many_to_json(reports), allow_nan=False))
    assert_reports_shape(doc)
    assert [r["verdict"]["would_fail"] for r in doc["reports"]] == [False, True]


def test_text_and_markdown_lead_with_the_verdict(run_check, tls_origin) -> None:
    report = run_check(tls_origin(behaviour="close").port)
    text = report_mod.to_text(report)
    assert text.splitlines()[0] == f"{NAME}: CloudFront would answer 502 (origin-bad-response)"
    assert "fix:" in text and "\x1b[" not in text
    assert "\x1b[" in report_mod.to_text(report, colour=True)
    markdown = report_mod.to_markdown(report)
    assert markdown.startswith(f"# cftui report: {NAME}\n")
    assert "**origin-bad-response** (error)" in markdown


# --- the multi-origin document from `cftui check --config` -------------------------------------


def test_check_config_with_two_origins(tmp_path: Path, tls_origin, pki: SessionPki) -> None:
    good = tls_origin(min_version="TLSv1.2")
    bad = tls_origin(pki.issue("other.example.com"))
    config = tmp_path / "cftui.toml"
    config.write_text(f"""
[[distribution]]
id = "E2EXAMPLE1ABC"
name = "shop"

[[distribution.origin]]
id = "good"
domain = "{NAME}"
https_port = {good.port}
connect_to = ["127.0.0.1"]
ca_file = "{pki.ca_file}"
connect_timeout = 1
read_timeout = 1

[[distribution.origin]]
id = "bad"
domain = "{NAME}"
https_port = {bad.port}
protocols = ["TLSv1.1", "TLSv1.2"]
connect_to = ["127.0.0.1"]
ca_file = "{pki.ca_file}"
connect_timeout = 1
read_timeout = 1
""")
    done = subprocess.run([sys.executable, "-m", "cftui", "check", "--config", str(config),
                           "--format", "json"], capture_output=True, text=True, timeout=30)
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""
    doc = json.loads(done.stdout)
    assert_reports_shape(doc)
    reports = {r["target"]["label"]: r for r in doc["reports"]}
    assert set(reports) == {"E2EXAMPLE1ABC / good", "E2EXAMPLE1ABC / bad"}
    assert reports["E2EXAMPLE1ABC / good"]["verdict"]["causes"] == []
    assert reports["E2EXAMPLE1ABC / bad"]["target"]["protocols"] == ["TLSv1.1", "TLSv1.2"]
    assert [c["code"] for c in reports["E2EXAMPLE1ABC / bad"]["verdict"]["causes"]] == [
        "cert-name-mismatch"]
