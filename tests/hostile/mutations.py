"""Hypothesis strategies over server first flights: real ones mutated, and random ones.

Shared by `test_hostile_parser.py` and `fuzz/fuzz_flight.py`.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

from flights import (
    Flight,
    corpus,
    handshake_length_offsets,
    record_offsets,
    reframe,
    set_field,
)
from hypothesis import strategies as st

INTERESTING = (0, 1, 2, 3, 4, 5, 0x7F, 0x80, 0xFF, 0x100, 0x3FFF, 0x4000, 0x4800, 0x4801,
               0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFF, 0x80000, 0xFFFFFF)

captured = st.deferred(lambda: st.sampled_from(corpus()))
chunks = st.one_of(st.sampled_from([0, 1, 2, 3, 5, 7, 13, 64, 1000, 16389]),
                   st.integers(1, 4096))
Op = Callable[[st.DrawFn, bytes], bytes]


def _index(draw: st.DrawFn, data: bytes, end_inclusive: bool = False) -> int:
    return draw(st.integers(0, max(0, len(data) - (0 if end_inclusive else 1))))


def _flip(draw: st.DrawFn, data: bytes) -> bytes:
    if not data:
        return data
    i = _index(draw, data)
    return data[:i] + bytes((data[i] ^ (1 << draw(st.integers(0, 7))),)) + data[i + 1 :]


def _byte(draw: st.DrawFn, data: bytes) -> bytes:
    if not data:
        return data
    i = _index(draw, data)
    return data[:i] + bytes((draw(st.integers(0, 255)),)) + data[i + 1 :]


def _truncate(draw: st.DrawFn, data: bytes) -> bytes:
    return data[: _index(draw, data, end_inclusive=True)]


def _delete(draw: st.DrawFn, data: bytes) -> bytes:
    i = _index(draw, data, end_inclusive=True)
    return data[:i] + data[i + draw(st.integers(1, 64)) :]


def _insert(draw: st.DrawFn, data: bytes) -> bytes:
    i = _index(draw, data, end_inclusive=True)
    return data[:i] + draw(st.binary(min_size=1, max_size=32)) + data[i:]


def _value(draw: st.DrawFn) -> int:
    return draw(st.one_of(st.sampled_from(INTERESTING), st.integers(0, 0xFFFFFF)))


def _record_length(draw: st.DrawFn, data: bytes) -> bytes:
    offsets = record_offsets(data)
    if not offsets:
        return data
    return set_field(data, draw(st.sampled_from(offsets)) + 3, 2, _value(draw))


def _handshake_length(draw: st.DrawFn, data: bytes) -> bytes:
    offsets = handshake_length_offsets(data)
    if not offsets:
        return data
    return set_field(data, draw(st.sampled_from(offsets)), 3, _value(draw))


def _any_length(draw: st.DrawFn, data: bytes) -> bytes:
    """An inner length (session id, extensions, certificate list…) is some 1-3 byte field."""
    if not data:
        return data
    return set_field(data, _index(draw, data), draw(st.integers(1, 3)), _value(draw))


def _reframe(draw: st.DrawFn, data: bytes) -> bytes:
    sizes = draw(st.lists(st.integers(1, 3000), min_size=1, max_size=8))
    turn = iter(range(10**6))
    return reframe(data, lambda _left: sizes[next(turn) % len(sizes)])


def _splice(draw: st.DrawFn, data: bytes) -> bytes:
    other = draw(captured).data
    return data[: _index(draw, data, True)] + other[_index(draw, other, True) :]


def _records(draw: st.DrawFn, data: bytes) -> bytes:
    """Duplicate, drop, swap, or retype whole records."""
    offsets = record_offsets(data)
    if len(offsets) < 1:
        return data
    bounds = [*offsets[1:], len(data)]
    recs = [bytearray(data[a:b]) for a, b in zip(offsets, bounds, strict=True)]
    tail = data[bounds[-1] :]
    i = draw(st.integers(0, len(recs) - 1))
    how = draw(st.sampled_from(["dup", "drop", "swap", "type", "version"]))
    if how == "dup":
        recs.insert(i, bytearray(recs[i]))
    elif how == "drop":
        del recs[i]
    elif how == "swap":
        j = draw(st.integers(0, len(recs) - 1))
        recs[i], recs[j] = recs[j], recs[i]
    elif how == "type":
        recs[i][0] = draw(st.sampled_from([20, 21, 22, 23, 24, 0, 0xFF]))
    elif len(recs[i]) >= 3:
        recs[i][1:3] = draw(st.sampled_from([b"\x03\x00", b"\x03\x04", b"\x03\xff", b"\x02\x00",
                                             b"\xfe\xfd"]))
    return b"".join(recs) + tail


OPS: tuple[Op, ...] = (_flip, _byte, _truncate, _delete, _insert, _record_length,
                       _handshake_length, _any_length, _reframe, _splice, _records)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[Flight, bytes]:
    base = draw(captured)
    data = base.data
    for _ in range(draw(st.integers(1, 4))):
        data = draw(st.sampled_from(OPS))(draw, data)
    return base, data


# --- arbitrary, TLS-shaped inputs -------------------------------------------------------------


def record(content_type: int, body: bytes, version: int = 0x0303) -> bytes:
    return struct.pack("!BHH", content_type, version, len(body) & 0xFFFF) + body


def handshake(msg_type: int, body: bytes) -> bytes:
    return bytes((msg_type,)) + len(body).to_bytes(3, "big") + body


_extension = st.builds(lambda t, d: struct.pack("!HH", t, len(d)) + d,
                       st.sampled_from([0, 10, 11, 13, 16, 23, 35, 43, 51, 0xFF01, 0x3374]),
                       st.one_of(st.binary(max_size=8), st.just(b"\x03\x04"),
                                 st.just(b"\x00\x03\x02h2")))
_server_hello = st.builds(
    lambda version, sid, suite, comp, exts, trailing: handshake(
        2, struct.pack("!H", version) + bytes(32) + bytes((len(sid),)) + sid
        + struct.pack("!HB", suite, comp)
        + (struct.pack("!H", len(b"".join(exts))) + b"".join(exts) if exts is not None else b"")
        + trailing),
    st.sampled_from([0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x7F1C, 0xFEFD]),
    st.binary(max_size=33), st.sampled_from([0x002F, 0xC02F, 0xC02C, 0x1301, 0x0000, 0xFFFF]),
    st.integers(0, 2), st.one_of(st.none(), st.lists(_extension, max_size=4)),
    st.one_of(st.just(b""), st.binary(max_size=3)))
_message = st.one_of(
    _server_hello,
    st.builds(handshake, st.integers(0, 255), st.binary(max_size=120)),
    st.builds(lambda certs: handshake(11, len(b"".join(certs)).to_bytes(3, "big")
                                       + b"".join(certs)),
              st.lists(st.binary(max_size=40).map(lambda c: len(c).to_bytes(3, "big") + c),
                       max_size=3)),
    st.just(handshake(14, b"")),
)
tls_shaped = st.lists(st.one_of(
    st.lists(_message, min_size=1, max_size=4).map(lambda ms: record(22, b"".join(ms))),
    st.builds(record, st.sampled_from([20, 21, 23]), st.binary(max_size=8)),
    st.binary(max_size=16),
), max_size=6).map(b"".join)

#: What a campaign draws from: mostly mutated real flights.
anything = st.one_of(
    mutated().map(lambda case: (case[0].spec, case[1])),
    mutated().map(lambda case: (case[0].spec, case[1])),
    mutated().map(lambda case: (case[0].spec, case[1])),
    tls_shaped.map(lambda data: (corpus()[0].spec, data)),
    st.binary(max_size=2048).map(lambda data: (corpus()[0].spec, data)),
)
