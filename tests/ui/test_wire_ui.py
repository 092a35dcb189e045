"""The detail view goes on past the first flight: the real handshake's records both ways."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cftui.demo.origins import DemoOrigin, DemoOrigins
from cftui.ui.app import CftuiApp
from cftui.ui.screens.checks import CheckScreen
from cftui.ui.screens.detail import DetailScreen
from cftui.ui.widgets.ladder import Ladder, MessageView

from .conftest import settle


@pytest.fixture(scope="module")
def client_cert_origin() -> Iterator[DemoOrigin]:
    with DemoOrigins(["client-cert"], connect_timeout=2.0, read_timeout=1.0) as origins:
        yield origins[0]


async def test_client_certificate_required_shows_the_whole_handshake(
        client_cert_origin: DemoOrigin) -> None:
    app = CftuiApp.from_demo([client_cert_origin])
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CheckScreen)
        await pilot.press("enter")  # the highlighted row: TLSv1.2, CloudFront's offer
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        ladder = detail.query_one(Ladder)
        lines = ladder.lines()
        text = "\n".join(lines)
        assert "the real handshake" in text
        real = lines[next(i for i, line in enumerate(lines) if "the real handshake" in line):]
        names = ["Certificate", "ClientKeyExchange", "ChangeCipherSpec",
                 "Finished (encrypted)", "Alert: fatal"]
        at = [next(i for i, line in enumerate(real) if name in line and
                   (name != "Certificate" or "──▶" in line)) for name in names]
        assert at == sorted(at), real
        assert "▶" in real[at[0]] and "▶" in real[at[3]] and "◀" in real[at[4]]
        assert "HTTP stage: tls-failed" in real[-1]
        # the first flight's CertificateRequest is still where the ladder opens
        assert "CertificateRequest" in lines[ladder.highlighted or 0]
        start = lines.index(real[0])
        for _ in range(start + at[0] - (ladder.highlighted or 0)):
            await pilot.press("down")
        message = detail.query_one(MessageView).text
        assert "empty: no client certificate" in message and "sent by CloudFront" in message
