"""Certificates: DER, names, facts, and CloudFront's judgement of a chain."""
