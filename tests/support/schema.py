"""Every report the tests see is checked against the shipped JSON Schema (`cftui schema`).

`assert_valid_report(doc)` takes either document (cftui.report/1 or cftui.reports/1) and adds
the contract's cross-field rules that a schema cannot say (`contract_problems`): stage ids are
unique, a code the contract lists has its listed severity, and every blocking cause's stage
failed.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator

from cftui.engine import report as report_mod
from cftui.engine.results import Report
from cftui.engine.schema import load_schema

#: Severity of the codes CONTRACT.md lists (the schema only checks a code's spelling).
BLOCKING_CODES = frozenset({
    "dns-unresolved", "tcp-refused", "tcp-timeout", "not-tls", "tls-protocol-mismatch",
    "tls-cipher-mismatch", "tls-client-cert-required", "tls-client-cert-rejected",
    "tls-handshake-failed", "cert-name-mismatch", "cert-chain-incomplete", "cert-chain-order",
    "cert-untrusted", "cert-expired", "cert-not-yet-valid", "cert-key-unsupported",
    "cert-signature-weak", "origin-not-public", "origin-read-timeout", "origin-bad-response",
    "origin-completion-timeout",
})
WARNING_CODES = frozenset({
    "cert-expiring-soon", "cert-name-cn-only", "cert-extra-certs", "legacy-protocol",
    "address-inconsistent", "mtls-unverified", "origin-flaky", "group-primary-failing",
    "edge-function-present", "origin-error-status",
})


@cache
def validator() -> Draft202012Validator:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_errors(doc: Any) -> list[str]:
    """Where and why `doc` breaks the schema; empty when it is valid."""
    errors = sorted(validator().iter_errors(doc), key=lambda e: list(map(str, e.path)))
    return [f"/{'/'.join(map(str, e.path))}: {e.message}" for e in errors]


def contract_problems(report: dict[str, Any]) -> list[str]:
    """The rules of CONTRACT.md beyond the schema that every report keeps: stage ids are
    unique, a listed code has its listed severity, and every blocking cause's stage failed."""
    problems = []
    ids = [s["id"] for s in report["stages"]]
    if len(ids) != len(set(ids)):
        problems.append(f"stage ids repeat: {ids}")
    status = {s["id"]: s["status"] for s in report["stages"]}
    for c in report["verdict"]["causes"]:
        expected = ("error" if c["code"] in BLOCKING_CODES else
                    "warning" if c["code"] in WARNING_CODES else c["severity"])
        if c["severity"] != expected:
            problems.append(f"{c['code']} has severity {c['severity']}, the contract says "
                            f"{expected}")
        if c["severity"] == "error" and status.get(c["stage"]) != "fail":
            problems.append(f"blocking cause {c['code']} on stage {c['stage']}, which is "
                            f"{status.get(c['stage'])}")
    return problems


def stage_status_problems(report: dict[str, Any]) -> list[str]:
    """CONTRACT.md: a stage's status is the worst severity among the causes attributed to it,
    and every failed stage names a cause."""
    causes = report["verdict"]["causes"]
    problems = []
    for stage in report["stages"]:
        severities = {c["severity"] for c in causes if c["stage"] == stage["id"]}
        worst = "fail" if "error" in severities else "warn" if severities else "pass"
        if stage["status"] not in ("skipped", worst):
            problems.append(f"stage {stage['id']} is {stage['status']}, its causes make it "
                            f"{worst}")
    return problems


def assert_valid_report(doc: Any) -> None:
    """Raise AssertionError unless `doc` (parsed JSON) is a valid cftui report document."""
    errors = schema_errors(doc)
    assert not errors, "not a valid cftui report:\n  " + "\n  ".join(errors)
    reports = doc["reports"] if doc["schema"] == "cftui.reports/1" else [doc]
    problems = [f"{r['target']['domain']}: {p}" for r in reports
                for p in contract_problems(r) + stage_status_problems(r)]
    assert not problems, "report breaks the contract:\n  " + "\n  ".join(problems)


def valid_json(report: Report) -> dict[str, Any]:
    """`report` as a script gets it (dumped strictly, no NaN, and parsed back), validated."""
    doc: dict[str, Any] = json.loads(json.dumps(report_mod.to_json(report), allow_nan=False))
    assert_valid_report(doc)
    return doc
