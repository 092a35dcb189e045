"""Property tests of the record and handshake parser on real and broken server flights.

For any input, fed in any chunking, `FlightParser.feed` returns or raises its one
documented error (`ParseError`, `NotTls` included), the result is consistent, and
what the engine does next with it (attempt properties, scan error text, the
s_client transcript) does not raise either. The inputs are real first flights
captured from loopback origins, then bit-flipped, truncated, spliced, re-framed,
and corrupted in their length fields; plus arbitrary and structured random bytes.
"""

from __future__ import annotations

import pytest
from flights import (
    Flight,
    corpus,
    handshake_length_offsets,
    parse,
    record_offsets,
    reframe,
    run_one,
    set_field,
    summary,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutations import INTERESTING, captured, chunks, mutated, record, tls_shaped

from cftui.engine.model import FlightEnd
from cftui.engine.profile import Protocol
from cftui.engine.tls.flight import MAX_MESSAGES, FlightParser, ParseError
from cftui.engine.tls.hello import cloudfront_hello

TLS12 = cloudfront_hello(Protocol.TLSv1_2, "origin.example.com")


def examples(n: int) -> settings:
    return settings(max_examples=n, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# --- the properties -----------------------------------------------------------------------------


def test_every_captured_flight_parses_whole_and_byte_by_byte() -> None:
    for flight in corpus():
        whole, error = parse(flight.data)
        assert error is None, flight.name
        assert whole.done, flight.name
        bytewise, error = parse(flight.data, 1)
        assert error is None
        assert summary(bytewise.result()) == summary(whole.result()), flight.name
        assert run_one(flight.data, flight.spec) is None


@examples(600)
@given(mutated(), chunks)
def test_mutated_real_flights_return_or_raise_parse_error(case: tuple[Flight, bytes],
                                                          chunk: int) -> None:
    base, data = case
    run_one(data, base.spec, chunk)


@examples(150)
@given(captured, st.lists(st.integers(1, 5000), min_size=1, max_size=6), chunks)
def test_reframing_a_real_flight_changes_nothing(flight: Flight, sizes: list[int],
                                                 chunk: int) -> None:
    turn = iter(range(10**6))
    data = reframe(flight.data, lambda _left: sizes[next(turn) % len(sizes)])
    before, error = parse(flight.data)
    after, error_after = parse(data, chunk)
    assert error is None and error_after is None
    assert summary(after.result()) == summary(before.result())


@examples(300)
@given(st.binary(max_size=2048), chunks)
def test_arbitrary_bytes(data: bytes, chunk: int) -> None:
    run_one(data, TLS12, chunk)


@examples(400)
@given(tls_shaped, chunks)
def test_tls_shaped_random_flights(data: bytes, chunk: int) -> None:
    run_one(data, TLS12, chunk)


@pytest.mark.parametrize("index", range(len(corpus())), ids=[f.name for f in corpus()])
def test_every_length_field_set_to_every_interesting_value(index: int) -> None:
    flight = corpus()[index]
    fields = [(o + 3, 2) for o in record_offsets(flight.data)]
    fields += [(o, 3) for o in handshake_length_offsets(flight.data)]
    assert fields
    for offset, width in fields:
        for value in INTERESTING:
            for chunk in (0, 7):
                run_one(set_field(flight.data, offset, width, value), flight.spec, chunk)


@pytest.mark.parametrize("index", range(len(corpus())), ids=[f.name for f in corpus()])
def test_every_truncation_of_a_real_flight(index: int) -> None:
    data = corpus()[index].data
    step = max(1, len(data) // 400)  # about 400 cut points per flight, both ends included
    for cut in {*range(0, len(data), step), *range(max(0, len(data) - 12), len(data) + 1)}:
        parser, error = parse(data[:cut])
        if cut < len(data) and parser.done and error is None:
            # only an early alert or the TLS 1.3 ServerHello end a flight before its last byte
            assert parser.end in (FlightEnd.ALERT, FlightEnd.ENCRYPTED)


def test_flood_of_tiny_messages_is_cut_off() -> None:
    hello = corpus()[0].data
    first = record_offsets(hello)[1]  # the ServerHello record only
    flood = hello[:first] + record(21, b"\x01\x70") * (MAX_MESSAGES + 10)
    with pytest.raises(ParseError, match="messages"):
        FlightParser().feed(flood)
