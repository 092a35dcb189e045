"""Run every stage CloudFront goes through for one origin, reporting progress as events.

Each stage is a unit (engine/steps.py): it gathers facts (and posts them as a
StageFinished with Status.DONE), and an unexpected exception inside it becomes that
stage's error, never a crash of the check. The verdict is computed once, from all the facts, when
the last stage is done; it then decides each stage's final status.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from cftui.engine import profile, steps
from cftui.engine.model import ProtocolAttempt, ProtocolResult
from cftui.engine.net import dns, early
from cftui.engine.net.budget import Budget
from cftui.engine.net.connect import SLICE, Cancelled, Endpoint, connect
from cftui.engine.net.early import EarlyPool
from cftui.engine.net.tcp import Connected, tcp_result
from cftui.engine.pending import Pending, in_thread
from cftui.engine.profile import Protocol, sni_name
from cftui.engine.results import (
    AddressesResolved,
    AddressReport,
    AttemptFinished,
    CheckFinished,
    Event,
    HttpResult,
    ProtocolFinished,
    Report,
    Stage,
    StageFinished,
    StageResult,
    StageStarted,
    Status,
    TcpResult,
)
from cftui.engine.steps import Facts
from cftui.engine.target import Target
from cftui.engine.tls import scan
from cftui.engine.tls.loop import probe_loop

OnEvent = Callable[[Event], None]


def _ignore(_: Event) -> None:
    pass


class _Run:
    def __init__(self, target: Target, on_event: OnEvent, cancel: threading.Event) -> None:
        self.target = target
        self.on_event = on_event
        self.cancel = cancel
        self.stages: list[StageResult] = []
        self.errors: dict[Stage, str] = {}
        self.addresses: tuple[str, ...] = ()
        self.reports: dict[str, AddressReport] = {}
        self.budget = Budget(target.max_connections)
        # started at once for every address, each stage waits for its own
        self.tcp: dict[str, Pending[TcpResult]] = {}
        self.scans: dict[str, Pending[dict[Protocol, ProtocolResult]]] = {}
        self.fetches: dict[str, Pending[HttpResult]] = {}
        self.threads: list[threading.Thread] = []  # the real handshakes, joined at the end
        self.early: dict[str, EarlyPool] = {}  # connections opened before the check began
        self.started = time.monotonic()
        self.started_at = time.time()

    def check_cancel(self) -> None:
        if self.cancel.is_set():
            raise Cancelled

    def stage(self, stage: Stage, work: Callable[[], Facts]) -> None:
        """Run one stage; its facts (or its error) become a StageResult with Status.DONE."""
        self.check_cancel()
        self.on_event(StageStarted(stage))
        start = time.monotonic()
        try:
            facts = work()
        except Cancelled:
            raise
        except Exception as exc:  # a bug or a surprise must not take the whole check down
            error = f"{type(exc).__name__}: {exc}"
            self.errors[stage] = error
            facts = Facts(f"could not finish: {error}")
        took = (time.monotonic() - start) * 1000 if facts.took_ms is None else facts.took_ms
        result = StageResult(stage, Status.SKIPPED if facts.skipped else Status.DONE,
                             facts.summary, took, facts.details)
        self.stages.append(result)
        self.on_event(StageFinished(result))

    def skip(self, stage: Stage, why: str) -> None:
        result = StageResult(stage, Status.SKIPPED, why)
        self.stages.append(result)
        self.on_event(StageFinished(result))

    def endpoint(self, address: str) -> Endpoint:
        t = self.target
        return Endpoint(address, t.port, t.connect_timeout, t.connect_timeout,
                        cancel=self.cancel, budget=self.budget,
                        attempts=t.connection_attempts, early=self.early.get(address))

    def adopt_early(self, address: str) -> None:
        """Take over the connections the command line opened to this address before the
        engine loaded (engine/net/early.py): counted as this check's, first to be used."""
        pool = early.claim(address, self.target.port, self.budget.per_origin)
        if pool:
            self.budget.adopt(len(pool))
            self.early[address] = pool

    def close_early(self) -> None:
        """Close the early connections no job used (they stay counted: they were made)."""
        for pool in self.early.values():
            while (opened := early.take(pool)) is not None:
                opened.sock.close()
                self.budget.release()

    def live(self) -> list[str]:
        return [a for a, r in self.reports.items() if r.tcp and r.tcp.connected]


