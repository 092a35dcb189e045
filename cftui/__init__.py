"""cftui: find out why CloudFront cannot talk HTTPS to a custom origin."""

__version__ = "0.1.0"
