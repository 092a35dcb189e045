"""openssl s_client emulation for the detail view: one attempt -> lines."""
