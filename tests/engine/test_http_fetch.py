"""The HTTP stage's own handshake: CloudFront's curves and signature algorithms are really
offered, and the socket is closed whatever fails."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable, Iterator

import pytest
from support.s_server import OpenSslServer

from cftui.engine.http import fetch
from cftui.engine.net.connect import Endpoint
from cftui.engine.profile import Protocol
from cftui.engine.results import HttpResult

NAME = "origin.example.com"
#: Only ECDHE suites, so the curves and the ServerKeyExchange signature decide.
ECDHE_ONLY = "ECDHE-RSA-AES128-GCM-SHA256"


def _fetch(port: int, sni: str = NAME) -> HttpResult:
    return fetch(Endpoint("127.0.0.1", port, 5, 5), sni=sni, host=NAME, path="/",
                 protocols=(Protocol.TLSv1_2,), read_timeout=5)


def _sockets() -> set[str]:
    """The sockets this process holds open, by inode."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # the directory listing's own descriptor
            continue
        if target.startswith("socket:"):
            found.add(target)
    return found


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback TCP listener that never accepts by itself (the kernel completes connects)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)
        sock.settimeout(5)
        yield sock


def test_a_bad_sni_closes_the_socket(listener: socket.socket) -> None:
    before = _sockets()
    with pytest.raises(UnicodeError) as raised:  # an SNI label over 63 characters
        _fetch(listener.getsockname()[1], sni="a" * 64 + ".example.com")
    # `raised` keeps fetch's frames alive: a socket they still held would stay open
    assert raised.value is not None
    assert _sockets() - before == set()
    accepted, _ = listener.accept()
    with accepted:
        accepted.settimeout(5)
        assert accepted.recv(1) == b"", "the origin should see the connection closed"


def test_cloudfront_profile_completes_with_an_ecdhe_origin(
        s_server: Callable[..., OpenSslServer]) -> None:
    server = s_server(cipher=ECDHE_ONLY, flags=("-no_tls1_3",))
    result = _fetch(server.port)
    assert (result.outcome, result.status_code) == ("response", 200), result.error
    assert result.cipher == ECDHE_ONLY


def test_an_origin_with_only_p521_fails_the_handshake(
        s_server: Callable[..., OpenSslServer]) -> None:
    """CloudFront offers X25519, P-256 and P-384; OpenSSL's default list also has P-521."""
    server = s_server(cipher=ECDHE_ONLY, flags=("-no_tls1_3", "-groups", "P-521"))
    result = _fetch(server.port)
    assert result.outcome == "tls-failed", result


def test_an_origin_signing_only_with_rsa_pss_fails_the_handshake(
        s_server: Callable[..., OpenSslServer]) -> None:
    """CloudFront offers PKCS#1 v1.5 RSA schemes only; OpenSSL's defaults include RSA-PSS."""
    server = s_server(cipher=ECDHE_ONLY, flags=("-no_tls1_3", "-sigalgs", "rsa_pss_rsae_sha256"))
    result = _fetch(server.port)
    assert result.outcome == "tls-failed", result


def test_without_pyopenssl_internals_the_request_is_not_sent(
        s_server: Callable[..., OpenSslServer], monkeypatch: pytest.MonkeyPatch) -> None:
    """Never a handshake with OpenSSL's defaults: the stage says it was skipped, and why."""
    server = s_server(cipher=ECDHE_ONLY, flags=("-no_tls1_3", "-groups", "P-521"))
    monkeypatch.setitem(sys.modules, "OpenSSL._util", None)  # import fails
    result = _fetch(server.port)
    assert result.outcome == "skipped"
    assert "CloudFront's curves and signature algorithms" in (result.error or "")
