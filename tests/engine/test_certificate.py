"""`certificate.judge`: names, trust, gaps, order, extra certificates, dates and keys.

Chains are made by the PKI factory and judged as an origin would send them (DER, leaf
first), against Mozilla's list plus the session root as the extra CA file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from support import SessionPki

from cftui.demo import pki as pkimod
from cftui.engine import verdict
from cftui.engine.results import AddressReport, CertificateReport
from cftui.engine.x509.anchors import TrustStoreError, mozilla_roots_file, trust_anchors
from cftui.engine.x509.info import CertificateParseError, cert_info
from cftui.engine.x509.judge import judge, key_problem, name_matches

NAME = "origin.example.com"
AIA_URL = "http://pki.example.invalid/intermediate.crt"


def der(*certs: pkimod.Issued) -> list[bytes]:
    return [c.der for c in certs]


@pytest.fixture
def judged(pki: SessionPki) -> Callable[..., CertificateReport]:
    def run(chain: Sequence[pkimod.Issued], name: str = NAME,
            now: dt.datetime | None = None) -> CertificateReport:
        return judge(der(*chain), name, str(pki.ca_file), now=now)

    return run


def causes(report: CertificateReport) -> list[str]:
    return [c.code for c in verdict.certificate_causes(AddressReport("127.0.0.1",
                                                                     certificate=report))]


# --- names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("pattern", "name", "expected"), [
    # what `openssl x509 -checkhost` answers (X509_check_host, flags 0)
    ("origin.example.com", "origin.example.com", True),
    ("ORIGIN.example.COM", "origin.example.com", True),
    ("origin.example.com.", "origin.example.com", False),  # no trailing-dot folding
    (" origin.example.com", "origin.example.com", False),  # no trimming
    ("origin.example.com", "origin.example.com.", False),
    ("*.example.com", "origin.example.com", True),
    ("*.example.com", "example.com", False),
    ("*.example.com", "a.origin.example.com", False),
    ("*.*.example.com", "a.origin.example.com", False),
    ("*.com", "example.com", False),
    ("o*.example.com", "origin.example.com", True),  # OpenSSL allows partial wildcards
    ("*n.example.com", "origin.example.com", True),
    ("o*.example.com", "o.example.com", True),
    ("o*n.example.com", "origin.example.com", False),  # not in the middle of a label
    ("x*.example.com", "xn--bcher-kva.example.com", False),  # never into an A-label
    ("*.example.com", "xn--bcher-kva.example.com", True),
    ("xn--*.example.com", "xn--bcher-kva.example.com", False),
    ("*.bücher.example", "www.xn--bcher-kva.example", False),  # U-labels are not folded
    ("*.xn--bcher-kva.example", "www.xn--bcher-kva.example", True),
    ("ｏｒｉｇｉｎ.example.com", "origin.example.com", False),  # fullwidth
    ("ori\u00adgin.example.com", "origin.example.com", False),  # soft hyphen
    ("ori\u200bgin.example.com", "origin.example.com", False),  # zero-width space
    ("origin\u3002example.com", "origin.example.com", False),  # ideographic full stop
    ("\u217fx.example.com", "mx.example.com", False),  # small roman numeral one thousand
    ("origin.example.com\x00.evil", "origin.example.com", False),
    ("other.example.com", "origin.example.com", False),
    ("", "origin.example.com", False),
])
def test_name_matches(pattern: str, name: str, expected: bool) -> None:
    assert name_matches(pattern, name) is expected


def test_san_match(judged, pki: SessionPki) -> None:
    report = judged([pki.leaf, pki.intermediate])
    assert (report.name_match, report.matched_name, report.cn_only) == (True, NAME, False)
    assert report.trusted and report.chain_complete and report.in_order
    assert report.extra_certs == ()
    assert report.path == ("CN = origin.example.com", "CN = cftui Test Intermediate CA",
                           "CN = cftui Test Root CA")
    assert causes(report) == []


def test_wildcard_san(judged, pki: SessionPki) -> None:
    report = judged([pki.issue("*.example.com"), pki.intermediate])
    assert report.matched_name == "*.example.com"
    assert causes(report) == []


def test_cn_only_match_is_a_warning(judged, pki: SessionPki) -> None:
    report = judged([pki.issue(common_name=NAME), pki.intermediate])
    assert (report.name_match, report.cn_only) == (True, True)
    assert causes(report) == ["cert-name-cn-only"]


def test_cn_match_counts_even_when_the_san_does_not_cover_it(judged, pki: SessionPki) -> None:
    # the contract (and AWS): CN or SAN; a CN-only match is the warning
    leaf = pki.issue("other.example.com", common_name=NAME)
    report = judged([leaf, pki.intermediate])
    assert report.cn_only is True  # matched through the CN alone: warned, not failed
    assert causes(report) == ["cert-name-cn-only"]


def test_name_mismatch(judged, pki: SessionPki) -> None:
    report = judged([pki.issue("other.example.com"), pki.intermediate])
    assert report.name_match is False and report.matched_name is None
    assert causes(report) == ["cert-name-mismatch"]


# --- chains ---------------------------------------------------------------------------------


def test_missing_intermediate_with_aia(judged, pki: SessionPki) -> None:
    report = judged([pki.issue(NAME, aia_ca_issuers=AIA_URL)])
    assert (report.trusted, report.chain_complete) == (False, False)
    assert report.missing_issuer == "CN = cftui Test Intermediate CA"
    assert report.missing_issuer_url == AIA_URL
    assert causes(report) == ["cert-chain-incomplete"]


def test_missing_intermediate_without_aia(judged, pki: SessionPki) -> None:
    report = judged([pki.issue(NAME)])
    assert report.missing_issuer_url is None
    assert causes(report) == ["cert-chain-incomplete"]


@pytest.fixture(scope="module")
def two_level(pki: SessionPki) -> tuple[pkimod.Issued, pkimod.Issued, pkimod.Issued]:
    policy = pkimod.intermediate_ca(pki.root, "cftui Test Policy CA", key_index=5,
                                    path_length=1)
    issuing = pkimod.intermediate_ca(policy, "cftui Test Issuing CA", key_index=6)
    return pkimod.leaf(issuing, [NAME]), policy, issuing


def test_two_intermediates_in_order(judged, two_level) -> None:
    leaf, policy, issuing = two_level
    report = judged([leaf, issuing, policy])
    assert report.trusted and report.in_order and report.extra_certs == ()
    assert causes(report) == []


def test_two_intermediates_out_of_order(judged, two_level) -> None:
    leaf, policy, issuing = two_level
    report = judged([leaf, policy, issuing])
    assert report.trusted is True and report.in_order is False
    assert causes(report) == ["cert-chain-order"]


def test_upper_intermediate_missing(judged, two_level) -> None:
    leaf, _policy, issuing = two_level
    report = judged([leaf, issuing])
    assert report.trusted is False
    # a sent CA whose issuer is unknown: reported as an untrusted end, not a gap
    assert report.chain_complete is True
    assert causes(report) == ["cert-untrusted"]


def test_lower_intermediate_missing(judged, two_level) -> None:
    leaf, policy, _issuing = two_level
    report = judged([leaf, policy])
    assert report.chain_complete is False
    assert report.missing_issuer == "CN = cftui Test Issuing CA"
    assert causes(report) == ["cert-chain-incomplete"]


def test_root_sent_is_extra(judged, pki: SessionPki) -> None:
    report = judged([pki.leaf, pki.intermediate, pki.root])
    assert report.trusted and report.in_order
    assert report.extra_certs == (2,)
    assert causes(report) == ["cert-extra-certs"]


def test_unrelated_certificate_sent_is_extra(judged, pki: SessionPki) -> None:
    report = judged([pki.leaf, pki.client_ca, pki.intermediate])
    assert report.trusted is True
    assert report.extra_certs == (1,)
    assert "cert-extra-certs" in causes(report)


def test_self_signed_leaf(judged) -> None:
    report = judged([pkimod.leaf(None, [NAME])])
    assert (report.trusted, report.self_signed, report.chain_complete) == (False, True, True)
    assert causes(report) == ["cert-untrusted"]


def test_self_signed_leaf_trusted_through_the_ca_file(tmp_path: Path) -> None:
    leaf = pkimod.leaf(None, [NAME])
    ca_file = leaf.write(tmp_path, "self").cert
    report = judge(der(leaf), NAME, str(ca_file))
    assert report.trusted is True
    assert report.extra_certs == ()  # the leaf itself is never "extra"
    assert causes(report) == []


def test_chain_to_another_root(judged) -> None:
    other = pkimod.Pki.create("cftui Elsewhere")
    report = judged([other.issue(NAME), other.intermediate])
    assert (report.trusted, report.chain_complete, report.missing_issuer) == (False, True, None)
    assert causes(report) == ["cert-untrusted"]


def test_chain_to_another_root_with_the_root_sent(judged) -> None:
    other = pkimod.Pki.create("cftui Elsewhere")
    report = judged([other.issue(NAME), other.intermediate, other.root])
    assert (report.trusted, report.chain_complete) == (False, True)
    assert causes(report) == ["cert-untrusted"]


def test_leaf_directly_under_the_root(judged, pki: SessionPki) -> None:
    report = judged([pkimod.leaf(pki.root, [NAME])])
    assert report.trusted and report.extra_certs == ()
    assert causes(report) == []


# --- dates ----------------------------------------------------------------------------------


def test_expired_leaf_from_a_younger_ca_is_only_expired(judged, pki: SessionPki) -> None:
    leaf = pki.issue(NAME, not_before=dt.timedelta(days=-100), not_after=dt.timedelta(days=-10))
    report = judged([leaf, pki.intermediate])
    assert report.expired is True and report.days_left < 0
    assert report.trusted is True  # the chain is fine apart from the dates
    assert causes(report) == ["cert-expired"]


def test_expired_leaf_with_a_missing_intermediate_reports_both(judged, pki: SessionPki) -> None:
    leaf = pki.issue(NAME, not_before=dt.timedelta(days=-100), not_after=dt.timedelta(days=-10))
    report = judged([leaf])
    assert causes(report) == ["cert-expired", "cert-chain-incomplete"]


def test_expired_self_signed_is_still_untrusted(judged) -> None:
    leaf = pkimod.leaf(None, [NAME], not_before=dt.timedelta(days=-100),
                       not_after=dt.timedelta(days=-10))
    assert causes(judged([leaf])) == ["cert-expired", "cert-untrusted"]


def test_judged_later_the_session_leaf_has_expired(judged, pki: SessionPki) -> None:
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=200)
    report = judged([pki.leaf, pki.intermediate], now=later)
    assert report.expired is True and report.trusted is True
    assert causes(report) == ["cert-expired"]


def test_not_yet_valid(judged, pki: SessionPki) -> None:
    leaf = pki.issue(NAME, not_before=dt.timedelta(days=10), not_after=dt.timedelta(days=100))
    report = judged([leaf, pki.intermediate])
    assert report.not_yet_valid is True and report.trusted is True
    assert causes(report) == ["cert-not-yet-valid"]


@pytest.mark.parametrize(("days", "expected"), [(10, ["cert-expiring-soon"]), (45, [])])
def test_expiring_soon(judged, pki: SessionPki, days: int, expected: list[str]) -> None:
    leaf = pki.issue(NAME, not_after=dt.timedelta(days=days))
    assert causes(judged([leaf, pki.intermediate])) == expected


# --- keys -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("key_type", "problem"), [
    ("rsa:2048", None),
    ("rsa:4096", None),
    ("ec:secp256r1", None),
    ("ec:secp384r1", None),
    ("rsa:5120", "RSA key of 5120 bits"),
    ("ec:secp521r1", "secp521r1"),
    ("ec:secp256k1", "secp256k1"),
    ("ed25519", "Ed25519"),
    ("ed448", "Ed448"),
])
def test_key_problem(pki: SessionPki, key_type: str, problem: str | None) -> None:
    found = key_problem(cert_info(pki.issue(NAME, key_type=key_type).der))
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def test_unsupported_key_is_blocking(judged, pki: SessionPki) -> None:
    report = judged([pki.issue(NAME, key_type="ed25519"), pki.intermediate])
    assert report.trusted is True
    assert causes(report) == ["cert-key-unsupported"]


# --- input errors ---------------------------------------------------------------------------


def test_no_certificate_at_all() -> None:
    with pytest.raises(CertificateParseError):
        judge([], NAME)


def test_garbage_instead_of_a_certificate(pki: SessionPki) -> None:
    with pytest.raises(CertificateParseError):
        judge([b"\x30\x03\x02\x01\x00"], NAME, str(pki.ca_file))


def test_unreadable_ca_file(tmp_path: Path) -> None:
    with pytest.raises(TrustStoreError, match="cannot read CA file"):
        trust_anchors(str(tmp_path / "missing.pem"))


def test_ca_file_without_pem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate\n")
    with pytest.raises(TrustStoreError, match="no PEM certificate"):
        trust_anchors(str(bad))


def test_extra_anchors_add_to_mozilla(pki: SessionPki) -> None:
    mozilla = trust_anchors(None)
    assert len(mozilla) > 50
    assert len(trust_anchors(str(pki.ca_file))) == len(mozilla) + 1


def test_mozilla_roots_are_certifis_file() -> None:
    """Found without importing certifi, but the very file certifi.where() names."""
    import certifi

    assert Path(mozilla_roots_file()).samefile(certifi.where())


def test_preload_and_judge_at_once_finish(pki: SessionPki) -> None:
    """A check's preload reads the anchors and builds the store while the check may be
    judging already (inside `quiet_parsing`): both take the parsing lock and the
    anchors' lock, in one order, and the anchors and store are built once. (They took
    them in opposite orders once, and a check process hung.)"""
    import threading

    from cftui.engine.x509 import anchors as anchors_mod
    from cftui.engine.x509 import judge as judge_mod

    ca_file = str(pki.ca_file)
    chain = der(pki.leaf, pki.intermediate)
    for _ in range(40):
        anchors_mod._read_anchors.cache_clear()
        anchors_mod._load_pem_file.cache_clear()
        judge_mod._cached_store.cache_clear()
        reports: list[CertificateReport] = []

        def check(out: list[CertificateReport] = reports) -> None:
            out.append(judge(chain, NAME, ca_file))

        threads = [threading.Thread(target=judge_mod.preload, args=(ca_file,), daemon=True),
                   threading.Thread(target=check, daemon=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        assert not any(t.is_alive() for t in threads), "preload and judge deadlocked"
        assert reports[0].trusted
        assert judge_mod._cached_store.cache_info().currsize == 1


def test_the_store_libcrypto_reads_trusts_what_the_parsed_roots_do(pki: SessionPki) -> None:
    """Mozilla's bundle read by libcrypto (X509_STORE_load_locations) and the same roots
    added one by one from cryptography's parse: every root verifies as itself in both,
    the test PKI's root in neither unless given as the CA file."""
    from OpenSSL import crypto

    from cftui.engine.x509 import judge as judge_mod

    def by_hand(anchors: tuple[Any, ...]) -> crypto.X509Store:
        store = crypto.X509Store()
        for anchor in anchors:
            with contextlib.suppress(crypto.Error):
                store.add_cert(crypto.X509.from_cryptography(anchor))
        return store

    def verifies(store: crypto.X509Store, cert: Any) -> bool:  # at the present
        try:
            crypto.X509StoreContext(store, crypto.X509.from_cryptography(cert)).verify_certificate()
        except crypto.X509StoreContextError:
            return False
        return True

    ours = x509.load_der_x509_certificate(pki.root.der)
    for ca_file in (None, str(pki.ca_file)):
        anchors = trust_anchors(ca_file)
        read = judge_mod._build_store(anchors)
        added = by_hand(anchors)
        assert anchors.bundle is not None and anchors.from_bundle > 50
        for cert in [*anchors, ours]:
            assert verifies(read, cert) == verifies(added, cert), cert.subject
        assert verifies(read, ours) == (ca_file is not None)


