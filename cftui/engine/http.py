"""Complete a real handshake with CloudFront's profile and send the request CloudFront would.

The raw prober stops after the origin's first flight; this stage finishes the
handshake through pyOpenSSL (where the local OpenSSL can speak the version and
suite) with CloudFront's suites, curves and signature schemes, then waits for
the status line within the origin read timeout.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from OpenSSL import SSL

from cftui.engine import body, profile
from cftui.engine.net.connect import RETRYABLE, Endpoint, connect, describe_os_error
from cftui.engine.profile import Protocol
from cftui.engine.results import HttpOutcome, HttpResult
from cftui.engine.tls.handshake import (
    Deadline,
    ProfileUnavailable,
    Watchdog,
    cloudfront_context,
    handshake,
    recv,
    send_all,
)
from cftui.engine.tls.tap import TappedConnection, WireLog


def _head_end(data: bytes | bytearray) -> int | None:
    """Where the first response head in `data` ends (after its blank line), if it does."""
    ends = [i + len(sep) for sep in (b"\r\n\r\n", b"\n\n") if (i := data.find(sep)) >= 0]
    return min(ends) if ends else None


def _read_head(conn: SSL.Connection, deadline: float, limit: int,
               cancel: threading.Event | None = None, data: bytes = b""
               ) -> tuple[bytes, bytes, float | None, str]:
    """Read until the end of one response head, starting with what is already in `data`.
    Returns (head, bytes after it, first byte ms, why)."""
    buffer = bytearray(data)
    start = time.monotonic()
    first: float | None = 0.0 if data else None
    while (end := _head_end(buffer)) is None:
        if len(buffer) > limit:
            return bytes(buffer), b"", first, "too-large"
        chunk = recv(conn, deadline, cancel)
        if not chunk:
            return bytes(buffer), b"", first, "closed"
        if first is None:
            first = (time.monotonic() - start) * 1000
        buffer += chunk
    # the last read may have brought the end of a head that is already over the limit
    return bytes(buffer[:end]), bytes(buffer[end:]), first, "too-large" if end > limit else "head"


def _final_head(conn: SSL.Connection, deadline: float, limit: int,
                cancel: threading.Event | None) -> tuple[bytes, bytes, float | None, str]:
    """The final response head: interim 1xx answers (100 Continue, 103 Early Hints) are
    skipped, as CloudFront waits for the final response."""
    rest = b""
    first: float | None = None
    while True:
        head, rest, got, why = _read_head(conn, deadline, limit, cancel, rest)
        first = got if first is None else first
        parsed = parse_head(head) if why == "head" else None
        if parsed is None or not 100 <= parsed[0] < 200 or parsed[0] == 101:
            return head, rest, first, why


def request_bytes(host: str, path: str) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Amazon CloudFront\r\n"
            "Accept: */*\r\nConnection: close\r\n\r\n").encode("ascii", "replace")


def parse_head(head: bytes) -> tuple[int, str, tuple[tuple[str, str], ...]] | None:
    """(status code, status line, headers) or None when it is not an HTTP response."""
    text = head.decode("latin-1")
    lines = text.replace("\r\n", "\n").split("\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isascii() \
            or not parts[1].isdigit() or len(parts[1]) != 3:
        return None
    headers = []
    for line in lines[1:]:
        if not line:
            break
        name, sep, value = line.partition(":")
        if sep:
            headers.append((name.strip(), value.strip()))
    return int(parts[1]), lines[0], tuple(headers)


def fetch(endpoint: Endpoint, *, sni: str, host: str, path: str,
          protocols: Sequence[Protocol], read_timeout: float,
          client_cert: str | None = None, client_key: str | None = None,
          completion_timeout: float | None = None,
          http_version: str = profile.DEFAULT_HTTP_VERSION,
          first: socket.socket | OSError | None = None) -> HttpResult:
    """Handshake as CloudFront (presenting `client_cert` for origin mTLS, as CloudFront
    presents the ACM certificate OriginMtlsConfig names), send GET, read the response.
    With `http_version` "http2" ALPN offers h2 and the GET goes over HTTP/2 when the
    origin picks it (HTTP/1.1 otherwise, as CloudFront falls back). `first`: the first
    try's connection, already made (or how making it failed); fetch closes it."""
    start = time.monotonic()
    pending = [first] if first is not None else []
    try:
        return _fetch(endpoint, start, pending, sni=sni, host=host, path=path,
                      protocols=protocols, read_timeout=read_timeout,
                      client_cert=client_cert, client_key=client_key,
                      completion_timeout=completion_timeout, http_version=http_version)
    finally:
        for unused in pending:
            if isinstance(unused, socket.socket):
                unused.close()


