"""cftui's certificate judge against the `openssl` CLI, over real-world chain shapes.

Each shape is judged by `judge` and by `openssl verify -CAfile root -untrusted sent`
and `openssl x509 -checkhost`. libcrypto's answers must agree: "trusted" (with the
leaf's dates) and "the name matches". Where cftui rejects more than OpenSSL, the
difference must be one of CloudFront's rules in docs/certificate-rules.md, and
exactly the ones each case declares.
"""

from __future__ import annotations

import datetime as dt
import shutil
import ssl
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.x509.oid import ExtendedKeyUsageOID
from support.corpus import UTC, Made, key, make, resign

from cftui.engine.results import CertificateReport
from cftui.engine.x509.judge import judge, openssl_name_match

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl CLI")

HOST = "origin.example.com"
NOW = dt.datetime.now(UTC)


@dataclass(frozen=True)
class Case:
    name: str
    sent: tuple[Made, ...]  # leaf first, as the origin sends it
    anchor: Made
    host: str = HOST
    rules: frozenset[str] = field(default_factory=frozenset)  # CloudFront-only rejections


def _case(name: str, sent: list[Made], anchor: Made, host: str = HOST,
          rules: tuple[str, ...] = ()) -> Case:
    return Case(name, tuple(sent), anchor, host, frozenset(rules))


