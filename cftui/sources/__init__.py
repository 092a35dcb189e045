"""Where origins come from: a TOML file, AWS CLI JSON exports, or a live AWS account.

All three yield the same `Inventory` of `Distribution` and `Origin` objects, and
`Origin.to_target()` turns an origin into the engine's `Target`. Bad input raises
`SourceError`, one line naming the file, the place in it and the problem.
This package never imports textual; boto3 only inside `load_account`.

The names below are loaded on first use: importing one submodule (the UI needs only
`model`) neither loads the others nor runs this file's imports halfway through theirs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cftui.sources.aws_export import load_export
    from cftui.sources.aws_live import load_account
    from cftui.sources.model import Distribution, Inventory, Origin, OriginGroup
    from cftui.sources.reader import SourceError
    from cftui.sources.toml_config import find_config, load_config

_EXPORTS = {
    "Distribution": "model",
    "Inventory": "model",
    "Origin": "model",
    "OriginGroup": "model",
    "SourceError": "reader",
    "find_config": "toml_config",
    "load_account": "aws_live",
    "load_config": "toml_config",
    "load_export": "aws_export",
}

__all__ = [
    "Distribution",
    "Inventory",
    "Origin",
    "OriginGroup",
    "SourceError",
    "find_config",
    "load_account",
    "load_config",
    "load_export",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