def _fetch(endpoint: Endpoint, start: float, pending: list[socket.socket | OSError], *,
           sni: str, host: str, path: str, protocols: Sequence[Protocol],
           read_timeout: float, client_cert: str | None, client_key: str | None,
           completion_timeout: float | None, http_version: str) -> HttpResult:

    def result(outcome: str, **kw: object) -> HttpResult:
        return HttpResult(address=endpoint.address, outcome=HttpOutcome(outcome),
                          duration_ms=(time.monotonic() - start) * 1000, **kw)  # type: ignore

    try:
        ctx = cloudfront_context(protocols, http2=http_version == "http2")
    except ProfileUnavailable as exc:
        return result("skipped", error=f"request not sent: cannot offer CloudFront's curves "
                      f"and signature algorithms locally: {exc}")
    if ctx is None:
        return result("skipped", error="the local OpenSSL cannot speak the enabled protocols")
    if client_cert is not None and client_key is not None:
        try:
            ctx.use_certificate_chain_file(client_cert)
            ctx.use_privatekey_file(client_key)
            ctx.check_privatekey()
        except SSL.Error as exc:
            return result("skipped", error=f"request not sent: the client certificate cannot "
                          f"be loaded: {_ssl_error(exc)}")
    # refused, or reset before the handshake got anywhere: CloudFront tries again
    answer, retries = endpoint.retry(
        lambda: _connect_and_exchange(endpoint, ctx, result, sni=sni, host=host, path=path,
                                      read_timeout=read_timeout,
                                      completion_timeout=completion_timeout,
                                      first=pending.pop() if pending else None),
        lambda a: (a.outcome in (HttpOutcome.ERROR, HttpOutcome.TLS_FAILED)
                   and a.error in RETRYABLE),
        lambda a: a.error)
    return replace(answer, retries=retries) if retries else answer


def _connect_and_exchange(endpoint: Endpoint, ctx: SSL.Context,
                          result: Callable[..., HttpResult], *, sni: str, host: str, path: str,
                          read_timeout: float, completion_timeout: float | None,
                          first: socket.socket | OSError | None = None) -> HttpResult:
    try:
        if isinstance(first, OSError):
            raise first
        sock = first if first is not None else connect(endpoint)
    except OSError as exc:
        return result("error", error=describe_os_error(exc))
    wire = WireLog()
    with sock:  # closed whatever raises from here on (a bad SNI included)
        answer = _exchange(sock, ctx, result, wire, sni=sni, host=host, path=path,
                           connect_timeout=endpoint.connect_timeout,
                           read_timeout=read_timeout, cancel=endpoint.cancel,
                           completion_timeout=completion_timeout)
    return replace(answer, wire=tuple(wire.records), wire_dropped=wire.dropped)


