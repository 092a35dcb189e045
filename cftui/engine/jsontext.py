"""The one JSON dumper for everything cftui writes (the CLI's stdout, the app's export).

Text in a report comes from the network and from files; escaping every non-ASCII
character (`ensure_ascii`) keeps C0, C1, bidi and line-separator characters out of
terminals and editors, byte for byte the same on every path.
"""

from __future__ import annotations

import json
from typing import Any


def dumps(doc: Any) -> str:
    """`doc` as indented JSON, pure ASCII: control, C1 and bidi characters as \\uXXXX."""
    return json.dumps(doc, indent=2, ensure_ascii=True)
