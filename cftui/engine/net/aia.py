"""Fetch a CA certificate from an AIA caIssuers URL, the way a careful client does.

CAs publish issuers over plain HTTP (RFC 5280 4.2.2.1): DER, PKCS#7 (`.p7c`) or, off
spec, PEM. The URL comes from a certificate the origin sent, so it is untrusted: only
`http://`, a few redirects that stay on `http://`, no link-local address (cloud
metadata services live there), a size cap, and one deadline for the whole transfer
(DNS, connect, redirects and body), enforced by a watchdog that shuts the socket.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import threading
import time
from urllib.parse import urljoin, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7

from cftui.engine.net import dns

MAX_BYTES = 64 * 1024
MAX_REDIRECTS = 3
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """The issuer could not be fetched; the message says why, in one line."""


def fetch_issuer(url: str, timeout: float = 10.0, *, connect_timeout: float = 5.0,
                 max_bytes: int = MAX_BYTES,
                 max_redirects: int = MAX_REDIRECTS) -> tuple[x509.Certificate, ...]:
    """The certificates served at `url` (DER, PKCS#7 or PEM). `timeout` bounds the
    whole fetch, redirects included; `connect_timeout` each TCP connect within it.
    Raises FetchError."""
    deadline = time.monotonic() + timeout
    for _ in range(max_redirects + 1):
        status, location, body = _get(url, deadline, connect_timeout, max_bytes)
        if status not in _REDIRECTS:
            if status != 200:
                raise FetchError(f"{_short(url)} answered HTTP {status}")
            return parse_certificates(body)
        if not location:
            raise FetchError(f"{_short(url)} answered HTTP {status} without a Location")
        url = urljoin(url, location)
    raise FetchError(f"more than {max_redirects} redirects")


def parse_certificates(body: bytes) -> tuple[x509.Certificate, ...]:
    """Certificates from a DER certificate, a DER or PEM PKCS#7 bundle, or PEM."""
    if not body:
        raise FetchError("the answer is empty")
    for load in (_der, _p7_der, _pem, _p7_pem):
        try:
            certs = load(body)
        except ValueError:
            continue
        if certs:
            return certs
    raise FetchError("the answer is not a certificate (DER, PKCS#7 or PEM)")


def _der(body: bytes) -> tuple[x509.Certificate, ...]:
    return (x509.load_der_x509_certificate(body),)


def _p7_der(body: bytes) -> tuple[x509.Certificate, ...]:
    return tuple(pkcs7.load_der_pkcs7_certificates(body))


def _pem(body: bytes) -> tuple[x509.Certificate, ...]:
    return tuple(x509.load_pem_x509_certificates(body))


def _p7_pem(body: bytes) -> tuple[x509.Certificate, ...]:
    return tuple(pkcs7.load_pem_pkcs7_certificates(body))


def _short(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[:limit] + "…"


def _target(url: str) -> tuple[str, int, str]:
    """(host, port, path) of an http:// URL; FetchError for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port or 80
    except ValueError as exc:
        raise FetchError(f"bad URL {_short(url)!r}: {exc}") from None
    if parts.scheme.lower() != "http":
        scheme = parts.scheme or "no scheme"
        raise FetchError(f"{_short(url)}: {scheme} is not fetched (caIssuers is "
                         "published over http://)")
    if not parts.hostname:
        raise FetchError(f"{_short(url)}: no host")
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        raise FetchError(f"{_short(url)!r}: control characters or spaces in the URL")
    path = parts.path or "/"
    return parts.hostname, port, path + (f"?{parts.query}" if parts.query else "")


def _address(host: str, port: int, deadline: float) -> str:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError("timed out")
    try:
        addresses = dns.resolve(host, port, remaining)
    except dns.ResolveError as exc:
        raise FetchError(str(exc)) from None
    for address in addresses:
        if not ipaddress.ip_address(address.split("%")[0]).is_link_local:
            return address
    raise FetchError(f"{host} is a link-local address ({addresses[0]}): not fetched")


def _get(url: str, deadline: float, connect_timeout: float,
         max_bytes: int) -> tuple[int, str | None, bytes]:
    """One GET: (status, Location, body up to max_bytes)."""
    host, port, path = _target(url)
    address = _address(host, port, deadline)
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError("timed out")
    conn = http.client.HTTPConnection(address, port, timeout=min(connect_timeout, remaining))
    expired = threading.Event()
    connected: list[socket.socket] = []  # conn.sock is None once the response is read

    def watchdog() -> None:  # a slow-drip server must not outlive the deadline
        expired.set()
        for sock in connected:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(remaining, watchdog)
    timer.daemon = True
    timer.start()
    try:
        try:
            conn.connect()
        except OSError as exc:
            why = "timed out" if isinstance(exc, TimeoutError) else exc.strerror or str(exc)
            raise FetchError(f"{_short(url)}: cannot connect to {address} port {port}: "
                             f"{why}") from None
        connected.append(conn.sock)
        conn.sock.settimeout(max(deadline - time.monotonic(), 0.001))  # the limit now
        if expired.is_set():
            raise TimeoutError
        conn.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        name = f"[{host}]" if ":" in host else host
        conn.putheader("Host", name if port == 80 else f"{name}:{port}")
        conn.putheader("Accept", "application/pkix-cert, application/pkcs7-mime, */*")
        conn.putheader("User-Agent", "cftui")
        conn.putheader("Connection", "close")
        conn.endheaders()
        response = conn.getresponse()
        if response.status in _REDIRECTS:
            return response.status, response.getheader("Location"), b""
        if response.status != 200:
            return response.status, None, b""
        length = response.getheader("Content-Length")
        if length and length.strip().isdigit() and int(length) > max_bytes:
            raise FetchError(f"{_short(url)} serves {int(length)} bytes (at most "
                             f"{max_bytes // 1024} KB is read)")
        body = bytearray()
        while chunk := response.read1(16384):
            if expired.is_set():
                raise TimeoutError
            body += chunk
            if len(body) > max_bytes:
                raise FetchError(f"{_short(url)} serves more than {max_bytes // 1024} KB")
        if expired.is_set():  # the watchdog's shutdown reads as an early end
            raise TimeoutError
        return response.status, None, bytes(body)
    except FetchError:
        raise
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set() or isinstance(exc, TimeoutError):
            raise FetchError(f"{_short(url)}: no whole answer within the "
                             "deadline (timed out)") from None
        raise FetchError(f"{_short(url)}: {type(exc).__name__}: {exc}") from None
    finally:
        timer.cancel()
        conn.close()
