"""Connections opened before the engine loads (engine/net/early.py), against real
loopback origins: a check adopts them, counts them, and judges exactly as without."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from support import SessionPki
from test_probe_loop import CountingPeer

from cftui.demo.servers import TlsOrigin
from cftui.engine.net import early
from cftui.engine.results import Report
from cftui.engine.run import check
from cftui.engine.target import Target

NAME = "origin.example.com"
ALL = ("SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2")


@pytest.fixture(autouse=True)
def no_leftovers() -> Iterator[None]:
    yield
    assert early.close_unclaimed() == 0, "a test left early connections nobody claimed"


@pytest.fixture
def target(pki: SessionPki) -> Callable[..., Target]:
    def make(port: int, **fields: Any) -> Target:
        values: dict[str, Any] = {
            "domain": NAME, "port": port, "connect_to": ("127.0.0.1",), "protocols": ALL,
            "ca_file": str(pki.ca_file), "connect_timeout": 2.0, "read_timeout": 2.0}
        values.update(fields)
        return Target(**values)

    return make


def facts(report: Report) -> tuple[object, ...]:
    """What a check concluded, without its timings."""
    per_address = report.per_address[0]
    return (
        [c.code for c in report.verdict.causes],
        [(s.stage, s.status) for s in report.stages],
        [(p.protocol, p.accepted, p.cipher, p.accepted_ciphers) for p in per_address.protocols],
        per_address.tcp.outcome if per_address.tcp else None,
        per_address.http.status if per_address.http else None,
        report.connections,
    )


def test_the_first_wave_is_what_a_check_opens_at_once(target: Callable[..., Target]) -> None:
    """Before any answer, a check has exactly `first_wave` connections open: the scan's
    first ClientHellos, the real handshake's and the TCP check's. (The origin holds every
    hello for a while and refuses it.)"""
    peer = CountingPeer(hold=0.6)
    try:
        for http in (True, False):
            chosen = target(peer.port, http=http)
            before = peer.accepted
            done = threading.Thread(target=check, args=(chosen,))
            done.start()
            time.sleep(0.3)
            assert peer.accepted - before == early.first_wave(chosen)
            done.join(timeout=20)
    finally:
        peer.close()


def test_adopted_connections_change_nothing_but_the_wait(
        pki: SessionPki, target: Callable[..., Target]) -> None:
    """The same report with and without the first wave opened early: same causes, same
    accepted suites, same connection count, and the origin sees exactly that many."""
    with TlsOrigin(pki.leaf, min_version="TLSv1", ciphers="DEFAULT:@SECLEVEL=0") as origin:
        chosen = target(origin.port)
        plain = check(chosen)
        seen = origin.connections
        early.open_for([chosen])
        adopted = check(chosen)
        assert facts(adopted) == facts(plain)
        assert origin.connections - seen == plain.connections == seen
        assert adopted.per_address[0].tcp is not None


def test_connect_time_is_the_networks_not_the_engines(
        pki: SessionPki, target: Callable[..., Target]) -> None:
    """Connections that completed long before the check adopts them report the time the
    TCP handshake took (loopback: about nothing), not the time they waited."""
    with TlsOrigin(pki.leaf) as origin:
        chosen = target(origin.port, protocols=("TLSv1.2",))
        early.open_for([chosen])
        time.sleep(0.4)  # the engine "loading"
        report = check(chosen)
    tcp = report.per_address[0].tcp
    assert tcp is not None and tcp.connected
    assert tcp.duration_ms < 100
    first = [a for p in report.per_address[0].protocols for a in p.attempts][:5]
    assert all(a.duration_ms < 300 for a in first)


def test_unused_early_connections_are_closed_and_counted(
        pki: SessionPki, target: Callable[..., Target]) -> None:
    """More opened than the check needs: the rest are closed when it ends, and the report
    counts every connection the origin saw."""
    with TlsOrigin(pki.leaf) as origin:
        chosen = target(origin.port, protocols=("TLSv1.2",), http=False)
        plain = check(chosen)
        seen = origin.connections
        early.open_connections("127.0.0.1", origin.port, plain.connections + 3, 2.0)
        report = check(chosen)
        time.sleep(0.1)  # the origin's accept loop
        assert report.connections == plain.connections + 3
        assert origin.connections - seen == report.connections


def test_a_refusing_port_is_judged_as_without(target: Callable[..., Target]) -> None:
    """Early connections to a closed port are refused like the check's own: tried again as
    CloudFront does, the same causes."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # bound, never listening: refused
        chosen = target(port, connection_attempts=2)
        plain = check(chosen)
        early.open_for([chosen])
        adopted = check(chosen)
    assert [c.code for c in adopted.verdict.causes] == [c.code for c in plain.verdict.causes]
    assert adopted.per_address[0].tcp is not None
    assert adopted.per_address[0].tcp.retries == plain.per_address[0].tcp.retries  # type: ignore[union-attr]


