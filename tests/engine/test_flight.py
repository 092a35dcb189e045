"""The first-flight parser on crafted bytes: well-formed, truncated, hostile."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cftui.engine.model import FlightEnd
from cftui.engine.profile import Protocol
from cftui.engine.tls.flight import MAX_RECORD, FlightParser, NotTls, ParseError
from cftui.engine.tls.hello import broad_hello, client_hello, cloudfront_hello


def record(content_type: int, body: bytes, version: int = 0x0303) -> bytes:
    return struct.pack("!BHH", content_type, version, len(body)) + body


def handshake(msg_type: int, body: bytes) -> bytes:
    return struct.pack("!B", msg_type) + len(body).to_bytes(3, "big") + body


def server_hello(suite: int = 0xC02F, version: int = 0x0303, extensions: bytes = b"") -> bytes:
    body = struct.pack("!H", version) + b"\x11" * 32 + b"\x00" + struct.pack("!HB", suite, 0)
    if extensions:
        body += struct.pack("!H", len(extensions)) + extensions
    return handshake(2, body)


def test_server_hello_then_done_in_one_record() -> None:
    reneg = struct.pack("!HH", 0xFF01, 1) + b"\x00"
    data = record(22, server_hello(extensions=reneg) + handshake(14, b""))
    parser = FlightParser()
    parser.feed(data)
    flight = parser.result()
    assert flight.end is FlightEnd.HELLO_DONE
    assert flight.server_hello is not None
    assert flight.server_hello.cipher_suite == 0xC02F
    assert flight.server_hello.secure_renegotiation
    assert [m.name for m in flight.messages] == ["ServerHello", "ServerHelloDone"]


def test_handshake_message_split_over_records_and_fed_byte_by_byte() -> None:
    cert = b"\x30\x03\x02\x01\x00"
    certs = len(cert).to_bytes(3, "big") + cert
    msg = server_hello() + handshake(11, len(certs).to_bytes(3, "big") + certs) + handshake(14, b"")
    data = record(22, msg[:10]) + record(22, msg[10:30]) + record(22, msg[30:])
    parser = FlightParser()
    for i in range(len(data)):
        parser.feed(data[i : i + 1])
    assert parser.done
    assert parser.result().certificates == (cert,)


def test_fatal_alert_ends_the_flight_but_a_warning_does_not() -> None:
    parser = FlightParser()
    parser.feed(record(21, b"\x01\x70") + record(22, server_hello()) + record(21, b"\x02\x28"))
    flight = parser.result()
    assert flight.end is FlightEnd.ALERT
    assert flight.alert is not None and flight.alert.name == "handshake failure"
    assert [m.name for m in flight.messages] == ["Alert", "ServerHello", "Alert"]


def test_plain_http_is_not_tls() -> None:
    with pytest.raises(NotTls):
        FlightParser().feed(b"HTTP/1.1 400 Bad Request\r\n\r\n")


def test_record_over_the_limit() -> None:
    with pytest.raises(ParseError, match="over the TLS limit"):
        FlightParser().feed(struct.pack("!BHH", 22, 0x0303, MAX_RECORD + 1))


def test_handshake_length_longer_than_its_body() -> None:
    bad = b"\x02\x00\x00\x10" + b"\x03\x03" + b"\x00" * 14  # a 16-byte ServerHello
    with pytest.raises(ParseError, match="ServerHello"):
        FlightParser().feed(record(22, bad))


def test_empty_records_forever_are_refused() -> None:
    with pytest.raises(ParseError, match="empty records"):
        FlightParser().feed(record(22, b"") * 100)


def test_server_hello_with_trailing_garbage() -> None:
    with pytest.raises(ParseError):
        FlightParser().feed(record(22, server_hello(extensions=b"\x00\x00\x00\x05abc")))


def test_tls13_server_hello_ends_the_clear_part() -> None:
    versions = struct.pack("!HHH", 43, 2, 0x0304)
    parser = FlightParser()
    parser.feed(record(22, server_hello(suite=0x1301, extensions=versions)))
    flight = parser.result()
    assert flight.end is FlightEnd.ENCRYPTED
    assert flight.server_hello is not None
    assert flight.server_hello.protocol is Protocol.TLSv1_3


def test_client_hellos_are_well_formed_records() -> None:
    for protocol in Protocol:
        spec = (cloudfront_hello(protocol, "origin.example.com")
                if protocol is not Protocol.TLSv1_3 else broad_hello(protocol, None))
        data = client_hello(spec)
        assert data[0] == 22
        assert int.from_bytes(data[3:5], "big") == len(data) - 5
        assert data[5] == 1
        assert int.from_bytes(data[6:9], "big") == len(data) - 9
    ssl3 = client_hello(cloudfront_hello(Protocol.SSLv3, None))
    assert ssl3[1:3] == b"\x03\x00"
    assert b"origin.example.com" not in ssl3


_TLS_ISH = st.builds(
    lambda parts: b"".join(parts),
    st.lists(st.one_of(
        st.binary(max_size=64),
        st.builds(record, st.sampled_from([20, 21, 22, 23]), st.binary(max_size=300)),
        st.builds(lambda b: record(22, b), st.builds(handshake, st.integers(0, 30),
                                                     st.binary(max_size=200))),
        st.just(record(22, server_hello())),
    ), max_size=6),
)


@settings(max_examples=300, deadline=None)
@given(_TLS_ISH, st.integers(1, 64))
def test_parser_returns_or_raises_parse_error_only(data: bytes, chunk: int) -> None:
    parser = FlightParser()
    try:
        for i in range(0, len(data), chunk):
            parser.feed(data[i : i + chunk])
    except ParseError:
        return
    parser.result()


def test_the_ladder_shows_the_parsed_facts_of_each_message() -> None:
    from cftui.ui.render.ladder import message_fields

    ske = b"\x03\x00\x1d" + b"\x20" + b"\x01" * 32 + b"\x08\x04" + b"\x00\x02ab"
    request = b"\x02\x01\x40" + b"\x00\x02\x04\x01" + b"\x00\x00"
    cert = b"\x30\x03\x02\x01\x00"
    certs = len(cert).to_bytes(3, "big") + cert
    parser = FlightParser()
    parser.feed(record(21, b"\x01\x70") + record(22, server_hello()
                + handshake(11, len(certs).to_bytes(3, "big") + certs)
                + handshake(12, ske) + handshake(13, request) + handshake(14, b"")))
    flight = parser.result()
    shown = {m.name: dict(message_fields(m, flight)) for m in flight.messages}
    assert shown["Alert"] == {"level": "warning", "description": "unrecognized name (112)"}
    assert shown["ServerHello"] == {
        "version": "TLSv1.2", "cipher suite": "ECDHE-RSA-AES128-GCM-SHA256 (0xC02F)",
        "session id": "(empty)", "compression": "none"}
    assert shown["Certificate"] == {"certificates": "1", "[0] length": "5"}
    assert shown["ServerKeyExchange"] == {"key exchange": "ECDHE", "named group": "X25519",
                                          "signature": "rsa_pss_rsae_sha256"}
    assert shown["CertificateRequest"] == {"certificate types": "RSA sign, ECDSA sign",
                                           "signature schemes": "1", "CA names": "0"}
    assert shown["ServerHelloDone"] == {}


def _certificate_message(entries: list[bytes]) -> bytes:
    body = b"".join(len(e).to_bytes(3, "big") + e for e in entries)
    return handshake(11, len(body).to_bytes(3, "big") + body)


def test_one_byte_certificate_entries_are_not_a_chain() -> None:
    from cftui.engine.tls.flight import MAX_CERTIFICATES

    message = server_hello(0x002F) + _certificate_message([b"\x30"] * (MAX_CERTIFICATES + 1))
    with pytest.raises(ParseError, match="more than 64 certificates"):
        FlightParser().feed(record(22, message))


def test_thousands_of_empty_extensions_are_refused() -> None:
    with pytest.raises(ParseError, match="more than 64 extensions"):
        FlightParser().feed(record(22, server_hello(extensions=b"\x12\x34\x00\x00" * 1000)))


def test_certificates_are_kept_once_in_the_raw_message() -> None:
    cert = b"\x30\x03\x02\x01\x07"
    parser = FlightParser()
    parser.feed(record(22, server_hello(0x002F) + _certificate_message([cert, cert])
                       + handshake(14, b"")))
    flight = parser.result()
    assert flight.certificates == (cert, cert)
    assert "certificates" not in vars(flight)  # read from the Certificate message's raw
    assert flight.certificate_message is flight.messages[1]


def test_anonymous_key_exchange_has_no_signature() -> None:
    ske = b"\x03\x00\x1d\x20" + b"\x01" * 32  # named_curve X25519, a point, no signature
    parser = FlightParser()
    parser.feed(record(22, server_hello(0xC018) + handshake(12, ske) + handshake(14, b"")))
    kx = parser.result().key_exchange
    assert kx is not None and kx.named_group == 0x001D and kx.signature_scheme is None