def test_each_verification_is_at_its_own_moment(pki: SessionPki) -> None:
    """The process keeps one trust store per CA set; a verification at one moment leaves
    no time behind for the next (OpenSSL keeps the first check time set on a store, and
    every later verification ran at it once)."""
    from cftui.engine.x509 import judge as judge_mod

    leaf = pki.issue(NAME)
    certs = [x509.load_der_x509_certificate(c.der) for c in (leaf, pki.intermediate)]
    anchors = trust_anchors(str(pki.ca_file))
    now = dt.datetime.now(dt.timezone.utc)
    later = certs[0].not_valid_after_utc + dt.timedelta(days=1)
    before = certs[0].not_valid_before_utc - dt.timedelta(days=1)
    verifier = judge_mod._Verifier(certs, anchors)
    for _ in range(2):
        assert verifier.verify(now)[0] is not None
        assert verifier.verify(later)[1] == 10  # X509_V_ERR_CERT_HAS_EXPIRED
        assert verifier.verify(before)[1] == 9  # X509_V_ERR_CERT_NOT_YET_VALID
    assert verifier.verify(now)[0] is not None


def test_a_ca_file_edited_between_checks_is_read_again(pki: SessionPki, tmp_path: Path) -> None:
    """The TUI runs for hours: a CA file fixed meanwhile counts at the next check (the
    caches are per version of the file, not per path)."""
    from cftui.engine.x509.anchors import check_pem_file

    other = pkimod.Pki.create("cftui Other")
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(other.root.pem)
    chain = der(pki.leaf, pki.intermediate)
    check_pem_file(str(ca_file))
    assert not judge(chain, NAME, str(ca_file)).trusted
    ca_file.write_bytes(other.root.pem + pki.root.pem)  # the user adds the right root
    check_pem_file(str(ca_file))
    assert judge(chain, NAME, str(ca_file)).trusted
    assert len(trust_anchors(str(ca_file))) == len(trust_anchors(None)) + 2
    ca_file.write_text("not a certificate any more\n")
    with pytest.raises(TrustStoreError, match="no PEM certificate"):
        check_pem_file(str(ca_file))
