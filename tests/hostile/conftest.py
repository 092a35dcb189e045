"""Fixtures for the hostile-origin corpus: crafted raw peers and a timed check."""

from __future__ import annotations

import contextlib
import time
from typing import Any

import pytest
from peers import Step
from support import SessionPki
from support.agreement import assert_causes_agree
from support.hostile import CONNECT_TIMEOUT, READ_TIMEOUT, Checked, Hostile, RunCheck
from support.schema import valid_json

from cftui.demo.servers import RawPeer
from cftui.engine.profile import Protocol
from cftui.engine.run import check
from cftui.engine.target import Target


@pytest.fixture
def hostile(_servers: contextlib.ExitStack) -> Hostile:
    """`hostile(step)` -> a started RawPeer that runs `step(sock, stopping)` per connection;
    stopped (and every connection woken) at teardown."""

    def start(step: Step, io_timeout: float = 5.0) -> RawPeer:
        peer = RawPeer(lambda _sock: None, io_timeout=io_timeout)
        peer.behaviour = lambda sock: step(sock, peer.stopping)
        return _servers.enter_context(peer)

    return start


@pytest.fixture
def run_check(pki: SessionPki) -> RunCheck:
    """`run_check(port, **Target options)`: check origin.example.com on 127.0.0.1:port with
    1 s timeouts and TLSv1.2 enabled, timed. Every report it returns has passed the JSON
    Schema (`valid_json`)."""

    def run(port: int, **options: Any) -> Checked:
        settings: dict[str, Any] = {
            "domain": "origin.example.com", "port": port, "connect_to": ("127.0.0.1",),
            "ca_file": str(pki.ca_file), "connect_timeout": CONNECT_TIMEOUT,
            "read_timeout": READ_TIMEOUT, "protocols": (Protocol.TLSv1_2,),
        }
        settings.update(options)
        start = time.monotonic()
        report = check(Target(**settings))
        elapsed = time.monotonic() - start
        assert_causes_agree(report)
        valid_json(report)
        return Checked(report, elapsed)

    return run
