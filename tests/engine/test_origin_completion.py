"""ResponseCompletionTimeout: the whole response, read to its end, against the cap."""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable
from typing import Any

import pytest
from support.schema import valid_json

from cftui.demo.servers import read_head
from cftui.engine import body
from cftui.engine.causes import CauseCode
from cftui.engine.report import to_json
from cftui.engine.results import HttpOutcome, Report


def _slow_body(tls: ssl.SSLSocket) -> None:
    read_head(tls)
    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n")
    for _ in range(8):  # one byte every 0.3 s: each gap within the read timeout
        time.sleep(0.3)
        tls.sendall(b"x")


def _chunked(tls: ssl.SSLSocket) -> None:
    read_head(tls)
    tls.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    tls.sendall(b"5\r\nhello\r\n")
    time.sleep(0.1)
    tls.sendall(b"6;x=y\r\n world\r\n0\r\n\r\n")
    time.sleep(1.5)  # the connection stays open: only the framing says it is complete


def _huge(tls: ssl.SSLSocket) -> None:
    read_head(tls)
    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\n")
    try:
        for _ in range(200):
            tls.sendall(b"y" * 16384)
    except OSError:
        pass


def _http(report: Report) -> Any:
    http = report.per_address[0].http
    assert http is not None
    return http


def test_slow_body_exceeds_the_completion_timeout(run_check: Callable[..., Report],
                                                  tls_origin: Callable[..., Any]) -> None:
    origin = tls_origin(behaviour=_slow_body)
    report = run_check(origin.port, response_completion_timeout=1.0)
    assert [c.code for c in report.verdict.causes] == [CauseCode.ORIGIN_COMPLETION_TIMEOUT]
    assert report.verdict.http_status == 504
    assert _http(report).outcome is HttpOutcome.COMPLETION_TIMEOUT


def test_slow_body_within_a_larger_timeout(run_check: Callable[..., Report],
                                           tls_origin: Callable[..., Any]) -> None:
    origin = tls_origin(behaviour=_slow_body)
    report = run_check(origin.port, response_completion_timeout=5.0)
    assert not report.verdict.causes
    http = _http(report)
    assert http.body_bytes == 8 and http.complete_ms >= 2000
    assert to_json(report)["http"]["body_bytes"] == 8


def test_without_the_setting_the_body_is_not_read(run_check: Callable[..., Report],
                                                  tls_origin: Callable[..., Any]) -> None:
    origin = tls_origin(behaviour=_slow_body)
    report = run_check(origin.port)
    assert not report.verdict.causes and _http(report).body_bytes is None


def test_chunked_body_ends_at_its_last_chunk(run_check: Callable[..., Report],
                                             tls_origin: Callable[..., Any]) -> None:
    origin = tls_origin(behaviour=_chunked)
    report = run_check(origin.port, response_completion_timeout=1.0)
    assert not report.verdict.causes, report.verdict.causes
    assert _http(report).body_bytes is not None


def test_a_huge_body_is_read_up_to_the_cap(run_check: Callable[..., Report],
                                           tls_origin: Callable[..., Any]) -> None:
    origin = tls_origin(behaviour=_huge)
    report = run_check(origin.port, response_completion_timeout=5.0)
    http = _http(report)
    assert not report.verdict.causes and http.body_bytes >= 1 << 20
    assert "stopped reading" in http.body_note
    valid_json(report)


@pytest.mark.parametrize(("status", "headers", "want"), [
    (200, [("Content-Length", "12")], ("length", 12)),
    (200, [("Transfer-Encoding", "gzip, chunked"), ("Content-Length", "3")], ("chunked", None)),
    (204, [], ("length", 0)),
    (200, [("Content-Length", "-1")], ("close", None)),
])
def test_framing(status: int, headers: list[tuple[str, str]], want: tuple[str, Any]) -> None:
    assert body.framing(status, headers) == want


def test_chunked_framing() -> None:
    assert not body.complete("chunked", None, b"5\r\nhel")
    assert body.complete("chunked", None, b"3\r\nabc\r\n0\r\n\r\n")
    assert body.complete("chunked", None, b"0\r\nX-T: 1\r\n\r\n")
    with pytest.raises(body.BodyError):
        body.complete("chunked", None, b"zz\r\n")


def test_chunked_framing_read_piece_by_piece_answers_as_from_the_start() -> None:
    """The reader walks each chunk once, going on from the last whole one; at every
    length it reads, it answers what walking the whole prefix again answers."""
    whole = b"3\r\nabc\r\n1;ext=1\r\nx\r\n10\r\n" + b"y" * 16 + b"\r\n0\r\nX-T: 1\r\n\r\n"
    for step in (1, 2, 5, 7, len(whole)):
        framing = body.Framing("chunked", None)
        for end in range(step, len(whole) + step, step):
            prefix = whole[:end]
            assert framing.complete(prefix) is body.complete("chunked", None, prefix), (step, end)
        assert framing.complete(whole)
