"""Regenerate screenshots/*.svg from the real app on the demo origins.

    python -m cftui.ui.screenshots [DIRECTORY]

Runs the app headless (100×30) against the loopback demo origins and saves the
picker, two failing checks, the fix-chain screen, the handshake detail of a failed
handshake and the log view of the demo's access log.
"""

from __future__ import annotations

import asyncio
import sys
from contextlib import suppress
from pathlib import Path

from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from cftui.demo.origins import AIA_URL, DemoOrigin, DemoOrigins
from cftui.engine.x509.repair import Fetch
from cftui.ui.app import CftuiApp
from cftui.ui.logs import LogSource

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
        app = CftuiApp.from_demo(origins, logs=LogSource.demo(),
                                 aia_fetch=_demo_aia(origins))
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            save(app, "picker")
            for key in ("missing-intermediate", "no-common-cipher"):
                await pilot.press(*key, "enter")
                await _settle(pilot)
                save(app, f"check-{key}")
                if key == "missing-intermediate":
                    await pilot.press("f")  # fix the chain
                    await _settle(pilot)
                    save(app, "fix-chain")
                    await pilot.press("escape")
                if key == "no-common-cipher":
                    await pilot.press("enter")  # the TLSv1.2 row: CloudFront's own offer
                    await _settle(pilot)
                    save(app, "detail-failed-handshake")
                    await pilot.press("escape")
                await pilot.press("escape", "escape")  # back to the picker, clear the filter
                await pilot.pause()
            await pilot.press("ctrl+l")
            await pilot.press("down", "down")  # the missing intermediate's 502s
            await pilot.pause()
            save(app, "logs")
    return saved


def _demo_aia(origins: list[DemoOrigin]) -> Fetch:
    """The demo leaf's caIssuers host (pki.demo.invalid) does not exist: answer it with the
    intermediate the healthy demo origin sends, as the CA's server would."""
    from dataclasses import replace

    from cryptography import x509

    from cftui.engine.net.aia import FetchError
    from cftui.engine.run import check

    healthy = next(o for o in origins if o.key == "healthy")
    cert = check(replace(healthy.target, http=False)).per_address[0].certificate
    chain = tuple(x509.load_der_x509_certificate(c.der) for c in cert.chain[1:]) if cert else ()

    def fetch(url: str, deadline: float) -> tuple[x509.Certificate, ...]:
        if url != AIA_URL or not chain:
            raise FetchError(f"{url}: not served in the demo")
        return chain

    return fetch


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    directory = Path(args[0]) if args else DEFAULT_DIR
    directory.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(_shoot(directory)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
