"""The fix-chain key on the check screen: a leaf-only origin, its issuers on a loopback AIA
server, the chain written (never over a file without asking), then a re-check."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from support import SessionPki
from support.aia_server import AiaChain, AiaServer

from cftui.demo.servers import TlsOrigin
from cftui.engine.profile import Protocol
from cftui.engine.target import Target
from cftui.ui.app import CftuiApp
from cftui.ui.entries import PickerEntries
from cftui.ui.screens.checks import CheckScreen
from cftui.ui.screens.fixchain import FixChainScreen

from .conftest import settle

NAME = "origin.example.com"




def target_for(origin: TlsOrigin, pki: SessionPki) -> Target:
    return Target(NAME, port=origin.port, protocols=(Protocol.TLSv1_2,),
                  connect_to=("127.0.0.1",), ca_file=str(pki.ca_file), connect_timeout=2,
                  read_timeout=2, http=False)


def footer_keys(app: CftuiApp) -> set[str]:
    return {b.binding.description for b in app.screen.active_bindings.values()
        if b.binding.show and b.enabled}


async def test_fix_chain_writes_asks_before_overwriting_and_rechecks(
        chain: AiaChain, pki: SessionPki, server: AiaServer,
        tls_origin: Callable[..., TlsOrigin], tmp_path: Path) -> None:
    origin = tls_origin(chain.leaf, [])
    app = CftuiApp(entries=PickerEntries(), start_target=target_for(origin, pki),
                   export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        check = app.screen
        assert isinstance(check, CheckScreen)
        assert "Fix chain" in footer_keys(app)
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FixChainScreen)
        assert screen.repair is not None and screen.repair.ok
        assert server.requests == ["/inter2.der", "/inter1.p7c"]
        result = str(screen.query_one("#fixchain-result").render())
        assert "Built a chain of 3 certificates" in result
        assert f"CN = cftui AIA Inter 2 from {server.url('/inter2.der')}" in result
        assert "1. origin.example.com  leaf" in result
        help_text = str(screen.query_one("#fixchain-help").render())
        for needle in ("nginx", "Apache", "HAProxy", "Caddy", "IIS", "ACM",
                       f"cftui check {NAME} --port {origin.port}"):
            assert needle in help_text, needle
        assert "Re-check" not in footer_keys(app)  # nothing written yet

        existing = tmp_path / "fullchain.pem"
        existing.write_bytes(b"keep me")
        await pilot.press("enter")
        await pilot.pause()
        assert existing.read_bytes() == b"keep me"  # never overwritten silently
        assert "exists. Enter again to overwrite" in str(
            screen.query_one("#fixchain-message").render())
        await pilot.press("enter")  # the second Enter on the same name overwrites
        await pilot.pause()
        written = x509.load_pem_x509_certificates(existing.read_bytes())
        assert written == [chain.leaf.cert, chain.inter2.cert, chain.inter1.cert]
        assert screen.written == existing
        assert "Re-check" in footer_keys(app)

        first = check.session.report
        runs = check.run_id
        await pilot.press("r")
        await settle(pilot)
        assert app.screen is check
        assert check.run_id == runs + 1  # a new check ran
        assert check.session.report is not None and check.session.report is not first


async def test_a_new_name_is_written_without_touching_the_old_file(
        chain: AiaChain, pki: SessionPki, tls_origin: Callable[..., TlsOrigin],
        tmp_path: Path) -> None:
    origin = tls_origin(chain.leaf, [])
    (tmp_path / "fullchain.pem").write_bytes(b"keep me")
    app = CftuiApp(entries=PickerEntries(), start_target=target_for(origin, pki),
                   export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("enter")  # exists: asks
        await pilot.pause()
        await pilot.press(*["backspace"] * len("fullchain.pem"), *"site.pem", "enter")
        await pilot.pause()
        assert (tmp_path / "fullchain.pem").read_bytes() == b"keep me"
        assert (tmp_path / "site.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")


async def test_no_aia_says_why_in_one_line(
        pki: SessionPki, tls_origin: Callable[..., TlsOrigin], tmp_path: Path) -> None:
    origin = tls_origin(pki.leaf, [])  # no caIssuers URL in the session leaf
    (tmp_path / "out").mkdir()
    app = CftuiApp(entries=PickerEntries(), start_target=target_for(origin, pki),
                   export_dir=tmp_path / "out")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FixChainScreen)
        assert screen.repair is not None and screen.repair.reason == "no-aia"
        result = str(screen.query_one("#fixchain-result").render()).splitlines()
        assert result[0].startswith("Cannot build the chain: ")
        assert "caIssuers" in result[0]
        assert not screen.query_one("#fixchain-name").display
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CheckScreen)
        assert list((tmp_path / "out").iterdir()) == []


async def test_fix_chain_key_is_hidden_for_a_complete_chain(
        pki: SessionPki, tls_origin: Callable[..., TlsOrigin], tmp_path: Path) -> None:
    origin = tls_origin(pki.leaf)
    app = CftuiApp(entries=PickerEntries(), start_target=target_for(origin, pki),
                   export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CheckScreen)
        assert "Fix chain" not in footer_keys(app)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, CheckScreen)
