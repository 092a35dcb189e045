"""Regenerate screenshots/*.svg from the real app on the demo origins.

    python -m cftui.ui.screenshots [DIRECTORY]

Runs the app headless (100×30) against the loopback demo origins and saves the
picker, two failing checks, and the handshake detail of a failed handshake.
"""

from __future__ import annotations

import asyncio
import sys
from contextlib import suppress
from pathlib import Path

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from cftui.demo.origins import DemoOrigins
from cftui.ui.app import CftuiApp

SIZE = (100, 30)
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "screenshots"


async def _settle(pilot: Pilot[None]) -> None:
    with suppress(WorkerCancelled):
        await pilot.app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause()


async def _shoot(directory: Path) -> list[Path]:
    saved: list[Path] = []

    def save(app: CftuiApp, name: str) -> None:
        app.save_screenshot(f"{name}.svg", str(directory))
        saved.append(directory / f"{name}.svg")

    with DemoOrigins() as origins:
        app = CftuiApp.from_demo(origins)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            save(app, "picker")
            for key in ("missing-intermediate", "no-common-cipher"):
                await pilot.press(*key, "enter")
                await _settle(pilot)
                save(app, f"check-{key}")
                if key == "no-common-cipher":
                    await pilot.press("enter")  # the TLSv1.2 row: CloudFront's own offer
                    await _settle(pilot)
                    save(app, "detail-failed-handshake")
                    await pilot.press("escape")
                await pilot.press("escape", "escape")  # back to the picker, clear the filter
                await pilot.pause()
    return saved


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0]) if args else DEFAULT_DIR
    directory.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(_shoot(directory)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