def _exchange(sock: socket.socket, ctx: SSL.Context, base: Callable[..., HttpResult],
              wire: WireLog, *,
              sni: str, host: str, path: str, connect_timeout: float,
              read_timeout: float, cancel: threading.Event | None = None,
              completion_timeout: float | None = None) -> HttpResult:
    """Handshake, request and response head on a connected socket (closed by the caller)."""
    version = cipher = None
    result = base
    watchdog = Watchdog(sock)
    try:
        sock.setblocking(False)
        conn = TappedConnection(ctx, sock, wire, cancel=cancel,
                                write_stall=connect_timeout + read_timeout)
        conn.set_tlsext_host_name(sni.encode("idna"))
        conn.set_connect_state()
        deadline = time.monotonic() + connect_timeout
        watchdog.arm(deadline)
        try:
            handshake(conn, deadline, cancel)
        except Deadline:
            return result("tls-failed", error="handshake timed out")
        except SSL.Error as exc:
            if watchdog.fired:
                return result("tls-failed", error="handshake timed out")
            reason = _ssl_error(exc)
            if _LOCAL_LIMIT in reason:
                # OpenSSL's own cap on a handshake message (100 KiB by default, not
                # settable through pyOpenSSL): a long chain trips it here, not at CloudFront
                return result("skipped", error="request not sent: the origin's certificate "
                              "message is over the local OpenSSL's size limit (a limitation "
                              "of this machine, not the origin's fault)")
            return result("tls-failed", error=reason)
        finally:
            watchdog.cancel()
        if watchdog.fired:
            return result("tls-failed", error="handshake timed out")
        version, cipher = conn.get_protocol_version_name(), conn.get_cipher_name()
        alpn = conn.get_alpn_proto_negotiated().decode("latin-1")[:32] or None
        result = functools.partial(base, alpn=alpn, protocol=version, cipher=cipher,
                                   http_version="HTTP/2" if alpn == "h2" else "HTTP/1.1")
        sent_at = time.monotonic()
        deadline = sent_at + read_timeout
        watchdog.arm(deadline)

        def timed_out() -> HttpResult:
            return result("timeout", error=f"no response within {read_timeout:g} s")

        if alpn == "h2":
            return _over_h2(conn, watchdog, result, timed_out, host=host, path=path,
                            deadline=deadline, cancel=cancel, sent_at=sent_at,
                            read_timeout=read_timeout, completion_timeout=completion_timeout)
        try:
            send_all(conn, request_bytes(host, path), deadline, cancel)
            head, rest, first, why = _final_head(
                conn, deadline, profile.MAX_RESPONSE_HEADER_BYTES, cancel)
        except Deadline:
            return timed_out()
        except SSL.Error as exc:
            if watchdog.fired:
                return timed_out()
            return result("closed", error=_ssl_error(exc))
        finally:
            watchdog.cancel()
        if watchdog.fired and why == "closed":
            return timed_out()
        parsed = parse_head(head) if head else None
        if why == "too-large":
            return result("too-large", first_byte_ms=first,
                          status_line=parsed[1] if parsed else None,
                          error=f"response head over {profile.MAX_RESPONSE_HEADER_BYTES} bytes")
        if parsed is None:
            if not head:
                return result("closed",
                              error="connection closed before any response")
            return result("not-http", first_byte_ms=first,
                          error="the answer is not HTTP", status_line=head[:80].decode(
                              "latin-1"))
        code, line, headers = parsed
        if not 100 <= code <= 599 or code == 101:
            what = ("101 Switching Protocols to a request that asked for no upgrade"
                    if code == 101 else f"invalid status code {line.split(' ')[1]!r}")
            return result("not-http", first_byte_ms=first,
                          error=f"the answer is not a usable HTTP response: {what}",
                          status_line=line[:80])
        answer = result("response", status_code=code,
                        status_line=line, headers=headers, first_byte_ms=first)
        if completion_timeout is None:
            return answer
        return _timed_body(conn, watchdog, answer, rest, sent_at=sent_at,
                           completion_timeout=completion_timeout, read_timeout=read_timeout,
                           cancel=cancel)
    except OSError as exc:
        return result("error", protocol=version, cipher=cipher, error=describe_os_error(exc))
    finally:
        watchdog.cancel()


