"""A small generator of CloudFront access logs (W3C and v2 JSON), for the tests and the
shipped demo log."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cftui.logs.parse import STANDARD_FIELDS


@dataclass(frozen=True)
class Request:
    epoch: int
    host: str
    path: str
    status: int = 200
    detailed: str = "Hit"
    result: str = "Hit"


def values(req: Request, rng: random.Random | None = None) -> dict[str, str]:
    import time

    rng = rng or random.Random(0)
    t = time.gmtime(req.epoch)
    return {
        "date": time.strftime("%Y-%m-%d", t), "time": time.strftime("%H:%M:%S", t),
        "x-edge-location": "FRA56-P1", "sc-bytes": str(rng.randint(200, 90000)),
        "c-ip": f"192.0.2.{rng.randint(1, 254)}", "cs-method": "GET",
        "cs(Host)": "d111111abcdef8.cloudfront.net", "cs-uri-stem": req.path,
        "sc-status": f"{req.status:03d}", "cs(Referer)": "-",
        "cs(User-Agent)": "Mozilla/5.0%20(X11;%20Linux%20x86_64)", "cs-uri-query": "-",
        "cs(Cookie)": "-", "x-edge-result-type": req.result,
        "x-edge-request-id": f"{rng.getrandbits(160):040x}", "x-host-header": req.host,
        "cs-protocol": "https", "cs-bytes": "312", "time-taken": "0.123",
        "x-forwarded-for": "-", "ssl-protocol": "TLSv1.3", "ssl-cipher": "TLS_AES_128_GCM_SHA256",
        "x-edge-response-result-type": req.result, "cs-protocol-version": "HTTP/2.0",
        "fle-status": "-", "fle-encrypted-fields": "-", "c-port": "51234",
        "time-to-first-byte": "0.120", "x-edge-detailed-result-type": req.detailed,
        "sc-content-type": "text/html", "sc-content-len": "-", "sc-range-start": "-",
        "sc-range-end": "-",
    }


def w3c_lines(requests: list[Request], fields: tuple[str, ...] = STANDARD_FIELDS,
              header: bool = True) -> Iterator[str]:
    rng = random.Random(1)
    if header:
        yield "#Version: 1.0"
        yield "#Fields: " + " ".join(fields)
    for req in requests:
        v = values(req, rng)
        yield "\t".join(v[f] for f in fields)


def json_lines(requests: list[Request]) -> Iterator[str]:
    rng = random.Random(2)
    for req in requests:
        yield json.dumps(values(req, rng))


def write(path: Path, lines: list[str] | Iterator[str], *, gz: bool, extra: bytes = b"") -> Path:
    data = ("\n".join(lines) + "\n").encode() + extra
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def outage(start: int, minutes: int, host: str, per_minute: int = 20,
           bad_minutes: range = range(0), bad_path: str = "/api/x",
           detailed: str = "OriginConnectError", status: int = 502) -> list[Request]:
    """Healthy traffic with 502s (or 504s) on bad_path during bad_minutes."""
    out = []
    for minute in range(minutes):
        for i in range(per_minute):
            epoch = start + minute * 60 + i * 60 // per_minute
            path = bad_path if i % 2 else "/index.html"
            if minute in bad_minutes and path == bad_path:
                out.append(Request(epoch, host, path, status, detailed, "Error"))
            else:
                out.append(Request(epoch, host, path))
    return out
