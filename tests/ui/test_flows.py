"""Pilot tests of each flow against real loopback origins: pick, check, detail, back."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from cftui.demo.origins import DemoOrigin, DemoOrigins
from cftui.engine.results import Stage, StageFinished, Status
from cftui.ui.app import CftuiApp
from cftui.ui.messages import CheckEvent
from cftui.ui.screens.checks import CheckScreen
from cftui.ui.screens.detail import DetailScreen
from cftui.ui.screens.export import ExportScreen
from cftui.ui.screens.picker import OriginList, PickerScreen
from cftui.ui.widgets.ladder import Ladder, MessageView
from cftui.ui.widgets.stage_panel import StagePanel
from cftui.ui.widgets.tls_grid import TlsGrid
from cftui.ui.widgets.transcript_view import TranscriptView
from cftui.ui.widgets.verdict_bar import VerdictBar

from .conftest import settle


def app_for(demo: dict[str, DemoOrigin], *keys: str, **options: object) -> CftuiApp:
    return CftuiApp.from_demo([demo[k] for k in keys], **options)  # type: ignore[arg-type]


def panel(app: CftuiApp, stage: Stage) -> StagePanel:
    return app.screen.query_one(f"#stage-{stage.value}", StagePanel)


async def test_pick_check_detail_back(demo: dict[str, DemoOrigin]) -> None:
    app = app_for(demo, "healthy", "no-common-cipher")
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, PickerScreen)
        await pilot.press(*"cipher")  # type to filter
        await pilot.pause()
        origins = app.screen.query_one(OriginList)
        assert [e.name for e in origins.entries.values()] == ["No common cipher"]
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CheckScreen)
        assert panel(app, Stage.TLS).view.status is Status.FAIL
        grid = screen.query_one(TlsGrid)
        assert grid.lines()[0].startswith("TLSv1.2  on   ✗ no common suite")
        assert "ECDHE-RSA-CHACHA20-POLY1305" in grid.lines()[0]
        verdict = screen.query_one(VerdictBar).text
        assert "CloudFront would answer 502" in verdict and "tls-cipher-mismatch" in verdict

        await pilot.press("enter")  # the highlighted row: TLSv1.2
        await pilot.pause()
        detail = app.screen
        assert isinstance(detail, DetailScreen)
        ladder = detail.query_one(Ladder)
        assert ladder.lines()[0].startswith("│── ClientHello")
        assert "Alert: handshake failure" in ladder.lines()[1]
        assert ladder.highlighted == 1  # opens on the origin's answer
        message = detail.query_one(MessageView).text
        assert "sent by the origin" in message and "0000  02 28" in message
        await pilot.press("up")
        assert "ClientHello" in detail.query_one(MessageView).text
        assert "openssl s_client -connect 127.0.0.1:" in detail.command
        await pilot.press("c")
        await pilot.press("t")
        transcript = detail.query_one(TranscriptView).text
        assert "CONNECTED(00000003)" in transcript
        assert "handshake failure" in transcript
        await pilot.press("n")  # the next try: the broad hello, which is answered
        assert "ServerHello" in detail.query_one(Ladder).lines()[1]

        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("escape")
        assert isinstance(app.screen, PickerScreen)
        # the verdict stays with the origin in the picker; Enter shows it again, no re-run
        assert "✗ 502" in "".join(app.screen.query_one(OriginList).labels())
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen.query_one(VerdictBar).text.startswith("✗ CloudFront would answer")


async def test_cancel_keeps_results_and_escape_goes_back() -> None:
    seen: list[object] = []
    # its own slow origin, with a read timeout long enough that a busy machine still
    # presses Esc while the request waits
    with DemoOrigins(("slow",), read_timeout=8.0) as origins:
        app = CftuiApp.from_demo(origins)
        await _cancel_keeps_results(app, seen)


async def _cancel_keeps_results(app: CftuiApp, seen: list[object]) -> None:
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await pilot.press("enter")
        deadline = time.monotonic() + 20  # generous: CI machines are busy
        # the request starts with the scan and this origin answers after 3 s: cancel as
        # soon as the TLS stage has its facts, while the request is still waiting
        while time.monotonic() < deadline:
            await asyncio.sleep(0.02)
            if any(isinstance(m, CheckEvent) and isinstance(m.event, StageFinished)
                   and m.event.result.stage is Stage.TLS for m in seen):
                break
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CheckScreen) and screen.state.running
        await pilot.press("escape")  # cancels, does not leave
        assert app.screen is screen and not screen.state.running
        # facts stay; a cancelled run is never judged, so no stage claims PASS or FAIL
        assert panel(app, Stage.TLS).view.status is Status.DONE
        assert panel(app, Stage.HTTP).view.summary == "cancelled"
        assert "cancelled" in screen.query_one(VerdictBar).text
        await settle(pilot)  # the cancelled run ends; what it still posts is dropped
        assert "cancelled" in screen.query_one(VerdictBar).text
        await pilot.press("escape")
        assert isinstance(app.screen, PickerScreen)


async def test_rerun_starts_a_new_run(demo: dict[str, DemoOrigin]) -> None:
    seen: list[object] = []
    app = app_for(demo, "healthy")
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CheckScreen)
        first = screen.state.report
        assert first is not None and not first.verdict.would_fail
        assert screen.query_one(VerdictBar).text.startswith("✓ OK")
        await pilot.press("r")
        await settle(pilot)
        assert screen.run_id == 2
        assert any(isinstance(m, CheckEvent) and m.run_id == 2 for m in seen)
        assert screen.state.report is not None and screen.state.report is not first
        assert panel(app, Stage.HTTP).view.status is Status.PASS


async def test_export_markdown_and_json_never_overwrite_silently(
        demo: dict[str, DemoOrigin], tmp_path: Path) -> None:
    app = app_for(demo, "missing-intermediate", export_dir=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportScreen)
        assert dialog.default_name.startswith("cftui-missing-intermediate.demo.cftui.test-")
        await pilot.press("enter")
        await pilot.pause()
        written = list(tmp_path.glob("cftui-*.md"))
        assert len(written) == 1 and "cert-chain-incomplete" in written[0].read_text()

        await pilot.press("e")
        await pilot.pause()
        name = app.screen.query_one("#export-name")
        name.value = "report.json"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        data = json.loads((tmp_path / "report.json").read_text())
        assert data["schema"] == "cftui.report/1"

        (tmp_path / "report.json").write_text("keep me")
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-name").value = "report.json"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)  # asks first
        assert (tmp_path / "report.json").read_text() == "keep me"
        await pilot.press("escape")
        assert isinstance(app.screen, CheckScreen)
        assert (tmp_path / "report.json").read_text() == "keep me"

        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-name").value = "report.json"  # type: ignore[attr-defined]
        await pilot.press("enter", "enter")  # second Enter confirms
        await pilot.pause()
        assert json.loads((tmp_path / "report.json").read_text())["schema"] == "cftui.report/1"

        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-name").value = "no/such/dir/x.md"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert "no such directory" in str(app.screen.query_one("#export-message").content)


async def test_watch_keeps_history_per_stage(demo: dict[str, DemoOrigin]) -> None:
    app = app_for(demo, "healthy", watch_interval=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CheckScreen)
        await pilot.press("w")
        assert screen.watching
        for _ in range(400):
            await asyncio.sleep(0.02)
            if screen.session.history.runs >= 2 and not screen.state.running:
                break
        await pilot.press("w")
        assert not screen.watching
        await settle(pilot)
        assert screen.session.history.runs >= 2
        assert "history ✓✓" in panel(app, Stage.TLS).header_text
        assert "watch: OK OK" in screen.query_one(VerdictBar).text


async def test_adhoc_origin_and_palette(demo: dict[str, DemoOrigin]) -> None:
    healthy = demo["healthy"].target
    app = app_for(demo, "healthy")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        form.query_one("#adhoc-domain").value = healthy.domain  # type: ignore[attr-defined]
        form.query_one("#adhoc-port").value = str(healthy.port)  # type: ignore[attr-defined]
        form.query_one("#adhoc-connect").value = "127.0.0.1"  # type: ignore[attr-defined]
        form.query_one("#adhoc-port").value = "99999"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is form  # a bad port keeps the form open, saying why
        assert "port" in str(form.query_one("#adhoc-error").content)
        form.query_one("#adhoc-port").value = str(healthy.port)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CheckScreen)
        assert screen.target.label == "ad-hoc" and screen.target.connect_to == ("127.0.0.1",)
        assert panel(app, Stage.TLS).view.status is Status.PASS
        titles = [c.title for c in app.get_system_commands(screen)]
        for title in ("Re-run", "Watch", "Export", "Back", "Copy JSON", "Handshake"):
            assert title in titles
