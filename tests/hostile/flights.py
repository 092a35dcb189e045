"""Real server first flights, captured from loopback origins, and ways to break them.

Used by `test_hostile_parser.py` and by the longer campaign in `fuzz/fuzz_flight.py`.
The corpus is captured once per process: cftui's own ClientHello goes to a
`TlsOrigin` (the interpreter's OpenSSL) in several configurations, and the raw bytes
of the answer are kept up to the end of the clear-text first flight.
"""

from __future__ import annotations

import functools
import socket
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import dh
from cryptography.hazmat.primitives.serialization import Encoding, ParameterFormat

from cftui.demo.pki import Pki, intermediate_ca, root_ca
from cftui.demo.servers import TlsOrigin
from cftui.engine.model import FlightEnd, Outcome, ProtocolAttempt, Purpose, ServerFlight
from cftui.engine.profile import Protocol
from cftui.engine.tls import hello as hello_mod
from cftui.engine.tls import scan
from cftui.engine.tls.flight import MAX_MESSAGES, FlightParser, ParseError
from cftui.engine.tls.hello import HelloSpec
from cftui.transcript import session as transcript

NAME = "origin.example.com"

#: RFC 7919 ffdhe2048, so a DHE ServerKeyExchange is in the corpus without slow DH
#: parameter generation.
_FFDHE2048 = int(
    "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE"
    "249B3EF97D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3"
    "B557135E7F57C935984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC0AB182"
    "B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8EE0A6D70"
    "9E02FCE1CDF7E2ECC03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC"
    "2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA886B423861285C97FFFFFFFFFFFFFFFF", 16)


@dataclass(frozen=True)
class Flight:
    """One captured first flight and the hello that drew it."""

    name: str
    spec: HelloSpec
    data: bytes


def capture(port: int, spec: HelloSpec, timeout: float = 5.0) -> bytes:
    """Send cftui's ClientHello for `spec` and return the raw answer up to the end of
    the clear-text first flight (or EOF / the timeout)."""
    deadline = time.monotonic() + timeout
    data = bytearray()
    parser = FlightParser()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(hello_mod.client_hello(spec))
        while not parser.done and time.monotonic() < deadline:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ConnectionError):
                break
            if not chunk:
                break
            data += chunk
            parser.feed(chunk)
    return bytes(data)


def _dh_params(directory: Path) -> Path:
    with warnings.catch_warnings():  # FFDH is deprecated: that is why origins still use it
        warnings.simplefilter("ignore")
        params = dh.DHParameterNumbers(_FFDHE2048, 2).parameters()
    path = directory / "dh.pem"
    path.write_bytes(params.parameter_bytes(Encoding.PEM, ParameterFormat.PKCS3))
    return path


def _origins(pki: Pki) -> Iterator[tuple[str, dict[str, Any], Sequence[HelloSpec]]]:
    cf12 = hello_mod.cloudfront_hello(Protocol.TLSv1_2, NAME)
    broad12 = hello_mod.broad_hello(Protocol.TLSv1_2, NAME)
    rsa = pki.issue(NAME)
    ecdsa = pki.issue(NAME, key_type="ec:secp256r1", key_index=5)
    client_ca = root_ca("fuzz client CA", key_index=3)
    other_root = root_ca("fuzz other root", key_index=6)
    padded = (*rsa.intermediates, *(intermediate_ca(other_root, f"pad {i}", key_index=6)
                                    for i in range(24)))
    yield "tls12-rsa-ecdhe", {"leaf": rsa}, (cf12,)
    yield "tls12-ecdsa", {"leaf": ecdsa}, (cf12,)
    yield "tls12-rsa-kx", {"leaf": rsa, "ciphers": "AES128-SHA:AES256-SHA"}, (cf12,)
    yield "tls12-no-common-suite", {"leaf": rsa, "ciphers": "AES128-GCM-SHA256"}, (cf12,)
    yield "tls12-dhe", {"leaf": rsa, "ciphers": "DHE-RSA-AES128-GCM-SHA256",
                        "dh": True}, (broad12,)
    yield "tls12-client-cert", {"leaf": rsa, "client_ca": client_ca}, (cf12,)
    yield "tls12-big-chain", {"leaf": rsa, "extra": padded}, (cf12,)
    yield "tls10-11", {"leaf": rsa, "min_version": "TLSv1", "max_version": "TLSv1.1",
                       "ciphers": "DEFAULT:@SECLEVEL=0"}, (
        hello_mod.cloudfront_hello(Protocol.TLSv1, NAME),
        hello_mod.cloudfront_hello(Protocol.TLSv1_1, NAME))
    yield "tls13", {"leaf": rsa}, (hello_mod.tls13_hello(NAME),)
    yield "tls13-only-refuses-12", {"leaf": rsa, "min_version": "TLSv1.3"}, (cf12,)


