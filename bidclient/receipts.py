"""Submission receipts: pinning the server's CA (trust on first use) and verifying a receipt offline.

A receipt (docs/formats/receipt.md) is verified with nothing but the file itself and the server CA
certificate pinned when the client first talked to that server: the server's CMS signature over the
receipt content, the RFC 3161 timestamp over the same bytes, both certificates chaining to the pinned
CA, and — given the bid — the envelope's SHA-256 and size.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from pydantic import ValidationError

from bidclient.api_client import ApiClient
from bidclient.atomic import write_atomically
from bidclient.config import config_dir
from bidclient.errors import BidclientError
from bidclient.protocol.submission import RECEIPT_PURPOSE, ReceiptFile, ServerCertificatesOut, unb64
from crypto import cms_sign, trust
from crypto.errors import CryptoError, TrustError
from crypto.identity import readable_name
from crypto.timestamp import verify_timestamp_token

MAX_RECEIPT_FILE = 4 << 20
# The TSA stamps after the server has checked the bid, so its time may trail the arrival time a little;
# an external TSA's clock may also differ slightly from the server's.
TIME_TOLERANCE = timedelta(minutes=10)


class ReceiptError(BidclientError):
    code = "receipt.invalid"


@dataclass(frozen=True)
class VerifiedReceipt:
    kind: str
    receipt_id: str
    submission_id: str
    tender_id: str
    tender_version: int
    bidder: str
    envelope_sha256: str
    size: int
    time: datetime
    timestamp_time: datetime
    signer: str
    server_ca_sha256: str
    bid_checked: bool
    content: dict[str, Any]


# --- trust on first use --------------------------------------------------------------------------------


def _pin_path(server_url: str) -> Path:
    name = hashlib.sha256(server_url.rstrip("/").encode("utf-8")).hexdigest()[:32]
    return config_dir() / "servers" / f"{name}.ca.pem"


def pinned_server_ca(client: ApiClient) -> x509.Certificate:
    """The server CA pinned for this server URL; fetched and pinned on first use (TOFU). A server that
    later shows another CA is refused: that is what pinning is for."""
    served = ServerCertificatesOut.model_validate(client.get_json("/api/v1/server/certificates"))
    try:
        ca = x509.load_pem_x509_certificate(served.ca.encode("ascii"))
    except ValueError as ex:
        raise ReceiptError("the server's CA certificate cannot be read", code="receipt.server_ca_invalid") from ex
    path = _pin_path(client.base_url)
    if path.is_file():
        pinned = x509.load_pem_x509_certificate(path.read_bytes())
        if pinned != ca:
            raise ReceiptError(f"the server {client.base_url} now presents another CA certificate "
                               f"(SHA-256 {_fp(ca)}) than the one pinned on first use ({_fp(pinned)}, in {path}); "
                               "if the server was re-installed, check with its operator and remove the pin",
                               code="receipt.server_ca_changed")
        return pinned
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, ca.public_bytes(serialization.Encoding.PEM), overwrite=True)
    return ca


def _fp(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


# --- the receipt file ----------------------------------------------------------------------------------


def load_receipt(path: Path) -> ReceiptFile:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_RECEIPT_FILE + 1)
    except FileNotFoundError:
        raise BidclientError(f"{path} does not exist", code="io.input_missing") from None
    if len(data) > MAX_RECEIPT_FILE:
        raise ReceiptError(f"{path} is too large to be a receipt", code="receipt.malformed")
    try:
        return ReceiptFile.model_validate_json(data)
    except ValidationError as ex:
        raise ReceiptError(f"{path} is not a bidclient receipt: {ex.errors()[0].get('msg', '')}",
                           code="receipt.malformed") from ex


def save_receipt(path: Path, receipt: ReceiptFile, server_ca: x509.Certificate) -> None:
    """Write the receipt with the pinned server CA inside, so that it verifies offline anywhere."""
    stored = receipt.model_copy(update={"server_ca": server_ca.public_bytes(serialization.Encoding.PEM)
                                        .decode("ascii")})
    write_atomically(path, stored.model_dump_json(indent=2).encode("utf-8") + b"\n", overwrite=True)


def verify_receipt(receipt: ReceiptFile, *, server_ca: x509.Certificate | None = None, bid: Path | None = None,
                   tsa_roots: list[x509.Certificate] | None = None) -> VerifiedReceipt:
    """Verify a receipt offline; raises ReceiptError (with a precise code) unless everything holds.

    ``server_ca`` defaults to the CA stored in the receipt. ``tsa_roots`` are extra roots for the
    timestamp when the server uses an external TSA.
    """
    try:
        content = unb64(receipt.content)
        signature = unb64(receipt.signature)
        token = unb64(receipt.timestamp_token)
        fields = json.loads(content)
    except ValueError as ex:
        raise ReceiptError("the receipt's content, signature or timestamp is not valid base64/JSON",
                           code="receipt.malformed") from ex
    if not isinstance(fields, dict) or fields.get("purpose") != RECEIPT_PURPOSE:
        raise ReceiptError("the signed content is not a bidclient receipt", code="receipt.malformed")
    if fields != receipt.receipt:
        raise ReceiptError("the readable copy of the receipt differs from the signed content",
                           code="receipt.tampered")
    try:
        time = datetime.fromisoformat(str(fields["time"]).replace("Z", "+00:00"))
        out_fields = dict(kind=str(fields["kind"]), receipt_id=str(fields["receipt_id"]),
                          submission_id=str(fields["submission_id"]), tender_id=str(fields["tender_id"]),
                          tender_version=int(fields["tender_version"]), bidder=str(fields["bidder"]),
                          envelope_sha256=str(fields["envelope_sha256"]), size=int(fields["size"]))
    except (KeyError, ValueError, TypeError) as ex:
        raise ReceiptError(f"the receipt lacks a valid field: {ex}", code="receipt.malformed") from ex
    if server_ca is None:
        if not receipt.server_ca:
            raise ReceiptError("the receipt carries no server CA certificate and none was given",
                               code="receipt.no_server_ca")
        try:
            server_ca = x509.load_pem_x509_certificate(receipt.server_ca.encode("ascii"))
        except ValueError as ex:
            raise ReceiptError("the receipt's server CA certificate cannot be read", code="receipt.malformed") from ex
    roots = trust.TrustList.of([server_ca, *(tsa_roots or [])], [])

    try:
        info = cms_sign.verify_detached(content, signature)
    except CryptoError as ex:
        raise ReceiptError(f"the server's signature on the receipt does not verify: {ex}",
                           code="receipt.signature_invalid") from ex
    try:
        trust.validate(info.signer_certificate, trust.TrustList.of([server_ca], []), usage="signing", at=time,
                       extra_certs=info.certificates, revocation=trust.RevocationMode.OFF)
    except TrustError as ex:
        raise ReceiptError(f"the receipt was not signed by the pinned server: {ex}",
                           code="receipt.untrusted") from ex
    try:
        stamp = verify_timestamp_token(token, data=content)
    except CryptoError as ex:
        raise ReceiptError(f"the receipt's timestamp does not verify: {ex}", code="receipt.timestamp_invalid") from ex
    assert stamp.tsa_certificate is not None
    try:
        trust.validate(stamp.tsa_certificate, roots, usage="any", at=stamp.gen_time, extra_certs=stamp.certificates,
                       revocation=trust.RevocationMode.OFF)
    except TrustError as ex:
        raise ReceiptError(f"the receipt's timestamp authority is not trusted: {ex}",
                           code="receipt.timestamp_untrusted") from ex
    if abs(stamp.gen_time - time) > TIME_TOLERANCE:
        raise ReceiptError(f"the timestamp ({stamp.gen_time.isoformat()}) is far from the receipt's time "
                           f"({time.isoformat()})", code="receipt.time_mismatch")
    bid_checked = False
    if bid is not None:
        digest, size = file_sha256(bid)
        if digest != out_fields["envelope_sha256"] or size != out_fields["size"]:
            raise ReceiptError(f"{bid} is not the bid this receipt is for: its SHA-256 is {digest} ({size} bytes), "
                               f"the receipt names {out_fields['envelope_sha256']} ({out_fields['size']} bytes)",
                               code="receipt.bid_mismatch")
        bid_checked = True
    return VerifiedReceipt(**out_fields, time=time, timestamp_time=stamp.gen_time,  # type: ignore[arg-type]
                           signer=readable_name(info.signer_certificate.subject),
                           server_ca_sha256=_fp(server_ca), bid_checked=bid_checked, content=fields)


def load_server_ca(path: Path) -> x509.Certificate:
    """A server CA certificate the user names (``--server-ca``) to verify a receipt against."""
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except FileNotFoundError:
        raise BidclientError(f"{path} does not exist", code="io.input_missing") from None
    except ValueError as ex:
        raise ReceiptError(f"{path} is not a PEM certificate", code="receipt.server_ca_invalid") from ex


def verify_receipt_file(path: Path, *, server_ca: x509.Certificate | None = None, bid: Path | None = None,
                        tsa_roots: list[x509.Certificate] | None = None) -> VerifiedReceipt:
    """The verify-a-receipt flow: read the receipt file (hostile input) and verify it offline
    (``verify_receipt``), and ``bid`` against it when given."""
    return verify_receipt(load_receipt(path), server_ca=server_ca, bid=bid, tsa_roots=tsa_roots)


def file_sha256(path: Path) -> tuple[str, int]:
    """SHA-256 and size of a file, read in 1 MiB pieces."""
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
                size += len(block)
    except FileNotFoundError:
        raise BidclientError(f"{path} does not exist", code="io.input_missing") from None
    return digest.hexdigest(), size
