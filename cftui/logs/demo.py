"""The shipped demo log: a few hundred requests to one demo distribution whose origins
are the `cftui demo` ones (see cftui/demo/origins.py), for offline use."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from cftui.logs.attribute import CacheBehaviour, DistributionRoutes

DEMO_DISTRIBUTION_ID = "EDEMO1CFTUI2"
DEMO_DOMAIN = "d1demo2cftui3.cloudfront.net"
DEMO_ALIAS = "shop.demo.cftui.test"
DEMO_LOG_NAME = f"{DEMO_DISTRIBUTION_ID}.2024-05-01-13.demo0001.gz"

DEMO_ROUTES = DistributionRoutes(
    label=DEMO_DISTRIBUTION_ID,
    distribution_id=DEMO_DISTRIBUTION_ID,
    hosts=(DEMO_DOMAIN, DEMO_ALIAS),
    behaviours=(
        CacheBehaviour("/api/*", "missing-intermediate"),
        CacheBehaviour("/legacy/*", "legacy-tls10"),
        CacheBehaviour("/reports/*", "slow"),
    ),
    default_origin_id="healthy",
)


def demo_log_path() -> Path:
    """The shipped gzip log (cftui/demo/data/)."""
    return Path(str(resources.files("cftui.demo") / "data" / DEMO_LOG_NAME))
