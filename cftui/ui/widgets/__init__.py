"""Widgets of the check and detail screens."""
