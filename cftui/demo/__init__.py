"""Loopback origins and test certificates for `cftui demo` and the test suite."""