def _corpus() -> list[Case]:
    k_root, k_int, k_leaf = key(index=10), key(index=11), key(index=12)
    root = make("Corpus Root", k_root, ca=True)
    inter = make("Corpus Intermediate", k_int, root, ca=True)
    leaf = make(HOST, k_leaf, inter, sans=[HOST])
    cases = [_case("plain", [leaf, inter], root)]

    # basicConstraints: not critical on the intermediate or the root, or absent
    soft_root = make("Soft Root", k_root, ca=True, bc_critical=False)
    soft_int = make("Soft Intermediate", k_int, soft_root, ca=True, bc_critical=False)
    cases.append(_case("ca-bc-not-critical", [make(HOST, k_leaf, soft_int, sans=[HOST]),
                                              soft_int], soft_root))
    no_bc = make("No BC Intermediate", k_int, root, ca=None)
    cases.append(_case("intermediate-without-bc", [make(HOST, k_leaf, no_bc, sans=[HOST]),
                                                   no_bc], root))

    # weak signatures, on the leaf or the intermediate, RSA and ECDSA
    for algorithm in ("sha1", "md5"):
        cases.append(_case(f"{algorithm}-leaf", [resign(leaf, k_int, algorithm), inter],
                           root, rules=("weak-signature",)))
        weak_int = resign(inter, k_root, algorithm)
        cases.append(_case(f"{algorithm}-intermediate", [leaf, weak_int], root,
                           rules=("weak-signature",)))
    ec_int = make("EC Intermediate", key("ec:secp256r1", 13), root, ca=True)
    ec_leaf = make(HOST, key("ec:secp256r1", 14), ec_int, sans=[HOST])
    cases.append(_case("ecdsa-sha1-leaf", [resign(ec_leaf, ec_int.key, "sha1"), ec_int], root,
                       rules=("weak-signature",)))
    sha1_root = resign(root, k_root, "sha1")
    cases.append(_case("sha1-root-self-signature", [leaf, inter], sha1_root))

    # subjects and names
    cases.append(_case("no-subject", [make(None, k_leaf, inter, sans=[HOST]), inter], root))
    cases.append(_case("cn-only", [make(HOST, k_leaf, inter, sans=[]), inter], root))
    cases.append(_case("cn-matches-san-does-not",
                       [make(HOST, k_leaf, inter, sans=["other.example.com"]), inter], root,
                       rules=("cn-or-san",)))
    cases.append(_case("ip-san-and-cn", [make(HOST, k_leaf, inter, ips=["192.0.2.1"]), inter],
                       root))
    many = [f"host{i}.example.com" for i in range(999)] + [HOST]
    cases.append(_case("1000-sans", [make("many", k_leaf, inter, sans=many), inter], root))
    cases.append(_case("idn-a-label", [make(None, k_leaf, inter,
                                            sans=["xn--bcher-kva.example"]), inter], root,
                       host="xn--bcher-kva.example"))
    cases.append(_case("idn-u-label-cn", [make("bücher.example", k_leaf, inter), inter], root,
                       host="xn--bcher-kva.example"))
    for label, pattern, host in [
        ("wildcard-one-label", "*.example.com", HOST),
        ("wildcard-two-labels", "*.example.com", "a.origin.example.com"),
        ("wildcard-apex", "*.example.com", "example.com"),
        ("wildcard-partial", "o*.example.com", HOST),
        ("wildcard-double", "*.*.example.com", "a.origin.example.com"),
        ("wildcard-tld", "*.com", "example.com"),
        ("trailing-dot", "origin.example.com.", HOST),
        ("leading-space", " origin.example.com", HOST),
    ]:
        cases.append(_case(label, [make(None, k_leaf, inter, sans=[pattern]), inter], root,
                           host=host))
    for label, cn in [
        ("fullwidth", "ｏｒｉｇｉｎ.example.com"), ("soft-hyphen", "ori\u00adgin.example.com"),
        ("zero-width-space", "ori\u200bgin.example.com"),
        ("ideographic-full-stop", "origin\u3002example.com"),
        ("roman-numeral-m", "\u217fx.example.com"), ("wildcard-cn", "*.example.com"),
    ]:
        host = "mx.example.com" if label == "roman-numeral-m" else HOST
        cases.append(_case(f"look-alike-{label}", [make(cn, k_leaf, inter), inter], root,
                           host=host))

    # dates
    old = NOW - dt.timedelta(days=400)
    expired_int = make("Expired Intermediate", k_int, root, ca=True, not_before=old,
                       not_after=NOW - dt.timedelta(days=5))
    cases.append(_case("expired-intermediate",
                       [make(HOST, k_leaf, expired_int, sans=[HOST]), expired_int], root))
    cases.append(_case("expired-leaf", [make(HOST, k_leaf, inter, sans=[HOST], not_before=old,
                                             not_after=NOW - dt.timedelta(days=10)), inter],
                       root))
    end_of_time = dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
    cases.append(_case("not-before-9999", [make(HOST, k_leaf, inter, sans=[HOST],
                                                not_before=end_of_time,
                                                not_after=end_of_time), inter], root))
    cases.append(_case("not-after-9999", [make(HOST, k_leaf, inter, sans=[HOST],
                                               not_after=end_of_time), inter], root))

    # chain shapes
    policy = make("Policy CA", key(index=15), root, ca=True)
    issuing = make("Issuing CA", key(index=16), policy, ca=True)
    deep = make(HOST, k_leaf, issuing, sans=[HOST])
    cases.append(_case("two-intermediates", [deep, issuing, policy], root))
    cases.append(_case("reversed-chain", [deep, policy, issuing], root, rules=("chain-order",)))
    cases.append(_case("missing-intermediate", [leaf], root))
    cases.append(_case("missing-lower-intermediate", [deep, policy], root))
    cases.append(_case("intermediate-as-leaf", [inter], root))
    cases.append(_case("client-auth-leaf", [make(HOST, k_leaf, inter, sans=[HOST],
                                                 eku=[ExtendedKeyUsageOID.CLIENT_AUTH]),
                                            inter], root, rules=("leaf-usage",)))
    cases.append(_case("root-sent", [leaf, inter, root], root))
    other = make("Unrelated CA", key(index=17), None, ca=True)
    cases.append(_case("unrelated-extra", [leaf, other, inter], root))
    new_root = make("New Root", key(index=18), ca=True)
    cross = make("New Root", key(index=18), root, ca=True)  # New Root signed by the old one
    new_int = make("New Intermediate", k_int, new_root, ca=True)
    cases.append(_case("cross-signed-root", [make(HOST, k_leaf, new_int, sans=[HOST]), new_int,
                                             cross], root))
    cases.append(_case("other-root", [leaf, inter], other))
    self_signed = make(HOST, k_leaf, None, sans=[HOST])
    cases.append(_case("self-signed-anchor", [self_signed], self_signed))
    cases.append(_case("self-signed-untrusted", [self_signed], root))
    cases.append(_case("499-copies", [leaf] + [inter] * 499, root))
    return cases


CORPUS = _corpus()

#: Key shapes: built in their own test, so only one worker pays for the large RSA keys.
#: RSA 512 cannot be made with `cryptography` (and RSA 8192 takes too long to make).
KEYS = [("rsa:1024", ()), ("rsa:2048", ()), ("rsa:3072", ()), ("rsa:4096", ()),
        ("rsa:5120", ("key-limits",)), ("ec:secp256r1", ()), ("ec:secp384r1", ()),
        ("ec:secp521r1", ("key-limits",)), ("ed25519", ("key-limits",))]


def _pem(certs: tuple[Made, ...] | list[Made]) -> str:
    return "".join(ssl.DER_cert_to_PEM_cert(c.der) for c in certs)


