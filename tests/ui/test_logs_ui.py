"""Access logs in the app: read in a worker with progress, each origin's 502/504 rate in the
picker, the log view with its plot, Enter checks the origin; the demo's shipped log."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest
from logs import logsynth
from textual.message import Message
from textual.widgets import DataTable, Sparkline

from cftui.cli import UsageError, build_app
from cftui.demo.origins import DemoOrigin
from cftui.sources.model import Distribution, Inventory, Origin
from cftui.ui.app import CftuiApp
from cftui.ui.entries import PickerEntries
from cftui.ui.logs import LogProgress, LogsLoaded, LogSource
from cftui.ui.screens.checks import CheckScreen
from cftui.ui.screens.logs import LogScreen
from cftui.ui.screens.picker import OriginList, PickerScreen

from .conftest import settle
from .fakes import failing_report, replaying

START = 1714568400  # 2024-05-01 13:00 UTC


def inventory() -> Inventory:
    shop = Distribution(id="E2EXAMPLE", name="shop", domain_name="d111.cloudfront.net",
                        aliases=("shop.example.com",),
                        origins=(Origin("app", "origin.example.com", distribution="E2EXAMPLE"),))
    blog = Distribution(id="E3BLOG", name="blog", aliases=("blog.example.com",),
                        origins=(Origin("blog", "blog-origin.example.net",
                                        distribution="E3BLOG"),))
    return Inventory((shop, blog), "cftui.toml")


def write_logs(directory: Path, files: int = 3) -> list[Path]:
    """Half of shop's requests are 502 OriginConnectError on /api/x; blog has no errors."""
    paths = []
    for n in range(files):
        shop = logsynth.outage(START + n * 600, 10, "shop.example.com", per_minute=20,
                               bad_minutes=range(10))
        paths.append(logsynth.write(directory / f"E2EXAMPLE.2024-05-01-13.a{n}.gz",
                                    logsynth.w3c_lines(shop), gz=True))
    blog = logsynth.outage(START, 10, "blog.example.com", per_minute=5)
    paths.append(logsynth.write(directory / "E3BLOG.2024-05-01-13.b0.gz",
                                logsynth.w3c_lines(blog), gz=True))
    return paths


def labels(app: CftuiApp) -> list[str]:
    return [line.strip() for line in app.screen.query_one(OriginList).labels()]


async def test_picker_shows_error_rates_from_the_logs_and_the_view_checks(
        tmp_path: Path) -> None:
    write_logs(tmp_path / "logs")
    inv = inventory()
    report = failing_report()
    app = CftuiApp.from_inventory(inv, checker=replaying(report),
                                  logs=LogSource.from_names([str(tmp_path / "logs")], inv))
    seen: list[Message] = []
    async with app.run_test(size=(80, 24), message_hook=seen.append) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, PickerScreen)
        loaded = [m for m in seen if isinstance(m, LogsLoaded)]
        assert len(loaded) == 1 and loaded[0].summary.records == 3 * 200 + 50
        progress = [m for m in seen if isinstance(m, LogProgress)]
        assert progress and progress[-1].done == progress[-1].total == app.logs.total  # type: ignore[union-attr]
        assert all(a.done <= b.done for a, b in pairwise(progress))
        shown = labels(app)
        assert any(line.endswith("502 50%  app  origin.example.com:443  TLSv1.2")
                   or "502 50%  app  origin.example.com:443" in line for line in shown), shown
        assert any("502 0%  blog  blog-origin.example.net:443" in line for line in shown), shown
        status = str(app.screen.query_one("#log-status").render())
        assert "4 files, 650 requests" in status

        await pilot.press("ctrl+l")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, LogScreen)
        table = view.query_one("#logs-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0] == ["E2EXAMPLE", "app", "600", "300 50%", "0 0%"]
        assert rows[1] == ["E3BLOG", "blog", "50", "0 0%", "0 0%"]
        spark = view.query_one("#logs-spark", Sparkline)
        assert spark.display and max(spark.data or [0]) > 0
        causes = str(view.query_one("#logs-causes").render())
        assert "502 OriginConnectError  300" in causes

        await pilot.press("enter")  # the highlighted row: shop / app
        await settle(pilot)
        assert isinstance(app.screen, CheckScreen)
        assert app.screen.target == inv.distributions[0].origins[0].to_target()


async def test_demo_log_view_in_ascii(demo: dict[str, DemoOrigin]) -> None:
    app = CftuiApp.from_demo([demo[k] for k in ("healthy", "missing-intermediate", "slow")],
                             logs=LogSource.demo(), ascii=True,
                             checker=replaying(failing_report()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = labels(app)
        assert any("502 25%  Missing intermediate" in line for line in shown), shown
        assert any("504 33%  Slow" in line for line in shown), shown
        assert any("502 0%  Healthy" in line for line in shown), shown
        await pilot.press("ctrl+l")
        await pilot.pause()
        view = app.screen
        assert isinstance(view, LogScreen)
        assert not view.query_one("#logs-spark").display
        plot = str(view.query_one("#logs-spark-ascii").render())
        assert plot.startswith("|") and plot.isascii() and set(plot) - {"|", " "}
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)


def test_missing_log_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--logs"):
        build_app(["--logs", str(tmp_path / "nope.gz")], terminal=lambda: None)


async def test_logs_key_only_with_logs() -> None:
    app = CftuiApp(entries=PickerEntries())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        keys = {b.binding.description for b in app.screen.active_bindings.values()
                if b.binding.show and b.enabled}
        assert "Ad-hoc origin" in keys and "Logs" not in keys
        assert not app.screen.query_one("#log-status").display


async def test_unreadable_logs_say_so_without_killing_the_app(tmp_path: Path) -> None:
    bad = tmp_path / "E2EXAMPLE.2024-05-01-13.x.gz"
    bad.write_bytes(b"\x1f\x8b" + b"not gzip at all")
    app = CftuiApp(entries=PickerEntries(), logs=LogSource((bad,)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.log_summary is not None and app.log_summary.skipped == 1
