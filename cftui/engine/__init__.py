"""The check engine: probes an origin the way CloudFront does. Never imports the UI."""