def _over_h2(conn: SSL.Connection, watchdog: Watchdog, result: Callable[..., HttpResult],
             timed_out: Callable[[], HttpResult], *, host: str, path: str, deadline: float,
             cancel: threading.Event | None, sent_at: float, read_timeout: float,
             completion_timeout: float | None) -> HttpResult:
    """The GET over HTTP/2 (the origin picked h2), bounded by the read deadline; with a
    ResponseCompletionTimeout, the body too, as `_timed_body` does for HTTP/1.1."""
    from cftui.engine import http2  # loads `h2` only when OriginHttpVersion is http2

    try:
        got = http2.get(conn, host=host, path=path, deadline=deadline, cancel=cancel,
                        limit=profile.MAX_RESPONSE_HEADER_BYTES)
    except Deadline:
        return timed_out()
    except (http2.H2Failure, SSL.Error) as exc:
        outcome = getattr(exc, "outcome", "closed")
        if watchdog.fired and outcome == "closed":
            return timed_out()
        return result(outcome, error=_ssl_error(exc) if isinstance(exc, SSL.Error) else str(exc))
    finally:
        watchdog.cancel()
    answer = result("response", status_code=got.status, status_line=f"HTTP/2 {got.status}",
                    headers=got.headers, first_byte_ms=got.first_byte_ms)
    if completion_timeout is None:
        return answer
    completion_deadline = sent_at + completion_timeout

    def done(outcome: HttpOutcome, error: str | None = None, note: str | None = None
             ) -> HttpResult:
        if outcome is HttpOutcome.COMPLETION_TIMEOUT:
            error = body.took_over(completion_timeout, got.stream.body)
        return replace(answer, outcome=outcome, error=error, body_bytes=got.stream.body,
                       complete_ms=(time.monotonic() - sent_at) * 1000, body_note=note)

    watchdog.arm(completion_deadline)
    try:
        _, note = http2.read_body(conn, got, completion_deadline=completion_deadline,
                                  read_timeout=read_timeout, cancel=cancel,
                                  cap=profile.COMPLETION_BODY_LIMIT)
    except Deadline:
        if time.monotonic() >= completion_deadline:
            return done(HttpOutcome.COMPLETION_TIMEOUT)
        return done(HttpOutcome.TIMEOUT, body.stalled(read_timeout, got.stream.body))
    except SSL.Error as exc:
        note = f"reading the body failed: {_ssl_error(exc)}"
    finally:
        watchdog.cancel()
    return done(HttpOutcome.COMPLETION_TIMEOUT if watchdog.fired else HttpOutcome.RESPONSE,
                note=note)


#: OpenSSL's reason when a handshake message is over its max_cert_list.
_LOCAL_LIMIT = "excessive message size"


def _ssl_error(exc: SSL.Error) -> str:
    if isinstance(exc, SSL.SysCallError):
        code = exc.args[0] if exc.args else None
        if code == -1:
            return "connection closed during the handshake"
        return describe_os_error(OSError(code, exc.args[1] if len(exc.args) > 1 else "")) \
            if isinstance(code, int) else str(exc)
    reasons = [str(r[2]) for r in (exc.args[0] if exc.args and isinstance(exc.args[0], list)
                                   else []) if len(r) > 2]
    return "; ".join(reasons) or str(exc)


def _timed_body(conn: SSL.Connection, watchdog: Watchdog, answer: HttpResult, start: bytes, *,
                sent_at: float, completion_timeout: float, read_timeout: float,
                cancel: threading.Event | None) -> HttpResult:
    """Read the body to its end (or the byte cap) within the completion timeout, which
    counts from the request; the read timeout still bounds each wait for data."""
    assert answer.status_code is not None
    kind, length = body.framing(answer.status_code, answer.headers)
    framing = body.Framing(kind, length)
    data = bytearray(start)  # the body bytes that came with the head
    limit = profile.COMPLETION_BODY_LIMIT
    completion_deadline = sent_at + completion_timeout
    note: str | None = None

    def done(outcome: HttpOutcome, error: str | None = None) -> HttpResult:
        if outcome is HttpOutcome.COMPLETION_TIMEOUT:
            error = body.took_over(completion_timeout, len(data))
        return replace(answer, outcome=outcome, error=error, body_bytes=len(data),
                       complete_ms=(time.monotonic() - sent_at) * 1000, body_note=note)

    watchdog.arm(completion_deadline)
    try:
        while not framing.complete(data):
            if len(data) >= limit:
                note = body.capped(limit)
                break
            gap_deadline = min(completion_deadline, time.monotonic() + read_timeout)
            chunk = recv(conn, gap_deadline, cancel)
            if not chunk:
                if kind != "close":
                    note = body.closed_after(len(data))
                break
            data += chunk
    except Deadline:
        if time.monotonic() >= completion_deadline:
            return done(HttpOutcome.COMPLETION_TIMEOUT)
        return done(HttpOutcome.TIMEOUT, body.stalled(read_timeout, len(data)))
    except body.BodyError as exc:
        return done(HttpOutcome.NOT_HTTP, f"the body's chunked framing is broken: {exc}")
    except SSL.Error as exc:
        if watchdog.fired:
            return done(HttpOutcome.COMPLETION_TIMEOUT)
        note = f"reading the body failed: {_ssl_error(exc)}"
    finally:
        watchdog.cancel()
    return done(HttpOutcome.COMPLETION_TIMEOUT if watchdog.fired else HttpOutcome.RESPONSE)
