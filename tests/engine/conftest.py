"""Engine fixtures: the whole check against a loopback port, with small timeouts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from support import SessionPki
from support.agreement import assert_causes_agree
from support.schema import valid_json

from cftui.engine.results import Report
from cftui.engine.run import check
from cftui.engine.target import Target

NAME = "origin.example.com"


@pytest.fixture
def run_check(pki: SessionPki) -> Callable[..., Report]:
    """`run_check(port, **Target fields)`: the whole engine on 127.0.0.1, 1 s timeouts,
    for origin.example.com trusted through the session PKI's root. Every report it returns
    has passed the JSON Schema (`valid_json`)."""

    def run(port: int, **fields: Any) -> Report:
        values: dict[str, Any] = {
            "domain": NAME, "port": port, "connect_to": ("127.0.0.1",),
            "ca_file": str(pki.ca_file), "connect_timeout": 1.0, "read_timeout": 1.0,
        }
        values.update(fields)
        report = check(Target(**values))
        assert_causes_agree(report)
        valid_json(report)
        return report

    return run
