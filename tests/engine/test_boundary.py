"""The engine and the headless command never import the UI (STYLE.md: the boundary is tested)."""

import subprocess
import sys

CODE = """
import sys
import cftui.engine.run, cftui.engine.report, cftui.transcript.session, cftui.cli
from cftui.cli import check_parser, check_targets
check_targets(check_parser().parse_args(["origin.example.com"]))
import cftui.sources.toml_config, cftui.sources.aws_export
bad = sorted(m for m in sys.modules if m == "textual" or m.startswith(("textual.", "cftui.ui")))
print(bad)
assert not bad, bad
"""


def test_engine_and_check_do_not_import_textual() -> None:
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
