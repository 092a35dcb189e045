"""Snapshots at 80×24 (and one wide) from deterministic data: no ports, clocks or durations."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from cftui.engine.profile import Protocol
from cftui.sources.model import Distribution, Inventory, Origin
from cftui.ui.app import CftuiApp
from cftui.ui.entries import PickerEntries
from cftui.ui.format import fixed_formatter

from .conftest import settle
from .fakes import TARGET, failing_report, replaying

SMALL = (80, 24)


def inventory() -> Inventory:
    shop = Distribution(
        id="E2EXAMPLE", name="shop", aliases=("shop.example.com", "www.example.com"),
        origins=(
            Origin("shop-origin", "origin.example.com", distribution="E2EXAMPLE"),
            Origin("api", "api.example.com", https_port=8443,
                   ssl_protocols=(Protocol.TLSv1_1, Protocol.TLSv1_2), forwards_host=True,
                   distribution="E2EXAMPLE"),
            Origin("assets", "assets.s3.amazonaws.com", kind="s3", distribution="E2EXAMPLE"),
        ))
    blog = Distribution(id="E3BLOG", name="blog", aliases=("blog.example.com",),
                        origins=(Origin("blog", "blog-origin.example.net",
                                        host_header="blog.example.com", distribution="E3BLOG"),))
    return Inventory((shop, blog), "cftui.toml")


def make_app(**options: Any) -> CftuiApp:
    entries = PickerEntries.from_inventory(inventory())
    return CftuiApp(entries=entries, checker=replaying(failing_report()),
                    formatter=fixed_formatter(), **options)


async def wait(pilot: Pilot[Any]) -> None:
    await settle(pilot)


def test_picker(snap_compare: Any) -> None:
    assert snap_compare(make_app(), terminal_size=SMALL)


def test_failing_check(snap_compare: Any) -> None:
    assert snap_compare(make_app(start_target=TARGET), terminal_size=SMALL, run_before=wait)


def test_failed_handshake_detail(snap_compare: Any) -> None:
    async def open_detail(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(make_app(start_target=TARGET), terminal_size=SMALL,
                        run_before=open_detail)


def test_failing_check_wide_ascii(snap_compare: Any) -> None:
    assert snap_compare(make_app(start_target=TARGET, ascii=True), terminal_size=(120, 40),
                        run_before=wait)


def test_log_view_of_the_demo_log(snap_compare: Any) -> None:
    from cftui.ui.logs import LogSource

    async def open_logs(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+l")
        await pilot.press("down", "down")
        await pilot.pause()

    assert snap_compare(make_app(logs=LogSource.demo()), terminal_size=SMALL,
                        run_before=open_logs)
