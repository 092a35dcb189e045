"""Every cftui module imports on its own in a fresh interpreter (no import cycle, no
order it depends on), and a `cftui.sources` submodule does not load the whole package."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import cftui

ROOT = Path(cftui.__file__).parent


def _modules() -> list[str]:
    names = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return [n for n in names if n != "cftui.__main__"]  # importing it runs the CLI


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)


def test_the_module_list_is_complete() -> None:
    assert {"cftui", "cftui.engine.run", "cftui.sources", "cftui.ui.app"} <= set(_modules())


@pytest.mark.parametrize("module", _modules())
def test_module_imports_alone(module: str) -> None:
    out = _python(f"import {module}")
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stderr == ""


def test_a_sources_submodule_loads_only_what_it_needs() -> None:
    """The UI imports `cftui.sources.model`; that must not run the package's other
    submodules (the AWS readers, the TOML reader) half-way through its own import."""
    out = _python("import sys, cftui.sources.model\n"
                  "print(sorted(m for m in sys.modules if m.startswith('cftui.sources')))")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['cftui.sources', 'cftui.sources.model', 'cftui.sources.reader']"


def test_the_sources_package_still_offers_its_names() -> None:
    out = _python("import cftui.sources as s\n"
                  "print(all(getattr(s, n).__module__.startswith('cftui.sources.') "
                  "for n in s.__all__))\n"
                  "try:\n    s.nothing\nexcept AttributeError:\n    print('no nothing')")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["True", "no", "nothing"]
