"""Shared helpers for the source tests: realistic AWS CLI documents live in data/."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).parent / "data"
EXAMPLE_TOML = Path(__file__).resolve().parents[2] / "examples" / "cftui.toml"


@pytest.fixture
def aws_doc():
    """A fresh copy of one of the documents in data/, to edit in a test."""

    def load(name: str) -> dict[str, Any]:
        return copy.deepcopy(json.loads((DATA / name).read_text()))

    return load


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture
def example_toml() -> Path:
    return EXAMPLE_TOML


@pytest.fixture
def write_json(tmp_path: Path):
    def write(doc: Any, name: str = "export.json") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(doc, indent=2))
        return path

    return write


@pytest.fixture
def write_toml(tmp_path: Path):
    def write(text: str, name: str = "cftui.toml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write
