"""The JSON report keeps the contract's shape (CONTRACT.md, `cftui.report/1`).

Every document is checked against the JSON Schema that ships in the package and that
`cftui schema` prints (tests/support/schema.py); extra fields are allowed (the contract
only ever adds fields). The tests below first make sure that check can fail.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from support import SessionPki
from support.schema import (
    assert_valid_report,
    schema_errors,
    stage_status_problems,
    valid_json,
)

from cftui.demo.loopback import free_port_on
from cftui.engine import report as report_mod
from cftui.engine.profile import Protocol
from cftui.engine.schema import load_schema

NAME = "origin.example.com"
STAGE_IDS = ("dns", "tcp", "tls", "certificate", "http")


# --- the schema, and that it rejects what it should -------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["$defs"]) >= {"report", "reports", "group"}


def _minimal() -> dict[str, Any]:
    """A valid report with only what a DNS failure has: no addresses, no certificate."""
    return {
        "schema": "cftui.report/1",
        "target": {"domain": NAME, "port": 443, "sni": NAME, "host_header": None,
                   "protocols": ["TLSv1.2"], "addresses": [], "label": None},
        "stages": [{"id": "dns", "status": "fail", "summary": "x", "duration_ms": 1.5}] + [
            {"id": s, "status": "skipped", "summary": "x", "duration_ms": 0.0}
            for s in STAGE_IDS[1:]],
        "protocols": [], "certificate": None, "http": None,
        "verdict": {"would_fail": True, "http_status": 502, "causes": [
            {"code": "dns-unresolved", "severity": "error", "stage": "dns", "message": "m",
             "fix": "f", "address": None}]},
        "per_address": [], "started_at": "2026-01-01T10:00:00Z", "duration_ms": 2.0,
        "cancelled": False, "cftui_version": "0.1.0",
    }


def _with(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of doc with the value at "a/0/b" replaced (or removed when value is
    DELETE)."""
    doc = copy.deepcopy(doc)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split("/")]
    node: Any = doc
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return doc


DELETE = object()

BROKEN = [
    ("stages/0/status", "failed"),
    ("stages/0/id", "ssl"),
    ("verdict", DELETE),
    ("verdict/http_status", 500),
    ("verdict/http_status", None),  # would_fail without a status
    ("verdict/would_fail", False),  # a blocking cause that does not fail
    ("verdict/causes/0/severity", "fatal"),
    ("verdict/causes/0/code", "DNS_unresolved"),
    ("verdict/causes/0/fix", ""),
    ("target/port", 70000),
    ("target/port", "443"),
    ("target/protocols", ["TLSv1.3"]),
    ("target/host_header", DELETE),
    ("started_at", "2026-01-01T10:00:00+02:00"),
    ("schema", "cftui.report/2"),
    ("protocols", [{"protocol": "TLSv1.2", "enabled": True, "accepted": "yes",
                    "cipher": None, "accepted_ciphers": [], "error": None,
                    "broad_cipher": None, "address": "127.0.0.1", "connections": 1}]),
    ("certificate", {"chain": []}),
]


def test_the_minimal_report_is_valid() -> None:
    assert schema_errors(_minimal()) == []
    assert_valid_report(_minimal())
    assert_valid_report({"schema": "cftui.reports/1", "reports": [_minimal()], "groups": [
        {"id": "failover", "primary": "a", "secondary": "b", "would_fail": True}]})


@pytest.mark.parametrize(("path", "value"), BROKEN,
                         ids=[f"{p}={'deleted' if v is DELETE else v}" for p, v in BROKEN])
def test_the_schema_rejects(path: str, value: Any) -> None:
    broken = _with(_minimal(), path, value)
    assert schema_errors(broken)
    with pytest.raises(AssertionError, match="not a valid cftui report"):
        assert_valid_report(broken)


def test_the_schema_rejects_broken_lists_of_reports() -> None:
    many = {"schema": "cftui.reports/1", "reports": [_minimal()]}
    for broken in (_with(many, "reports", DELETE),
                   _with(many, "reports/0/verdict/http_status", 500),
                   {**many, "groups": [{"id": "g", "primary": "a", "secondary": "b"}]}):
        assert schema_errors(broken)


def test_contract_rules_beyond_the_schema() -> None:
    # a schema cannot say these; assert_valid_report still must
    for path, value in (("stages/1/id", "dns"), ("stages/0/status", "pass"),
                        ("verdict/causes/0/code", "cert-expiring-soon")):
        broken = _with(_minimal(), path, value)
        with pytest.raises(AssertionError, match="breaks the contract"):
            assert_valid_report(broken)


def test_a_real_report_with_a_field_removed_is_rejected(run_check, tls_origin) -> None:
    doc = valid_json(run_check(tls_origin().port))
    for path in ("certificate/chain/0/sha256", "protocols/3/accepted", "per_address/0/http",
                 "http/outcome", "target/sni"):
        assert schema_errors(_with(doc, path, DELETE)), path