def test_two_checks_of_one_origin_share_its_first_wave() -> None:
    """Each claims at most its cap; nothing is handed out twice."""
    with socket_listener() as port:
        early.open_connections("127.0.0.1", port, 5, 1.0)
        first = early.claim("127.0.0.1", port, 3)
        second = early.claim("127.0.0.1", port, 3)
        assert (len(first), len(second)) == (3, 2)
        assert not early.claim("127.0.0.1", port, 3)
        for pool in (first, second):
            for opened in pool:
                opened.sock.close()


def test_nothing_claimed_is_closed_by_the_command_line() -> None:
    with socket_listener() as port:
        early.open_connections("127.0.0.1", port, 2, 1.0)
        assert early.close_unclaimed() == 2


@contextlib.contextmanager
def socket_listener() -> Iterator[int]:
    """A listening port that never accepts (the kernel completes the handshakes)."""
    with socket.create_server(("127.0.0.1", 0), backlog=16) as listener:
        yield int(listener.getsockname()[1])


def test_a_domain_is_resolved_once_before_the_engine_and_its_first_wave_opened(
        pki: SessionPki, target: Callable[..., Target],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Without `connect_to`, the command line resolves the domain (the engine's own lookup,
    same settings) and opens the first wave to each address; the check takes that answer
    instead of asking again, and judges as it would have alone."""
    from cftui.engine.net import dns

    lookups: list[str] = []
    real = dns.resolve

    def counted(domain: str, *args: Any) -> tuple[str, ...]:
        lookups.append(domain)
        return real(domain, *args)

    monkeypatch.setattr(dns, "resolve", counted)
    with TlsOrigin(pki.leaf) as origin:
        chosen = target(origin.port, domain="localhost", connect_to=(),
                        ip_address_type="ipv4", protocols=("TLSv1.2",))
        plain = check(chosen)
        assert lookups == ["localhost"]
        seen = origin.connections
        early.open_for([chosen])
        answer = early.lookup(chosen)
        assert answer is not None and answer.wait(5)
        adopted = check(chosen)
        time.sleep(0.1)  # the origin's accept loop
        assert lookups == ["localhost", "localhost"]  # the command line's, not the check's
        assert facts(adopted) == facts(plain)
        assert adopted.stages[0].summary == plain.stages[0].summary
        # the DNS stage took what the lookup took, not the moment the check waited for it
        assert adopted.stages[0].duration_ms == answer.result()[1] * 1000
        assert origin.connections - seen == adopted.connections == plain.connections


def test_many_origins_open_no_more_than_the_cap_early(target: Callable[..., Target]) -> None:
    with socket_listener() as port:
        many = [target(port, connect_to=(f"127.0.0.{i}",)) for i in range(1, 200)]
        early.open_for(many)
        opened = early.close_unclaimed()
    assert 0 < opened <= early.MAX_EARLY
    assert opened == early.first_wave(many[0]) * (early.MAX_EARLY // early.first_wave(many[0]))


def test_connect_times_are_noted_beyond_descriptor_1024() -> None:
    """A process checking many origins holds descriptors past select()'s limit: the
    thread that notes connect times still does (it once used select())."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1300:
        pytest.skip("the descriptor limit is below 1300")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1300), hard))
    filler = [socket.socket() for _ in range(1100)]
    try:
        with socket_listener() as port:
            early.open_connections("127.0.0.1", port, 3, 2.0)
            pool = early.claim("127.0.0.1", port, 3)
            assert min(e.sock.fileno() for e in pool) > 1024
            deadline = time.monotonic() + 2
            while any(e.connect_seconds() is None for e in pool) and time.monotonic() < deadline:
                time.sleep(0.01)
            assert all(e.connect_seconds() is not None for e in pool)
            for opened in pool:
                opened.sock.close()
    finally:
        for sock in filler:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_the_lookup_is_answered_whatever_opening_does(
        target: Callable[..., Target], monkeypatch: pytest.MonkeyPatch) -> None:
    """A check waits for the command line's lookup: it gets its answer even if opening
    the first wave fails in a way nobody foresaw (else the check would wait for ever)."""
    def broken(*_: object) -> None:
        raise RuntimeError("surprise")

    monkeypatch.setattr(early, "_open", broken)
    chosen = target(1, domain="localhost", connect_to=(), ip_address_type="ipv4")
    early.open_for([chosen])
    answer = early.lookup(chosen)
    assert answer is not None and answer.wait(5)
    assert answer.result()[0] == ("127.0.0.1",)
