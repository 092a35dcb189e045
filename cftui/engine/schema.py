"""The JSON Schema (draft 2020-12) of cftui.report/1 and cftui.reports/1, shipped as package
data so that scripts can validate what `cftui check --format json` prints (`cftui schema`)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

RESOURCE = "report.schema.json"


def schema_text() -> str:
    """The schema exactly as shipped."""
    return resources.files(__package__).joinpath(RESOURCE).read_text(encoding="utf-8")


def load_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_text())
    return schema
