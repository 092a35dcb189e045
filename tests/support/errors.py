"""Assertions shared by the tests of anything that reads a user's file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cftui.sources.reader import SourceError


def source_error(load: Callable[[Path], Any], path: Path) -> str:
    """The message `load(path)` fails with: one line, starting with the file's name."""
    with pytest.raises(SourceError) as info:
        load(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    assert "\n" not in message
    return message
