"""OriginHttpVersion http2: ALPN h2 in the real handshake, the GET over HTTP/2 when the
origin picks it, HTTP/1.1 when it does not; HTTP/2 failures are origin-bad-response.

The origins are Python `ssl` servers with ALPN, speaking HTTP/2 through the `h2`
library's server side."""

from __future__ import annotations

import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pytest
from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.errors import ErrorCodes
from h2.events import RequestReceived

from cftui.demo.behaviours import finish, http_response, read_head
from cftui.engine.causes import CauseCode
from cftui.engine.profile import Protocol
from cftui.engine.report import to_json
from cftui.engine.results import HttpOutcome, HttpResult, Report

H2_AND_H1 = ["h2", "http/1.1"]
Seen = list[Any]


def _h2_server(tls: ssl.SSLSocket) -> H2Connection:
    conn = H2Connection(config=H2Configuration(client_side=False, header_encoding="latin-1"))
    conn.initiate_connection()
    tls.sendall(conn.data_to_send())
    return conn


def _serve_h2(seen: Seen, answer: Callable[[H2Connection, int], None]) -> Callable[..., None]:
    """Behaviour: an HTTP/2 origin calling `answer(conn, stream)` for each request, whose
    headers (and the ALPN protocol picked) it records in `seen`."""

    def behave(tls: ssl.SSLSocket) -> None:
        seen.append(tls.selected_alpn_protocol())
        conn = _h2_server(tls)
        tls.settimeout(5)
        while data := tls.recv(65536):
            for event in conn.receive_data(data):
                if isinstance(event, RequestReceived):
                    seen.append(dict(event.headers or ()))
                    answer(conn, event.stream_id)
            tls.sendall(conn.data_to_send())
    return behave


def _ok(conn: H2Connection, stream: int) -> None:
    conn.send_headers(stream, [(":status", "103"), ("link", "</a.css>; rel=preload")])
    conn.send_headers(stream, [(":status", "200"), ("server", "h2-origin")])
    conn.send_data(stream, b"ok\n", end_stream=True)


def _reset(conn: H2Connection, stream: int) -> None:
    conn.reset_stream(stream, ErrorCodes.REFUSED_STREAM)


def _huge_head(conn: H2Connection, stream: int) -> None:
    conn.send_headers(stream, [(":status", "200"), ("x-big", "a" * 30000)], end_stream=True)


def _body(total: int, pause: float = 0.0, piece: int = 16384) -> Callable[..., None]:
    """Behaviour: 200 then `total` body bytes in DATA frames of up to `piece` bytes,
    `pause` seconds apart, within HTTP/2 flow control: past the 65,535-byte initial
    window it waits for the client's WINDOW_UPDATEs."""

    def behave(tls: ssl.SSLSocket) -> None:
        conn = _h2_server(tls)
        tls.settimeout(5)
        while not any(isinstance(e, RequestReceived) for e in conn.receive_data(tls.recv(65536))):
            tls.sendall(conn.data_to_send())
        conn.send_headers(1, [(":status", "200")])
        left = total
        while left:
            size = min(left, piece, conn.local_flow_control_window(1))
            if size:
                conn.send_data(1, b"z" * size, end_stream=size == left)
                left -= size
                tls.sendall(conn.data_to_send())
                time.sleep(pause)
            else:  # window closed: read the client's WINDOW_UPDATE
                conn.receive_data(tls.recv(65536))
        tls.sendall(conn.data_to_send())
        finish(tls)
    return behave


def _silent(conn: H2Connection, stream: int) -> None:
    """Never answers the request (the connection stays up: SETTINGS and pings answered)."""


def _goaway_at_once(tls: ssl.SSLSocket) -> None:
    conn = _h2_server(tls)
    conn.close_connection(ErrorCodes.ENHANCE_YOUR_CALM, additional_data=b"go away")
    tls.sendall(conn.data_to_send())
    finish(tls)


def _sends(data: bytes) -> Callable[[ssl.SSLSocket], None]:
    """Behaviour: `data` instead of the server's SETTINGS preface."""

    def behave(tls: ssl.SSLSocket) -> None:
        tls.sendall(data)
        finish(tls)
    return behave


def _h1(seen: Seen) -> Callable[[ssl.SSLSocket], None]:
    def behave(tls: ssl.SSLSocket) -> None:
        seen.append(tls.selected_alpn_protocol())
        seen.append(read_head(tls))
        tls.sendall(http_response(200))
        finish(tls)
    return behave


