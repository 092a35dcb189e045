"""Test-only servers and the session PKI shared by the test suite."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cftui.demo.pki import CertFiles, Issued, Pki, leaf, root_ca


@dataclass(frozen=True, eq=False)
class SessionPki:
    """Root + intermediate + ready-made leaves, and the root written as a CA file.

    `leaf` covers origin.example.com and www.origin.example.com (RSA 2048, full
    chain); `ecdsa_leaf` the same names on P-256. Client certificates come from a
    separate CA (`client_ca`), so loading it on a server never completes server chains.
    """

    pki: Pki
    leaf: Issued
    ecdsa_leaf: Issued
    client_ca: Issued
    client: Issued
    ca_file: Path  # the root, as --ca-file / Target.ca_file takes it
    client_ca_file: Path
    client_files: CertFiles  # the client certificate and key as PEM files

    @property
    def root(self) -> Issued:
        return self.pki.root

    @property
    def intermediate(self) -> Issued:
        return self.pki.intermediate

    def issue(self, *dns_names: str, **options: Any) -> Issued:
        """A leaf signed by the intermediate; options as for `cftui.demo.pki.leaf`."""
        return self.pki.issue(*dns_names, **options)

    @classmethod
    def create(cls, directory: Path) -> SessionPki:
        pki = Pki.create("cftui Test")
        names = ("origin.example.com", "www.origin.example.com")
        client_ca = root_ca("cftui Test Client CA", key_index=3)
        client = leaf(client_ca, common_name="cftui test client", client=True, key_index=4)
        client_files = client.write(directory, "client")
        return cls(
            pki=pki,
            leaf=pki.issue(*names),
            ecdsa_leaf=pki.issue(*names, key_type="ec:secp256r1"),
            client_ca=client_ca,
            client=client,
            ca_file=pki.write_root(directory, "root"),
            client_ca_file=client_ca.write(directory, "client-ca").cert,
            client_files=client_files,
        )
