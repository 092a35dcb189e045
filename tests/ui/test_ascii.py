"""--ascii: what the terminal receives holds no character outside ASCII, on every screen."""

from __future__ import annotations

import html
import re

from cftui.demo.origins import DemoOrigin
from cftui.ui.app import CftuiApp
from cftui.ui.entries import PickerEntries

from .conftest import settle

_TEXT = re.compile(r"<text[^>]*>(.*?)</text>", re.S)


def screen_text(app: CftuiApp) -> str:
    svg = app.export_screenshot()
    text = "".join(html.unescape(re.sub(r"<[^>]+>", "", t)) for t in _TEXT.findall(svg))
    return text.replace("\xa0", " ")


def non_ascii(text: str) -> set[str]:
    return {ch for ch in text if ord(ch) > 126}


async def test_ascii_mode_draws_only_ascii(demo: dict[str, DemoOrigin]) -> None:
    origin = demo["no-common-cipher"]
    app = CftuiApp(entries=PickerEntries.from_demo([origin]), ascii=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert non_ascii(screen_text(app)) == set(), "picker"
        await pilot.press("enter")
        await settle(pilot)
        assert "CloudFront would answer 502" in screen_text(app)
        assert non_ascii(screen_text(app)) == set(), "check"
        await pilot.press("enter")
        await settle(pilot)
        assert non_ascii(screen_text(app)) == set(), "detail"
