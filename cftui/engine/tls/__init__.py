"""TLS as CloudFront speaks it: ClientHello, first flight, probes, scans."""
