"""How long until the app shows its first frame: a fresh interpreter, imports included.

Each run starts a new Python that imports cftui, builds the app on an inventory
of 12 origins and runs it headless until the picker is on screen. Prints the
median of the runs. Usage: python bench/bench_app.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

CHILD = r"""
import asyncio, time
start = time.perf_counter()
from cftui.engine.target import Target
from cftui.sources.model import Distribution, Inventory, Origin
from cftui.ui.app import CftuiApp

origins = tuple(Origin(id=f"o{i}", domain=f"o{i}.example.com", distribution="E1")
                for i in range(12))
dist = Distribution(id="E1", name="bench", origins=origins, source="bench")
inventory = Inventory((dist,), "bench")

async def main() -> None:
    app = CftuiApp.from_inventory(inventory)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        print(f"{(time.perf_counter() - start) * 1000:.1f}")

asyncio.run(main())
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    times = []
    for _ in range(args.runs):
        out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True,
                             timeout=60, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    print(f"first frame: median {statistics.median(times):.0f} ms over {args.runs} fresh "
          f"interpreters (min {min(times):.0f}, max {max(times):.0f}), imports included")
    return 0


if __name__ == "__main__":
    sys.exit(main())
