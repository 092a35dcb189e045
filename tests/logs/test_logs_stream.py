"""A ~50 MB log is summarised with bounded memory: measured in a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.logs.logsynth import outage, w3c_lines

T0 = 1714568400
SIZE = 50 * 1024 * 1024

# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork/exec,
# so a big pytest process would be measured; VmHWM belongs to the new address space.
_MEASURE = """
import json, sys
from pathlib import Path
from cftui.logs import summarise
summary = summarise([Path(sys.argv[1])])
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"records": summary.records, "skipped": summary.skipped,
                  "groups": len(summary.groups), "peak_kb": int(hwm.split()[1])}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_fifty_megabytes_in_bounded_memory(tmp_path: Path) -> None:
    lines = list(w3c_lines(outage(T0, 60, "d111111abcdef8.cloudfront.net", per_minute=20,
                                  bad_minutes=range(10, 20))))
    header, body = "\n".join(lines[:2]) + "\n", ("\n".join(lines[2:]) + "\n").encode()
    path = tmp_path / "big.log"
    copies = SIZE // len(body) + 1
    with path.open("wb") as f:
        f.write(header.encode())
        for _ in range(copies):
            f.write(body)
    assert path.stat().st_size > SIZE
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True,
                          text=True, timeout=60, check=True)
    result = json.loads(done.stdout)
    assert result["records"] == copies * 1200 and result["skipped"] == 0
    assert result["groups"] == 1
    assert result["peak_kb"] < 60 * 1024, result  # the file alone is 50 MB