@functools.cache
def corpus() -> tuple[Flight, ...]:
    """Real first flights from loopback origins (captured once per process)."""
    pki = Pki.create("cftui Fuzz")
    flights: list[Flight] = []
    with tempfile.TemporaryDirectory(prefix="cftui-fuzz-") as tmp:
        dh_file = _dh_params(Path(tmp))
        for name, options, specs in _origins(pki):
            options = dict(options)
            use_dh = options.pop("dh", False)
            leaf = options.pop("leaf")
            extra = options.pop("extra", None)
            origin = TlsOrigin(leaf, extra, io_timeout=5.0, **options)
            if use_dh:
                origin.context.load_dh_params(str(dh_file))
            with origin:
                for spec in specs:
                    data = capture(origin.port, spec)
                    flights.append(Flight(f"{name}/{spec.protocol.value}", spec, data))
    return tuple(flights)


# --- feeding and checking ------------------------------------------------------------


def parse(data: bytes, chunk: int = 0) -> tuple[FlightParser, ParseError | None]:
    """Feed `data` in chunks of `chunk` bytes (0: all at once). Any exception other than
    ParseError propagates: that is a bug."""
    parser = FlightParser()
    step = chunk or max(1, len(data))
    try:
        for i in range(0, len(data), step):
            parser.feed(data[i : i + step])
    except ParseError as exc:
        return parser, exc
    return parser, None


def check_invariants(data: bytes, parser: FlightParser, error: ParseError | None) -> ServerFlight:
    """What holds for any input: bounded, consistent, and the result is usable."""
    flight = parser.result(FlightEnd.CLOSED if error is None else FlightEnd.MALFORMED,
                           str(error) if error else None)
    assert flight.bytes_read <= len(data)
    assert len(flight.messages) <= MAX_MESSAGES
    assert sum(len(m.raw) for m in flight.messages) <= flight.bytes_read
    assert flight.first_bytes == data[: len(flight.first_bytes)]
    if error is None and parser.done:
        assert flight.end in (FlightEnd.HELLO_DONE, FlightEnd.ENCRYPTED, FlightEnd.ALERT,
                              FlightEnd.TOO_LARGE)
    if flight.end is FlightEnd.HELLO_DONE:
        assert flight.hello_done and flight.server_hello is not None
    return flight


def use(flight: ServerFlight, spec: HelloSpec, outcome: Outcome) -> list[str]:
    """Everything downstream does with a parsed flight: the attempt's properties, the
    scan's error text and the s_client transcript. Must not raise."""
    attempt = ProtocolAttempt(
        protocol=spec.protocol, address="127.0.0.1", port=443, sni=spec.sni,
        purpose=Purpose.CLOUDFRONT, offered=spec.suites,
        client_hello=hello_mod.client_hello(spec, random=bytes(32)), outcome=outcome,
        flight=flight, error=flight.error)
    _ = (attempt.accepted, attempt.violation, attempt.negotiated, attempt.cipher,
         attempt.bytes_read)
    hello = flight.server_hello
    if hello is not None:
        _ = (hello.alpn, hello.secure_renegotiation, hello.extended_master_secret,
             hello.is_hello_retry_request, hello.protocol, [e.name for e in hello.extensions])
    scan.attempt_error(attempt)
    scan.broken_flight_error(attempt)
    return transcript.render(attempt)