def test_each_stage_status_is_the_worst_of_its_causes(run_check, tls_origin,
                                                      pki: SessionPki) -> None:
    port = free_port_on("127.0.0.1", "127.0.0.2")
    tls_origin(host="127.0.0.1", port=port)
    tls_origin(pki.issue("stale.example.com"), host="127.0.0.2", port=port)
    two = valid_json(run_check(port, connect_to=("127.0.0.1", "127.0.0.2")))
    client_cert = valid_json(run_check(tls_origin(client_ca=pki.client_ca, min_version="TLSv1.2",
                                                  max_version="TLSv1.2").port))
    assert stage_status_problems(two) + stage_status_problems(client_cert) == []


# --- real reports ----------------------------------------------------------------------------


def test_healthy_report(run_check, tls_origin) -> None:
    doc = valid_json(run_check(tls_origin(min_version="TLSv1.2").port))
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


def test_dns_failure_report(run_check) -> None:
    doc = valid_json(run_check(443, domain="no-such-origin.cftui.invalid", connect_to=()))
    assert doc["protocols"] == [] and doc["certificate"] is None
    assert doc["target"]["addresses"] == []
    assert [s["status"] for s in doc["stages"]] == ["fail"] + ["skipped"] * 4
    assert [c["code"] for c in doc["verdict"]["causes"]] == ["dns-unresolved"]


def test_tls13_only_report_has_the_certificate_read_over_tls13(run_check, tls_origin) -> None:
    doc = valid_json(run_check(tls_origin(min_version="TLSv1.3").port))
    assert doc["certificate"]["trusted"] is True and doc["certificate"]["name_match"] is True
    tls13 = next(p for p in doc["protocols"] if p["protocol"] == "TLSv1.3")
    assert tls13["accepted"] is True and tls13["cipher"] is None


def test_plain_http_report_says_no_protocol_is_spoken(run_check, plain_http_origin) -> None:
    doc = valid_json(run_check(plain_http_origin().port))  # reached, answers in no TLS
    assert all(p["accepted"] is False for p in doc["protocols"])


def test_broken_certificate_and_timeout_reports(run_check, tls_origin, pki: SessionPki) -> None:
    leaf = pki.issue(NAME, not_before=dt.timedelta(days=-100), not_after=dt.timedelta(days=-10))
    expired = valid_json(run_check(tls_origin(leaf, ()).port))
    assert expired["certificate"]["days_left"] < 0
    assert expired["certificate"]["chain_complete"] is False
    assert expired["certificate"]["missing_issuer"] == "CN = cftui Test Intermediate CA"
    slow = valid_json(run_check(tls_origin(behaviour="delay:5").port))
    assert slow["verdict"]["http_status"] == 504


def test_two_address_report(run_check, tls_origin, pki: SessionPki) -> None:
    port = free_port_on("127.0.0.1", "127.0.0.2")
    tls_origin(host="127.0.0.1", port=port)
    tls_origin(pki.issue("stale.example.com"), host="127.0.0.2", port=port)
    doc = valid_json(run_check(port, connect_to=("127.0.0.1", "127.0.0.2"),
                            protocols=(Protocol.TLSv1_1, Protocol.TLSv1_2)))
    assert doc["target"]["addresses"] == ["127.0.0.1", "127.0.0.2"]
    assert doc["target"]["protocols"] == ["TLSv1.1", "TLSv1.2"]
    # the single certificate field describes the failing address
    assert doc["certificate"]["name_match"] is False


def test_report_with_a_host_header(run_check, tls_origin, pki: SessionPki) -> None:
    server = tls_origin(pki.issue("default.example.com"),
                        sni={"www.example.com": pki.issue("www.example.com")})
    doc = valid_json(run_check(server.port, host_header="www.example.com"))
    assert doc["target"]["sni"] == doc["target"]["host_header"] == "www.example.com"
    assert doc["certificate"]["matched_name"] == "www.example.com"


def test_many_to_json(run_check, tls_origin) -> None:
    reports = [run_check(tls_origin().port), run_check(free_port_on("127.0.0.1"))]
    doc = json.loads(json.dumps(report_mod.many_to_json(reports), allow_nan=False))
    assert_valid_report(doc)
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
    assert_valid_report(doc)
    reports = {r["target"]["label"]: r for r in doc["reports"]}
    assert set(reports) == {"E2EXAMPLE1ABC / good", "E2EXAMPLE1ABC / bad"}
    assert reports["E2EXAMPLE1ABC / good"]["verdict"]["causes"] == []
    assert reports["E2EXAMPLE1ABC / bad"]["target"]["protocols"] == ["TLSv1.1", "TLSv1.2"]
    assert [c["code"] for c in reports["E2EXAMPLE1ABC / bad"]["verdict"]["causes"]] == [
        "cert-name-mismatch"]