def _origin(tls_origin: Callable[..., Any], behaviour: Callable[..., None],
            alpn: list[str] = H2_AND_H1) -> Any:
    origin = tls_origin(behaviour=behaviour)
    origin.context.set_alpn_protocols(alpn)  # before any client connects
    return origin


def _http(report: Report) -> HttpResult:
    http = report.per_address[0].http
    assert http is not None
    return http


def _codes(report: Report) -> list[CauseCode]:
    return [c.code for c in report.verdict.causes]


def test_h2_origin_answers_over_http2(run_check: Callable[..., Report],
                                      tls_origin: Callable[..., Any]) -> None:
    seen: Seen = []
    origin = _origin(tls_origin, _serve_h2(seen, _ok))
    report = run_check(origin.port, http_version="http2", path="/health?x=1")
    http = _http(report)
    assert (http.outcome, http.status_code) == (HttpOutcome.RESPONSE, 200), http.error
    assert (http.alpn, http.http_version, http.status_line) == ("h2", "HTTP/2", "HTTP/2 200")
    assert ("server", "h2-origin") in http.headers
    assert not _codes(report)
    assert seen[0] == "h2"
    request = seen[1]
    assert (request[":method"], request[":scheme"], request[":path"]) == \
        ("GET", "https", "/health?x=1")
    assert request[":authority"] == "origin.example.com"
    assert request["user-agent"] == "Amazon CloudFront"
    js = to_json(report)["http"]
    assert (js["alpn"], js["http_version"]) == ("h2", "HTTP/2")


def test_http11_offers_no_alpn(run_check: Callable[..., Report],
                               tls_origin: Callable[..., Any]) -> None:
    seen: Seen = []
    origin = _origin(tls_origin, _h1(seen))
    report = run_check(origin.port)  # OriginHttpVersion http1.1, the default
    http = _http(report)
    assert (http.outcome, http.status_code) == (HttpOutcome.RESPONSE, 200), http.error
    assert (http.alpn, http.http_version) == (None, "HTTP/1.1")
    assert seen[0] is None, "no ALPN offered, so the origin picked none"
    assert seen[1].startswith(b"GET / HTTP/1.1\r\n")


def test_origin_picking_http11_gets_http11(run_check: Callable[..., Report],
                                           tls_origin: Callable[..., Any]) -> None:
    seen: Seen = []
    origin = _origin(tls_origin, _h1(seen), alpn=["http/1.1"])
    report = run_check(origin.port, http_version="http2")
    http = _http(report)
    assert (http.outcome, http.status_code) == (HttpOutcome.RESPONSE, 200), http.error
    assert (http.alpn, http.http_version) == ("http/1.1", "HTTP/1.1")
    assert seen[0] == "http/1.1"
    assert seen[1].startswith(b"GET / HTTP/1.1\r\n")
    assert not _codes(report)


def test_goaway_before_the_response_is_a_bad_response(run_check: Callable[..., Report],
                                                      tls_origin: Callable[..., Any]) -> None:
    origin = _origin(tls_origin, _goaway_at_once)
    report = run_check(origin.port, http_version="http2")
    http = _http(report)
    assert http.outcome is HttpOutcome.NOT_HTTP and http.http_version == "HTTP/2"
    assert "GOAWAY (ENHANCE_YOUR_CALM)" in (http.error or ""), http.error
    assert _codes(report) == [CauseCode.ORIGIN_BAD_RESPONSE]
    assert "GOAWAY" in report.verdict.causes[0].message


def test_rst_stream_is_a_bad_response(run_check: Callable[..., Report],
                                      tls_origin: Callable[..., Any]) -> None:
    origin = _origin(tls_origin, _serve_h2([], _reset))
    report = run_check(origin.port, http_version="http2")
    assert "RST_STREAM REFUSED_STREAM" in (_http(report).error or "")
    assert _codes(report) == [CauseCode.ORIGIN_BAD_RESPONSE]