def _openssl(case: Case, directory: Path,
             at: dt.datetime | None = None) -> tuple[bool, bool, str]:
    """(openssl verify says OK, openssl x509 -checkhost says it matches, verify's text);
    `at`: verified at that moment (-attime) instead of now."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "root.pem").write_text(_pem([case.anchor]))
    (directory / "leaf.pem").write_text(_pem(case.sent[:1]))
    command = ["openssl", "verify", "-CAfile", str(directory / "root.pem")]
    if at is not None:
        command += ["-attime", str(int(at.timestamp()))]
    if len(case.sent) > 1:
        (directory / "chain.pem").write_text(_pem(case.sent[1:]))
        command += ["-untrusted", str(directory / "chain.pem")]
    verify = subprocess.run([*command, str(directory / "leaf.pem")], capture_output=True,
                            text=True, timeout=20, check=False)
    check = subprocess.run(["openssl", "x509", "-in", str(directory / "leaf.pem"), "-noout",
                            "-checkhost", case.host], capture_output=True, text=True,
                           timeout=20, check=False)
    return verify.returncode == 0, "does match" in check.stdout, verify.stdout + verify.stderr


def _cloudfront_rules(report: CertificateReport) -> set[str]:
    """The CloudFront rules that made cftui reject (or warn) where OpenSSL does not."""
    found = set()
    if not report.in_order:
        found.add("chain-order")
    if report.key_problem:
        found.add("key-limits")
    if report.weak_signature:
        found.add("weak-signature")
    if report.leaf_problem:
        found.add("leaf-usage")
    if report.name_match and report.cn_only and not openssl_name_match(report.chain[0],
                                                                       report.expected_name):
        found.add("cn-or-san")
    return found


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) + len(KEYS) >= 40
    assert len({c.name for c in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize(("kind", "rules"), KEYS, ids=[k for k, _ in KEYS])
def test_key_shapes_agree_with_openssl(kind: str, rules: tuple[str, ...],
                                       tmp_path: Path) -> None:
    root = make("Corpus Root", key(index=10), ca=True)
    inter = make("Corpus Intermediate", key(index=11), root, ca=True)
    leaf = make(HOST, key(kind, 20), inter, sans=[HOST])
    _agree(_case(f"key-{kind}", [leaf, inter], root, rules=rules), tmp_path)


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_cftui_agrees_with_openssl(case: Case, tmp_path: Path) -> None:
    _agree(case, tmp_path)


def _agree(case: Case, tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text(_pem([case.anchor]))
    started = time.process_time()  # CPU time: the test machine may be busy
    report = judge([c.der for c in case.sent], case.host, str(tmp_path / "ca.pem"))
    assert time.process_time() - started < 1.0
    verified, matches, text = _openssl(case, tmp_path / "openssl")
    valid_now = report.trusted and not report.expired and not report.not_yet_valid
    assert valid_now is verified, text
    assert openssl_name_match(report.chain[0], case.host) is matches
    assert _cloudfront_rules(report) == case.rules
    assert report.sent_count == len(case.sent)


def test_weak_signatures_fail_at_openssl_security_level_1(tmp_path: Path) -> None:
    """What a TLS client on OpenSSL 3 does (security level 1): SHA-1 and MD5 fail."""
    for case in CORPUS:
        if case.name not in ("sha1-leaf", "md5-intermediate", "sha1-root-self-signature"):
            continue
        directory = tmp_path / case.name
        directory.mkdir()
        (directory / "root.pem").write_text(_pem([case.anchor]))
        (directory / "chain.pem").write_text(_pem(case.sent[1:]))
        (directory / "leaf.pem").write_text(_pem(case.sent[:1]))
        result = subprocess.run(
            ["openssl", "verify", "-auth_level", "1", "-CAfile", str(directory / "root.pem"),
             "-untrusted", str(directory / "chain.pem"), str(directory / "leaf.pem")],
            capture_output=True, text=True, timeout=20, check=False)
        expect_weak = case.name != "sha1-root-self-signature"
        assert (result.returncode != 0) is expect_weak, result.stdout + result.stderr
        if expect_weak:
            assert "digest algorithm too weak" in result.stdout + result.stderr


def test_judged_at_other_moments_as_openssl_verify_attime(tmp_path: Path) -> None:
    """A judge at a chosen moment agrees with `openssl verify -attime`, moment after
    moment in one process: the trust store once kept the first moment it was given, and
    every later judge of the process verified at it."""
    cases = {c.name: c for c in CORPUS}
    moments = [NOW - dt.timedelta(days=200), NOW, NOW - dt.timedelta(days=3),
               NOW + dt.timedelta(days=4000), NOW - dt.timedelta(days=200)]
    for name in ("expired-intermediate", "expired-leaf", "plain"):
        case = cases[name]
        (tmp_path / "ca.pem").write_text(_pem([case.anchor]))
        for i, when in enumerate(moments):
            report = judge([c.der for c in case.sent], case.host, str(tmp_path / "ca.pem"),
                           now=when)
            verified, _, text = _openssl(case, tmp_path / f"openssl-{name}-{i}", at=when)
            valid_then = report.trusted and not report.expired and not report.not_yet_valid
            assert valid_then is verified, (name, when, text)
