"""A TLS 1.3-only origin: its encrypted chain is still read and judged."""

from __future__ import annotations

from support import SessionPki

from cftui.engine.net.connect import Endpoint
from cftui.engine.results import Stage, Status
from cftui.engine.run import check
from cftui.engine.target import Target
from cftui.engine.tls.tls13chain import fetch_chain


def test_chain_of_a_tls13_only_origin_is_judged(tls_origin, pki: SessionPki) -> None:
    other = pki.issue("other.example.com")
    server = tls_origin(other, min_version="TLSv1.3")
    report = check(Target("origin.example.com", server.port, connect_to=("127.0.0.1",),
                          ca_file=str(pki.ca_file), connect_timeout=2, read_timeout=2))
    codes = [c.code for c in report.verdict.causes]
    assert codes[0] == "tls-protocol-mismatch"
    assert "cert-name-mismatch" in codes
    stage = report.stage(Stage.CERTIFICATE)
    assert stage is not None and stage.status is Status.FAIL
    assert report.per_address[0].certificate is not None
    assert report.per_address[0].certificate.chain[0].san == ("other.example.com",)


def test_fetch_chain_gives_nothing_from_a_tls12_only_origin(tls_origin) -> None:
    server = tls_origin(max_version="TLSv1.2")
    assert fetch_chain(Endpoint("127.0.0.1", server.port, 2, 2), "origin.example.com") == ()