def check(target: Target, *, on_event: OnEvent = _ignore,
          cancel: threading.Event | None = None) -> Report:
    """Check one origin. Blocks; call it from a worker thread. Never raises for anything
    an origin or a file can do: a stage that fails unexpectedly says so in the report."""
    run = _Run(target, on_event, cancel or threading.Event())
    addresses: tuple[str, ...] = ()
    dns_error: str | None = None
    cancelled = False
    try:
        addresses, dns_error = _dns(run)
        run.addresses = addresses
        if addresses:
            # every stage's network work starts now, side by side: at internet latency
            # the round trips in sequence are what the user waits for
            try:
                _launch(run)
                for step in (steps.tcp, steps.tls, steps.certificate, steps.http):
                    step(run)
            finally:
                for thread in run.threads:  # ends within 50 ms of a cancel
                    thread.join()
                run.close_early()
        else:
            for stage in (Stage.TCP, Stage.TLS, Stage.CERTIFICATE, Stage.HTTP):
                run.skip(stage, "no address to connect to")
    except Cancelled:
        cancelled = True
    # imported once the facts are in: a caller that starts checks first loads the
    # verdict while their first round trips are in flight (see engine/preload.py)
    from cftui.engine import verdict

    per_address = tuple(run.reports.get(a, AddressReport(a)) for a in addresses)
    outcome = verdict.decide(target, per_address, dns_error, run.errors,
                             client_cert_problems=steps.client_cert_problems(target))
    done = {s.stage for s in run.stages}
    facts = run.stages + [StageResult(s, Status.SKIPPED, "cancelled" if cancelled else "not run")
                          for s in Stage if s not in done]
    report = Report(
        target=target,
        addresses=addresses,
        stages=verdict.judge_stages(sorted(facts, key=lambda s: list(Stage).index(s.stage)),
                                    outcome, addresses),
        per_address=per_address,
        verdict=outcome,
        started_at=run.started_at,
        duration_ms=(time.monotonic() - run.started) * 1000,
        dns_error=dns_error,
        cancelled=cancelled,
        connections=run.budget.made,
    )
    on_event(CheckFinished(report))
    return report


def _dns(run: _Run) -> tuple[tuple[str, ...], str | None]:
    target = run.target
    found: list[tuple[str, ...]] = []
    error: list[str] = []

    def work() -> Facts:
        if target.connect_to:
            found.append(tuple(target.connect_to))
            return Facts(f"using {', '.join(target.connect_to)} (not resolved)")
        try:
            addresses, took_ms = _resolve(target, run)
        except dns.ResolveError as exc:
            error.append(str(exc))
            return Facts(str(exc))
        found.append(addresses)
        plural = "es" if len(addresses) > 1 else ""
        return Facts(f"{len(addresses)} address{plural}: {', '.join(addresses)} "
                     f"(IpAddressType {target.ip_address_type})", took_ms=took_ms)

    run.stage(Stage.DNS, work)
    if found:
        run.on_event(AddressesResolved(found[0]))
        return found[0], None
    return (), error[0] if error else run.errors.get(Stage.DNS, "no address")


def _resolve(target: Target, run: _Run) -> tuple[tuple[str, ...], float | None]:
    """The origin's addresses: the lookup the command line started before the engine
    loaded (engine/net/early.py, the same call; with the time it took), else one of
    our own."""
    answer = early.lookup(target)
    if answer is None:
        return dns.resolve(target.domain, target.port, target.connect_timeout, run.cancel,
                           target.ip_address_type), None
    while not answer.wait(SLICE):  # it has the connect timeout of its own
        run.check_cancel()
    addresses, seconds = answer.result()
    return addresses, seconds * 1000


def _launch(run: _Run) -> None:
    """Start the TCP check, the protocol scan and the real handshake with its request for
    every address; the stages then wait for their own results, in CloudFront's order."""
    target = run.target

    def on_attempt(attempt: ProtocolAttempt) -> None:
        run.on_event(AttemptFinished(attempt))

    def on_protocol(result: ProtocolResult) -> None:
        run.on_event(ProtocolFinished(result))

    for address in run.addresses:
        run.adopt_early(address)
        # the scan and the TCP check run on the probe loop; only the real handshake,
        # which blocks in OpenSSL, takes a thread. The two with 4 round trips first.
        run.scans[address] = scan.start_scan(
            run.endpoint(address), lambda p: sni_name(target.domain, target.host_header, p),
            target.protocols, run.cancel, on_attempt, on_protocol,
            alpn=profile.CLOUDFRONT_ALPN[target.http_version])
        if target.http:
            endpoint = run.endpoint(address)
            run.fetches[address], thread = in_thread(functools.partial(
                _fetch, endpoint, sni=target.sni, host=target.sni, path=target.path,
                protocols=target.protocols, read_timeout=target.read_timeout,
                client_cert=target.client_cert, client_key=target.client_key,
                completion_timeout=target.response_completion_timeout,
                http_version=target.http_version), "cftui-fetch")
            run.threads.append(thread)
        run.tcp[address] = _start_tcp(run.endpoint(address))


def _start_tcp(endpoint: Endpoint) -> Pending[TcpResult]:
    """CloudFront's first step, on the probe loop (tried again like CloudFront)."""
    pending: Pending[TcpResult] = Pending()

    def reply(answer: Connected | BaseException) -> None:
        if isinstance(answer, BaseException):
            pending.set_exception(answer)
        else:
            pending.set_result(tcp_result(endpoint, answer))

    probe_loop().connect(endpoint, reply)
    return pending


def _fetch(endpoint: Endpoint, **options: Any) -> HttpResult:
    """The real handshake and request. Its TCP connection is made first: OpenSSL's
    bindings load (here, or in the caller's preload) while it is on its way."""
    first: socket.socket | OSError | None = None
    if profile.real_handshake_possible(options["protocols"]):
        try:
            first = connect(endpoint)
        except OSError as exc:
            first = exc
    try:
        from cftui.engine.http import fetch
    except BaseException:
        if isinstance(first, socket.socket):
            first.close()
        raise
    return fetch(endpoint, first=first, **options)


__all__ = ["check"]
