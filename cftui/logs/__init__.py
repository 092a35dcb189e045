"""CloudFront access logs: parse (W3C / v2 JSON, gzip or plain), attribute, summarise.

Public API for the app's log view:

    paths = reader.expand(["logs/"])
    summary = summarise(paths, Attributor(routes), on_progress=...)
    render.to_json(summary) / render.to_text(summary) / render.sparkline(group.buckets)
"""

from cftui.logs.attribute import (
    Attribution,
    Attributor,
    CacheBehaviour,
    DistributionRoutes,
    path_matches,
    routes_from_inventory,
)
from cftui.logs.parse import LogRecord, MalformedLine
from cftui.logs.reader import LogFileError, distribution_from_name, expand
from cftui.logs.summary import (
    Bucket,
    Cause,
    GroupSummary,
    LogSummary,
    Skipped,
    Summariser,
    summarise,
)

__all__ = [
    "Attribution", "Attributor", "Bucket", "CacheBehaviour", "Cause", "DistributionRoutes",
    "GroupSummary", "LogFileError", "LogRecord", "LogSummary", "MalformedLine", "Skipped",
    "Summariser", "distribution_from_name", "expand", "path_matches",
    "routes_from_inventory", "summarise",
]
