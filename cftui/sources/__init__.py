"""Where origins come from: a TOML file, AWS CLI JSON exports, or a live AWS account.

All three yield the same `Inventory` of `Distribution` and `Origin` objects, and
`Origin.to_target()` turns an origin into the engine's `Target`. Bad input raises
`SourceError`, one line naming the file, the place in it and the problem.
This package never imports textual; boto3 only inside `load_account`.
"""

from cftui.sources.aws_export import load_export
from cftui.sources.aws_live import load_account
from cftui.sources.model import Distribution, Inventory, Origin, OriginGroup
from cftui.sources.reader import SourceError
from cftui.sources.toml_config import find_config, load_config

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
