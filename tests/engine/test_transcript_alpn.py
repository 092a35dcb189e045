"""The s_client view of an http2 target's attempts: the command offers `-alpn
h2,http/1.1` like the hello did, and the ALPN lines agree with the real s_client's."""

from __future__ import annotations

import shlex

from support import SessionPki
from test_transcript import (
    NAME,
    compare_failure,
    compare_success,
    needs_openssl,
    s_client,
)

from cftui.engine import profile
from cftui.engine.model import Outcome, ProtocolAttempt, Purpose
from cftui.engine.net.connect import Endpoint
from cftui.engine.profile import Protocol
from cftui.engine.tls import hello
from cftui.engine.tls.probe import attempt
from cftui.engine.tls.scan import scan_protocol
from cftui.transcript.command import s_client_command
from cftui.transcript.session import render

HTTP2 = profile.CLOUDFRONT_ALPN["http2"]


def probe(port: int, protocol: Protocol, alpn: tuple[bytes, ...] = HTTP2) -> ProtocolAttempt:
    spec = hello.cloudfront_hello(protocol, NAME, alpn=alpn)
    return attempt(Endpoint("127.0.0.1", port, 5, 5), spec, Purpose.CLOUDFRONT)


@needs_openssl
def test_h2_selected_shows_as_s_client_prints_it(tls_origin, pki: SessionPki) -> None:
    origin = tls_origin(min_version="TLSv1.2", max_version="TLSv1.2")
    origin.context.set_alpn_protocols(["h2", "http/1.1"])
    a = probe(origin.port, Protocol.TLSv1_2)
    assert "-alpn h2,http/1.1" in s_client_command(a, servername=NAME)
    ours = compare_success(a, pki)
    stdout, _ = s_client(s_client_command(a, servername=NAME))
    assert "ALPN protocol: h2" in ours and "ALPN protocol: h2" in stdout
    assert "No ALPN negotiated" not in ours


@needs_openssl
def test_no_alpn_when_the_origin_picks_none(tls_origin, pki: SessionPki) -> None:
    """An origin without ALPN ignores the offer: s_client says "No ALPN negotiated"."""
    origin = tls_origin(min_version="TLSv1.2", max_version="TLSv1.2")
    a = probe(origin.port, Protocol.TLSv1_2)
    ours = compare_success(a, pki)
    stdout, _ = s_client(s_client_command(a, servername=NAME))
    assert "No ALPN negotiated" in ours and "No ALPN negotiated" in stdout


@needs_openssl
def test_alpn_strict_refusal_matches_s_client(s_server) -> None:
    """`openssl s_server -alpn foo` answers the http2 hello with no_application_protocol;
    the whole transcript agrees with s_client's, bar byte counts and times."""
    server = s_server(flags=("-alpn", "foo", "-no_tls1_3"))
    ours = compare_failure(probe(server.port, Protocol.TLSv1_2))
    assert any("tlsv1 alert no application protocol" in line for line in ours)
    assert "No ALPN negotiated" in ours


@needs_openssl
def test_tls13_alpn_answer_is_not_invented(tls_origin) -> None:
    origin = tls_origin()
    origin.context.set_alpn_protocols(["h2", "http/1.1"])
    result = scan_protocol(Endpoint("127.0.0.1", origin.port, 5, 5), Protocol.TLSv1_3, NAME,
                           enabled=False, alpn=HTTP2)
    a = result.attempts[0]
    assert a.accepted
    ours = render(a)
    assert "(cftui: the ALPN protocol is in the encrypted part; not shown)" in ours
    assert not any(line.startswith(("ALPN protocol:", "No ALPN")) for line in ours)
    stdout, _ = s_client(s_client_command(a, servername=NAME))
    assert "ALPN protocol: h2" in stdout  # what s_client sees after decrypting


def test_command_offers_alpn_only_when_the_hello_did() -> None:
    def command(protocol: Protocol, alpn: tuple[bytes, ...]) -> list[str]:
        spec = hello.cloudfront_hello(protocol, NAME, alpn=alpn)
        a = ProtocolAttempt(protocol=protocol, address="127.0.0.1", port=443, sni=NAME,
                            purpose=Purpose.CLOUDFRONT, offered=spec.suites,
                            client_hello=hello.client_hello(spec), outcome=Outcome.CLOSED,
                            spec=spec)
        return shlex.split(s_client_command(a, servername=NAME).removesuffix(" < /dev/null"))

    http2 = command(Protocol.TLSv1_2, HTTP2)
    assert http2[http2.index("-alpn") + 1] == "h2,http/1.1"
    assert "-alpn" not in command(Protocol.TLSv1_2, ())
    assert "-alpn" not in command(Protocol.SSLv3, HTTP2)  # no extensions in SSLv3

