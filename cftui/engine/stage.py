"""The stages of a check, in CloudFront's order, and the status a stage can have."""

from __future__ import annotations

from enum import Enum


class Stage(str, Enum):
    DNS = "dns"
    TCP = "tcp"
    TLS = "tls"
    CERTIFICATE = "certificate"
    HTTP = "http"

    @property
    def label(self) -> str:
        """The stage's name for people: "Certificate"."""
        return _LABELS[self]


_LABELS = {Stage.DNS: "DNS", Stage.TCP: "TCP", Stage.TLS: "TLS",
           Stage.CERTIFICATE: "Certificate", Stage.HTTP: "HTTP"}


class Status(str, Enum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"  # the stage has its facts; its status comes with the verdict
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    SKIPPED = "skipped"