@pytest.mark.parametrize(("data", "reason"), [
    (b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", "answers HTTP/1"),
    # a WINDOW_UPDATE on stream 0 first: a valid frame, but not the SETTINGS preface
    (bytes.fromhex("000004080000000000") + b"\x00\x00\x01\x00", "first HTTP/2 frame is not"),
])
def test_no_settings_frame_first_is_a_bad_response(
        run_check: Callable[..., Report], tls_origin: Callable[..., Any],
        data: bytes, reason: str) -> None:
    origin = _origin(tls_origin, _sends(data))
    report = run_check(origin.port, http_version="http2")
    http = _http(report)
    assert http.outcome is HttpOutcome.NOT_HTTP and reason in (http.error or ""), http.error
    assert _codes(report) == [CauseCode.ORIGIN_BAD_RESPONSE]


def test_protocol_error_is_a_bad_response(run_check: Callable[..., Report],
                                          tls_origin: Callable[..., Any]) -> None:
    # SETTINGS, then DATA on stream 0 (RFC 9113 §6.1: a connection error)
    frames = bytes.fromhex("000000040000000000") + bytes.fromhex("000002000000000000") + b"hi"
    origin = _origin(tls_origin, _sends(frames))
    report = run_check(origin.port, http_version="http2")
    assert "HTTP/2 protocol error" in (_http(report).error or ""), _http(report).error
    assert _codes(report) == [CauseCode.ORIGIN_BAD_RESPONSE]


def test_header_block_over_cloudfronts_limit(run_check: Callable[..., Report],
                                             tls_origin: Callable[..., Any]) -> None:
    origin = _origin(tls_origin, _serve_h2([], _huge_head))
    report = run_check(origin.port, http_version="http2")
    assert _http(report).outcome is HttpOutcome.TOO_LARGE, _http(report).error
    assert _codes(report) == [CauseCode.ORIGIN_BAD_RESPONSE]


def test_no_answer_is_a_read_timeout(run_check: Callable[..., Report],
                                     tls_origin: Callable[..., Any]) -> None:
    origin = _origin(tls_origin, _serve_h2([], _silent))
    report = run_check(origin.port, http_version="http2")
    http = _http(report)
    assert http.outcome is HttpOutcome.TIMEOUT and http.http_version == "HTTP/2", http.error
    assert _codes(report) == [CauseCode.ORIGIN_READ_TIMEOUT]
    assert 900 <= http.duration_ms < 4000


def test_body_over_the_window_is_read_to_its_end(run_check: Callable[..., Report],
                                                 tls_origin: Callable[..., Any]) -> None:
    origin = _origin(tls_origin, _body(200_000))
    report = run_check(origin.port, http_version="http2", response_completion_timeout=5.0)
    http = _http(report)
    assert (http.outcome, http.body_bytes, http.body_note) == \
        (HttpOutcome.RESPONSE, 200_000, None), http
    assert not _codes(report)


def test_slow_body_exceeds_the_completion_timeout(run_check: Callable[..., Report],
                                                  tls_origin: Callable[..., Any]) -> None:
    origin = _origin(tls_origin, _body(8, pause=0.3, piece=1))
    report = run_check(origin.port, http_version="http2", response_completion_timeout=1.0)
    http = _http(report)
    assert http.outcome is HttpOutcome.COMPLETION_TIMEOUT, http
    assert 1 <= (http.body_bytes or 0) < 8
    assert _codes(report) == [CauseCode.ORIGIN_COMPLETION_TIMEOUT]


def test_check_help_does_not_load_h2() -> None:
    code = ("import sys\nfrom cftui.cli import main\n"
            "try:\n    main(['check', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m == 'h2' or m.startswith('h2.')),"
            " file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=30)
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr
    assert "--http-version" in done.stdout


def test_h2_over_tls11_is_a_bad_response(run_check: Callable[..., Report],
                                         tls_origin: Callable[..., Any]) -> None:
    """RFC 9113 §9.2: HTTP/2 over TLS 1.1 is a connection error for a conforming client."""
    seen: Seen = []
    origin = tls_origin(behaviour=_serve_h2(seen, _ok), min_version="TLSv1.1",
                        max_version="TLSv1.1", ciphers="DEFAULT:@SECLEVEL=0")
    origin.context.set_alpn_protocols(H2_AND_H1)
    report = run_check(origin.port, http_version="http2",
                       protocols=(Protocol.TLSv1_1,))
    http = _http(report)
    assert http.alpn == "h2"
    assert CauseCode.ORIGIN_BAD_RESPONSE in _codes(report)
    assert "needs TLS 1.2" in (http.error or "")
