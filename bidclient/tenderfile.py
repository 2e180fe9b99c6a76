"""What `bidclient seal --tender` reads: which tender, which version, which opening keys.

Normally a tender folder written by `bidclient tender fetch` (docs/formats/tender.md): its signature and
documents are checked again, and the signer's trust too when a trust list is configured. A path to the
folder's tender.json means the folder. For sealing without a server, a plain target file is still read:

    {"tender_id": "...", "version": 2, "package_sha256": "hex or null",
     "opening_time": "2026-12-01T09:00:00Z",
     "opening_certificates": ["-----BEGIN CERTIFICATE-----...", ...]}
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509

from bidclient.config import default_trust_paths
from bidclient.errors import BidclientError
from bidclient.sealing import TenderTarget
from bidclient.tender_package import DEFINITION_FILE, SIGNATURE_FILE, verify_folder
from crypto.trust import TrustList

MAX_TENDER_FILE = 4 << 20


def _bad(path: Path, what: str) -> BidclientError:
    return BidclientError(f"{path} is not a usable tender file: {what}", code="tender.invalid")


def load_tender_target(path: Path, *, trust_list: TrustList | None = None) -> TenderTarget:
    """The sealing target from a fetched tender folder (or a plain target file). ``trust_list`` defaults
    to the configured one; with none configured the folder is checked for integrity only."""
    if path.is_dir() or (path.name == DEFINITION_FILE and (path.parent / SIGNATURE_FILE).is_file()):
        return _from_folder(path if path.is_dir() else path.parent, trust_list)
    if not path.is_file():
        raise BidclientError(f"tender file {path} does not exist", code="io.input_missing")
    raw = path.read_bytes()[: MAX_TENDER_FILE + 1]
    if len(raw) > MAX_TENDER_FILE:
        raise _bad(path, "it is too large")
    try:
        data: Any = json.loads(raw)
    except ValueError:
        raise _bad(path, "it is not JSON") from None
    if not isinstance(data, dict):
        raise _bad(path, "the top level is not an object")
    tender_id = data.get("tender_id")
    version = data.get("version")
    if not isinstance(tender_id, str) or not tender_id or len(tender_id) > 200:
        raise _bad(path, "tender_id is missing")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _bad(path, "version must be a positive integer")
    pems = data.get("opening_certificates")
    if not isinstance(pems, list) or not pems or not all(isinstance(p, str) for p in pems):
        raise _bad(path, "opening_certificates must list at least one PEM certificate")
    try:
        certs = [x509.load_pem_x509_certificate(p.encode("ascii")) for p in pems]
    except (ValueError, UnicodeEncodeError):
        raise _bad(path, "an opening certificate is not a PEM certificate") from None
    opening_time = None
    if data.get("opening_time") is not None:
        try:
            opening_time = datetime.fromisoformat(str(data["opening_time"]).replace("Z", "+00:00"))
        except ValueError:
            raise _bad(path, "opening_time is not an ISO 8601 time") from None
        if opening_time.tzinfo is None:
            raise _bad(path, "opening_time must include a time zone")
    sha = data.get("package_sha256")
    if sha is not None and (not isinstance(sha, str) or len(sha) != 64):
        raise _bad(path, "package_sha256 must be 64 hex digits")
    return TenderTarget(tender_id=tender_id, tender_version=version, opening_certificates=certs,
                        package_sha256=sha, opening_time=opening_time)


def _from_folder(folder: Path, trust_list: TrustList | None) -> TenderTarget:
    if trust_list is None and default_trust_paths():
        from bidclient.signing import load_trust

        trust_list = load_trust([])
    package = verify_folder(folder, trust_list=trust_list)
    definition = package.definition
    return TenderTarget(tender_id=definition.tender_id, tender_version=definition.version,
                        opening_certificates=package.opening_certificates,
                        package_sha256=package.package_sha256, opening_time=definition.opening_time)
