"""Pure functions that turn engine objects into display Content (no App needed)."""
