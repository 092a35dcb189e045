"""A long fuzzing campaign against cftui's record and handshake parser.

    python fuzz/fuzz_flight.py --examples 200000          # hypothesis (default engine)
    python fuzz/fuzz_flight.py --seconds 300              # hypothesis, for five minutes
    python fuzz/fuzz_flight.py --engine atheris --seconds 300   # pip install atheris

The property is the one in tests/hostile/test_hostile_parser.py: for any input fed
in any chunking, `FlightParser.feed` returns or raises `ParseError`, the result is
consistent, and the engine's use of it (attempt properties, scan error text, the
s_client transcript) does not raise. Inputs: real first flights captured from
loopback origins (mutated: bit flips, truncations, splices, re-framing, length
fields), TLS-shaped random flights and arbitrary bytes. A failing input is written
to fuzz/crashes/ and the script exits with status 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests" / "hostile")]
CRASHES = ROOT / "fuzz" / "crashes"


class Counter:
    def __init__(self) -> None:
        self.clean = 0
        self.parse_errors = 0
        self.started = time.monotonic()

    def note(self, error: object) -> None:
        self.clean += 1
        if error is not None:
            self.parse_errors += 1

    def line(self) -> str:
        took = time.monotonic() - self.started
        return (f"{self.clean} inputs ran clean ({self.clean - self.parse_errors} parsed, "
                f"{self.parse_errors} raised ParseError) in {took:.0f} s")


def save_crash(data: bytes, exc: BaseException) -> Path:
    CRASHES.mkdir(parents=True, exist_ok=True)
    path = CRASHES / f"crash-{hashlib.sha256(data).hexdigest()[:16]}.bin"
    path.write_bytes(data)
    path.with_suffix(".txt").write_text("".join(traceback.format_exception(exc)))
    return path


def run_hypothesis(examples: int, seconds: float | None, seed: int) -> int:
    from flights import corpus, run_one
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed
    from hypothesis import strategies as st
    from mutations import anything, chunks

    corpus()  # capture the real flights before the clock matters
    counter = Counter()
    deadline = None if seconds is None else time.monotonic() + seconds
    batch = 5_000
    round_ = 0
    while counter.clean < examples and (deadline is None or time.monotonic() < deadline):
        size = min(batch, examples - counter.clean)

        @fixed_seed(seed + round_)
        @settings(max_examples=size, deadline=None, database=None, derandomize=False,
                  phases=[Phase.generate, Phase.shrink],
                  suppress_health_check=list(HealthCheck))
        @given(anything, chunks, st.data())
        def campaign(case: tuple[object, bytes], chunk: int, _data: st.DataObject) -> None:
            spec, data = case
            try:
                counter.note(run_one(data, spec, chunk))  # type: ignore[arg-type]
            except Exception as exc:
                print(f"\nFAILED on {len(data)} bytes, chunk {chunk}: {exc!r}; saved to "
                      f"{save_crash(data, exc)}", file=sys.stderr)
                raise

        try:
            campaign()
        except Exception:
            print(counter.line())
            return 1
        round_ += 1
        print(f"  {counter.line()}", flush=True)
    print(counter.line())
    return 0


def run_atheris(examples: int, seconds: float | None) -> int:
    import atheris

    with atheris.instrument_imports(include=["cftui"]):
        import cftui.engine.model
        import cftui.engine.tls.flight
        import cftui.engine.tls.scan
        import cftui.transcript.session  # noqa: F401
    from flights import corpus, run_one

    from cftui.engine.tls.flight import ParseError

    flights = corpus()
    specs = [f.spec for f in flights]
    counter = Counter()
    deadline = None if seconds is None else time.monotonic() + seconds
    chunk_sizes = (0, 1, 2, 3, 7, 64, 1000, 16389)

    def one_input(raw: bytes) -> None:
        if len(raw) < 2:
            return
        spec, chunk, data = specs[raw[0] % len(specs)], chunk_sizes[raw[1] % 8], raw[2:]
        try:
            counter.note(run_one(data, spec, chunk))
        except ParseError:  # pragma: no cover - run_one returns it
            counter.note(True)
        except Exception as exc:
            print(f"\nFAILED: saved to {save_crash(data, exc)}", file=sys.stderr)
            raise
        if counter.clean % 20_000 == 0:
            print(f"  {counter.line()}", flush=True)
        if counter.clean >= examples or (deadline is not None and time.monotonic() > deadline):
            print(counter.line(), flush=True)
            sys.stdout.flush()
            import os

            os._exit(0)

    seeds = Path(tempfile.mkdtemp(prefix="cftui-fuzz-seeds-"))
    for i, flight in enumerate(flights):
        (seeds / f"seed-{i}").write_bytes(bytes((i, 0)) + flight.data)
    atheris.Setup([sys.argv[0], "-max_len=65536", "-rss_limit_mb=4096", str(seeds)], one_input)
    atheris.Fuzz()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=None,
                        help="stop after this many inputs (default 200000 without --seconds)")
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long")
    parser.add_argument("--engine", choices=("hypothesis", "atheris"), default="hypothesis")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed of the first batch")
    args = parser.parse_args(argv)
    examples = args.examples if args.examples is not None else (
        10**12 if args.seconds is not None else 200_000)
    started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"cftui flight fuzz: engine {args.engine}, started {started}, python "
          f"{sys.version.split()[0]}", flush=True)
    if args.engine == "atheris":
        return run_atheris(examples, args.seconds)
    return run_hypothesis(examples, args.seconds, args.seed)


if __name__ == "__main__":
    sys.exit(main())
