"""Chain repair against real loopback servers: an HTTP caIssuers host and TLS origins."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
from cryptography.x509.oid import AuthorityInformationAccessOID
from support import SessionPki
from support.aia_server import AiaChain, AiaServer

from cftui.demo.loopback import free_port_on
from cftui.demo.pki import Issued, intermediate_ca, pem_bundle
from cftui.demo.servers import TlsOrigin
from cftui.engine.causes import CauseCode
from cftui.engine.net import aia
from cftui.engine.results import Report
from cftui.engine.x509.repair import Repair, repair_chain

NAME = "origin.example.com"
CHAIN_CAUSES = {CauseCode.CERT_CHAIN_INCOMPLETE, CauseCode.CERT_CHAIN_ORDER,
                CauseCode.CERT_EXTRA_CERTS}




# --- fetching one issuer ------------------------------------------------------------


def _slow(server: AiaServer) -> Callable[[BaseHTTPRequestHandler], None]:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        handler.wfile.write(b"0" * 10)
        handler.wfile.flush()
        server.stop.wait(10)  # never finishes while the test runs

    return answer


def _streamed(size: int) -> Callable[[BaseHTTPRequestHandler], None]:
    def answer(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Connection", "close")
        handler.end_headers()  # no Content-Length: read until the close
        try:
            for _ in range(size // 4096):
                handler.wfile.write(b"0" * 4096)
        except OSError:  # the client stopped reading at its cap
            pass

    return answer


def test_fetch_der_pkcs7_and_pem(server: AiaServer, pki: SessionPki) -> None:
    inter = pki.intermediate
    server.routes.update({
        "/ca.der": (200, {}, inter.der),
        "/ca.p7c": (200, {}, pkcs7.serialize_certificates([inter.cert], Encoding.DER)),
        "/ca.pem": (200, {}, inter.pem),
    })
    for path in ("/ca.der", "/ca.p7c", "/ca.pem"):
        assert aia.fetch_issuer(server.url(path), 5) == (inter.cert,), path


@pytest.mark.parametrize(("route", "answer", "expected"), [
    ("/missing", None, "answered HTTP 404"),
    ("/garbage", (200, {}, b"<html>not a certificate</html>"), "not a certificate"),
    ("/empty", (200, {}, b""), "empty"),
    ("/huge", (200, {"Content-Length": str(10 * 1024 * 1024)}, b""), "at most 64 KB"),
    ("/nolocation", (302, {}, b""), "without a Location"),
])
def test_fetch_refusals(server: AiaServer, route: str,
                        answer: tuple[int, dict[str, str], bytes] | None, expected: str) -> None:
    if answer is not None:
        server.routes[route] = answer
    with pytest.raises(aia.FetchError, match=expected):
        aia.fetch_issuer(server.url(route), 5)


def test_fetch_streamed_body_is_capped(server: AiaServer) -> None:
    server.routes["/stream"] = _streamed(1024 * 1024)
    with pytest.raises(aia.FetchError, match="more than 64 KB"):
        aia.fetch_issuer(server.url("/stream"), 5)


def test_fetch_slow_answer_hits_the_deadline(server: AiaServer) -> None:
    server.routes["/slow"] = _slow(server)
    with pytest.raises(aia.FetchError, match="timed out"):
        aia.fetch_issuer(server.url("/slow"), 0.5)


def test_fetch_drip_cannot_outlive_the_deadline(server: AiaServer) -> None:
    """Each byte arrives well within any per-read timeout; the whole answer does not."""
    def drip(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        handler.wfile.flush()
        for _ in range(1000):
            if server.stop.wait(0.02):
                return
            try:
                handler.wfile.write(b"0")
                handler.wfile.flush()
            except OSError:
                return

    server.routes["/drip"] = drip
    started = time.monotonic()
    with pytest.raises(aia.FetchError, match="timed out"):
        aia.fetch_issuer(server.url("/drip"), 0.5)
    assert time.monotonic() - started < 2


def test_fetch_refused_connection_says_so() -> None:
    port = free_port_on("127.0.0.1")
    with pytest.raises(aia.FetchError, match=f"cannot connect to 127.0.0.1 port {port}"):
        aia.fetch_issuer(f"http://127.0.0.1:{port}/ca.der", 5)


def test_fetch_follows_http_redirects(server: AiaServer, pki: SessionPki) -> None:
    server.routes["/ca.der"] = (200, {}, pki.intermediate.der)
    server.routes["/relative"] = (302, {"Location": "/ca.der"}, b"")
    server.routes["/absolute"] = (301, {"Location": server.url("/relative")}, b"")
    assert aia.fetch_issuer(server.url("/absolute"), 5) == (pki.intermediate.cert,)
    assert server.requests[-3:] == ["/absolute", "/relative", "/ca.der"]


@pytest.mark.parametrize("location", ["https://127.0.0.1/ca.der", "file:///etc/passwd",
                                      "ftp://127.0.0.1/ca.der"])
def test_fetch_refuses_redirects_off_http(server: AiaServer, location: str) -> None:
    server.routes["/away"] = (302, {"Location": location}, b"")
    scheme = location.split(":")[0]
    with pytest.raises(aia.FetchError, match=f"{scheme} is not fetched"):
        aia.fetch_issuer(server.url("/away"), 5)
    assert server.requests == ["/away"]


def test_fetch_stops_a_redirect_loop(server: AiaServer) -> None:
    server.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    with pytest.raises(aia.FetchError, match="more than 3 redirects"):
        aia.fetch_issuer(server.url("/loop"), 5)
    assert len(server.requests) == 4


@pytest.mark.parametrize(("url", "expected"), [
    ("https://127.0.0.1/ca.der", "https is not fetched"),
    ("ldap://127.0.0.1/cn=ca", "ldap is not fetched"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http:///nohost", "no host"),
])
def test_fetch_refuses_urls(url: str, expected: str) -> None:
    with pytest.raises(aia.FetchError, match=expected):
        aia.fetch_issuer(url, 2)


# --- building the chain -----------------------------------------------------------------


def _ders(*certs: Issued) -> list[bytes]:
    return [c.der for c in certs]


def test_leaf_only_fetches_upwards_to_the_root(chain: AiaChain, pki: SessionPki,
                                               server: AiaServer) -> None:
    repair = repair_chain(_ders(chain.leaf), str(pki.ca_file))
    assert repair.ok, repair.problem
    assert repair.chain == (chain.leaf.cert, chain.inter2.cert, chain.inter1.cert)
    assert [f.url for f in repair.fetched] == [server.url("/inter2.der"),
                                               server.url("/inter1.p7c")]
    assert repair.changed and repair.root == "CN = cftui Test Root CA"


def test_sent_intermediates_are_used_before_fetching(chain: AiaChain, pki: SessionPki,
                                                     server: AiaServer) -> None:
    repair = repair_chain(_ders(chain.leaf, chain.inter2), str(pki.ca_file))
    assert repair.chain == (chain.leaf.cert, chain.inter2.cert, chain.inter1.cert)
    assert server.requests == ["/inter1.p7c"]


def test_reordered_and_root_and_strangers_dropped(chain: AiaChain, pki: SessionPki,
                                                  server: AiaServer) -> None:
    stranger = intermediate_ca(pki.root, "cftui Stranger CA", key_type="ec:secp256r1",
                               key_index=14)
    sent = _ders(chain.leaf, pki.root, chain.inter1, stranger, chain.inter2, chain.inter2)
    repair = repair_chain(sent, str(pki.ca_file))
    assert repair.chain == (chain.leaf.cert, chain.inter2.cert, chain.inter1.cert)
    assert repair.fetched == () and server.requests == []
    assert repair.dropped == ("CN = cftui Test Root CA (the root: clients have it already)",
                              "CN = cftui Stranger CA (not on the path to the root)",
                              "CN = cftui AIA Inter 2 (sent twice)")


def test_complete_chain_in_order_is_unchanged(chain: AiaChain, pki: SessionPki) -> None:
    repair = repair_chain(_ders(chain.leaf, chain.inter2, chain.inter1), str(pki.ca_file))
    assert repair.ok and not repair.changed and repair.dropped == ()


def test_no_caissuers_url(pki: SessionPki) -> None:
    repair = repair_chain(_ders(pki.leaf), str(pki.ca_file))
    assert not repair.ok and repair.reason == "no-aia"
    assert repair.problem == ("CN = origin.example.com has no caIssuers URL to fetch its "
                              "issuer CN = cftui Test Intermediate CA from")


def test_next_caissuers_url_when_one_fails(chain: AiaChain, pki: SessionPki,
                                           server: AiaServer) -> None:
    """Real certificates list ldap:// and http:// URLs: http:// is tried first, and a
    failing URL hands over to the next one."""
    urls = ["ldap://127.0.0.1/cn=inter2", server.url("/gone.der"), server.url("/inter2.der")]
    aia_ext = x509.AuthorityInformationAccess([x509.AccessDescription(
        AuthorityInformationAccessOID.CA_ISSUERS, x509.UniformResourceIdentifier(u))
        for u in urls])
    builder = x509.CertificateBuilder(
        chain.leaf.cert.issuer, chain.leaf.cert.subject, chain.leaf.cert.public_key(),
        x509.random_serial_number(), chain.leaf.cert.not_valid_before_utc,
        chain.leaf.cert.not_valid_after_utc,
    ).add_extension(aia_ext, critical=False)
    end = builder.sign(chain.inter2.key, hashes.SHA256())  # type: ignore[arg-type]
    repair = repair_chain([end.public_bytes(Encoding.DER)], str(pki.ca_file))
    assert repair.ok, repair.problem
    assert server.requests == ["/gone.der", "/inter2.der", "/inter1.p7c"]
    assert repair.chain == (end, chain.inter2.cert, chain.inter1.cert)


def test_fetch_failure_says_why(chain: AiaChain, pki: SessionPki, server: AiaServer) -> None:
    del server.routes["/inter1.p7c"]
    repair = repair_chain(_ders(chain.leaf), str(pki.ca_file))
    assert repair.reason == "fetch-failed" and "answered HTTP 404" in (repair.problem or "")
    assert [f.subject for f in repair.fetched] == ["CN = cftui AIA Inter 2"]


def test_served_certificate_that_did_not_issue(chain: AiaChain, pki: SessionPki,
                                               server: AiaServer) -> None:
    server.routes["/inter2.der"] = (200, {}, chain.inter1.der)  # the wrong CA
    repair = repair_chain(_ders(chain.leaf), str(pki.ca_file))
    assert repair.reason == "not-issuer"
    assert "did not issue CN = origin.example.com" in (repair.problem or "")


def test_untrusted_root_is_not_a_fix(chain: AiaChain) -> None:
    """Without --ca-file the test root is not trusted: the fetches end at it, no chain."""
    repair = repair_chain(_ders(chain.leaf, chain.inter2, chain.inter1, chain.root))
    assert repair.reason == "untrusted" and not repair.chain
    assert "CN = cftui Test Root CA, a root that is not trusted" in (repair.problem or "")


def test_fetch_bound(chain: AiaChain, pki: SessionPki) -> None:
    repair = repair_chain(_ders(chain.leaf), str(pki.ca_file), max_fetches=1)
    assert repair.reason == "fetch-failed" and "after 1 fetches" in (repair.problem or "")


# --- end to end: origin → repair → origin serving the repair → check ------------------------


def _chain_causes(report: Report) -> set[CauseCode]:
    return {c.code for c in report.verdict.causes} & CHAIN_CAUSES


@pytest.mark.parametrize("served", ["leaf-only", "reversed", "root-included"])
def test_repaired_chain_passes_the_check_and_openssl(
        served: str, chain: AiaChain, pki: SessionPki, tls_origin: Callable[..., TlsOrigin],
        run_check: Callable[..., Report], tmp_path: Path) -> None:
    extra = {"leaf-only": [], "reversed": [chain.inter1, chain.inter2],
             "root-included": [chain.inter2, chain.inter1, pki.root]}[served]
    before = run_check(tls_origin(chain.leaf, extra).port, http=False)
    assert _chain_causes(before), before.verdict.causes
    certificate = before.per_address[0].certificate
    assert certificate is not None
    repair: Repair = repair_chain([c.der for c in certificate.chain], str(pki.ca_file))
    assert repair.ok and repair.changed

    after = run_check(tls_origin(chain.leaf, list(repair.chain[1:])).port, http=False)
    assert _chain_causes(after) == set() and not after.verdict.would_fail

    leaf_pem, untrusted = tmp_path / "leaf.pem", tmp_path / "untrusted.pem"
    leaf_pem.write_bytes(repair.chain[0].public_bytes(Encoding.PEM))
    untrusted.write_bytes(pem_bundle(repair.chain[1:]))
    done = subprocess.run(["openssl", "verify", "-CAfile", str(pki.ca_file), "-untrusted",
                           str(untrusted), str(leaf_pem)], capture_output=True, text=True,
                          timeout=30, check=False)
    assert done.returncode == 0 and done.stdout.strip() == f"{leaf_pem}: OK", done.stderr
