"""In a small terminal the failing stage is scrolled into view when the check ends."""

from __future__ import annotations

from textual.containers import VerticalScroll

from cftui.demo.origins import DemoOrigin
from cftui.ui.app import CftuiApp
from cftui.ui.entries import PickerEntries

from .conftest import settle


async def test_failing_http_stage_is_brought_into_view(demo: dict[str, DemoOrigin]) -> None:
    slow = demo["slow"]  # the HTTP stage, last on the screen, fails with a read timeout
    app = CftuiApp(entries=PickerEntries.from_demo([slow]), start_target=slow.target)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.pause(0.2)
        stages = app.screen.query_one("#stages", VerticalScroll)
        panel = app.screen.query_one("#stage-http")
        assert stages.scroll_y > 0
        assert stages.region.contains_region(panel.region), (stages.region, panel.region)
