"""Reaching the origin: DNS, TCP connections, timeouts."""