def outcome_of(flight: ServerFlight, error: ParseError | None) -> Outcome:
    if error is not None:
        return Outcome.MALFORMED
    if flight.end is FlightEnd.ALERT:
        return Outcome.ALERT
    return Outcome.SERVER_HELLO if flight.server_hello is not None else Outcome.CLOSED


def run_one(data: bytes, spec: HelloSpec, chunk: int = 0) -> ParseError | None:
    """The whole property for one input: parse, check invariants, use the result."""
    parser, error = parse(data, chunk)
    flight = check_invariants(data, parser, error)
    use(flight, spec, outcome_of(flight, error))
    return error


# --- structure-aware mutations ---------------------------------------------------------


def record_offsets(data: bytes) -> list[int]:
    """Offsets of the record headers in `data`, as far as the framing holds."""
    offsets, pos = [], 0
    while pos + 5 <= len(data):
        offsets.append(pos)
        pos += 5 + int.from_bytes(data[pos + 3 : pos + 5], "big")
    return offsets


def handshake_length_offsets(data: bytes) -> list[int]:
    """Wire offsets of each handshake message's 3-byte length, across record boundaries."""
    stream: list[int] = []  # wire offset of each handshake byte
    for pos in record_offsets(data):
        if data[pos] != 22:
            continue
        end = min(len(data), pos + 5 + int.from_bytes(data[pos + 3 : pos + 5], "big"))
        stream.extend(range(pos + 5, end))
    offsets, i = [], 0
    while i + 4 <= len(stream):
        offsets.append(stream[i + 1])
        size = int.from_bytes(bytes(data[stream[j]] for j in range(i + 1, i + 4)), "big")
        i += 4 + size
    return offsets


def reframe(data: bytes, sizes: Callable[[int], int]) -> bytes:
    """The handshake records' payloads merged and re-split into records of
    `sizes(remaining)` bytes (other records kept as they are): a valid re-framing."""
    runs: list[tuple[int, int, bytearray]] = []
    for pos in record_offsets(data):
        ctype, version = data[pos], int.from_bytes(data[pos + 1 : pos + 3], "big")
        body = data[pos + 5 : pos + 5 + int.from_bytes(data[pos + 3 : pos + 5], "big")]
        if runs and runs[-1][0] == ctype == 22:
            runs[-1][2].extend(body)
        else:
            runs.append((ctype, version, bytearray(body)))
    out = bytearray()
    for ctype, version, body in runs:
        if ctype != 22 or not body:  # alerts, CCS, application data: kept as they were
            out += bytes((ctype,)) + version.to_bytes(2, "big") + len(body).to_bytes(2, "big")
            out += body
            continue
        i = 0
        while i < len(body):
            n = max(1, min(sizes(len(body) - i), len(body) - i, 2**14))
            out += bytes((ctype,)) + version.to_bytes(2, "big") + n.to_bytes(2, "big")
            out += body[i : i + n]
            i += n
    return bytes(out)


def set_field(data: bytes, offset: int, width: int, value: int) -> bytes:
    if offset + width > len(data):
        return data
    value %= 1 << (8 * width)
    return data[:offset] + value.to_bytes(width, "big") + data[offset + width :]


def summary(flight: ServerFlight) -> tuple[Any, ...]:
    """What a re-framing must not change."""
    return (tuple((m.name, m.content_type, m.handshake_type, m.raw) for m in flight.messages
                  if m.content_type == 22),
            flight.end, flight.certificates, flight.server_hello, flight.key_exchange,
            flight.certificate_request, flight.alert)
