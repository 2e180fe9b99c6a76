"""Fetch the server's signed trust list and install it as this client's trust list.

The list is signed by the server's receipt key; the signer must be certified by the server CA pinned on
first use (trust on first use: compare the printed fingerprint out of band). A server presenting another CA
later is refused until the user accepts that CA's fingerprint explicitly. A list older than the last one
installed (a lower serial) is refused too, so a replayed list cannot bring back a removed CA.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID
from pydantic import ValidationError

from bidclient.api_client import ApiClient
from bidclient.atomic import write_atomically
from bidclient.config import config_dir
from bidclient.errors import BidclientError
from bidclient.i18n import _
from bidclient.interaction import Prompter, Question, Severity
from bidclient.protocol.trustlist import SignedTrustListOut, TrustListDocument
from crypto import cms_sign
from crypto.errors import CryptoError

TRUST_LIST_PATH = "/api/v1/trust-list"
SYNCED_FILE = re.compile(r"^server-[0-9a-f]{64}\.(pem|crl)$")


class TrustSyncError(BidclientError):
    """trust.server_ca_changed, trust.list_signature_invalid, trust.list_malformed, trust.list_rollback."""

    code = "trust.list_signature_invalid"


class ServerCaChanged(TrustSyncError):
    """The server presents another CA than the one pinned on first use; nothing was changed."""

    code = "trust.server_ca_changed"

    def __init__(self, message: str, *, pinned_sha256: str, offered_sha256: str) -> None:
        super().__init__(message)
        self.pinned_sha256 = pinned_sha256
        self.offered_sha256 = offered_sha256


@dataclass(frozen=True)
class SyncResult:
    server: str
    trust_dir: Path
    serial: int
    certificates: int
    crls: int
    removed: int
    other_files: list[str]  # files in the trust folder not from this server (they are still trusted)
    server_ca_sha256: str
    first_use: bool


def ca_pin_path(server: str) -> Path:
    """Where the server CA is pinned: the same file bidclient.receipts pins on first use, so a receipt and
    a trust list from one server are checked against one CA."""
    name = hashlib.sha256(server.rstrip("/").encode("utf-8")).hexdigest()[:32]
    return config_dir() / "servers" / f"{name}.ca.pem"


def _state_path(server: str) -> Path:
    return ca_pin_path(server).with_name(ca_pin_path(server).name.replace(".ca.pem", ".trust.json"))


def configured_trust_dir() -> Path:
    """The first BIDCLIENT_TRUST path, else ~/.config/bidclient/trust (what bidclient.config reads)."""
    env = os.environ.get("BIDCLIENT_TRUST")
    if env:
        first = [p for p in env.split(os.pathsep) if p]
        if first:
            return Path(first[0])
    return config_dir() / "trust"


def _read_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def pinned_server_ca(server: str) -> x509.Certificate | None:
    """The server CA pinned for ``server`` on first use (by a trust sync or a receipt), if any."""
    try:
        return x509.load_pem_x509_certificate(ca_pin_path(server).read_bytes())
    except (OSError, ValueError):
        return None


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def verify_signed_trust_list(signed: SignedTrustListOut, *, server_ca: x509.Certificate) -> TrustListDocument:
    """Check the signature and that its signer is the server's receipt key certified by ``server_ca``;
    return the document. Raises TrustSyncError."""
    try:
        content = base64.b64decode(signed.content, validate=True)
        signature = base64.b64decode(signed.signature, validate=True)
    except (binascii.Error, ValueError):
        raise TrustSyncError("the trust list or its signature is not base64", code="trust.list_malformed") from None
    try:
        info = cms_sign.verify_detached(content, signature)
    except CryptoError as ex:
        raise TrustSyncError(f"the trust list's signature does not verify: {ex.message}") from ex
    signer = info.signer_certificate
    try:
        signer.verify_directly_issued_by(server_ca)
    except (ValueError, TypeError, InvalidSignature):
        raise TrustSyncError("the trust list is not signed by a key of the pinned server CA "
                             f"({fingerprint(server_ca)})") from None
    now = datetime.now(UTC)
    if not signer.not_valid_before_utc <= now <= signer.not_valid_after_utc:
        raise TrustSyncError("the trust list's signing certificate is not valid now")
    try:
        eku = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        eku = None
    if eku is None or ExtendedKeyUsageOID.CODE_SIGNING not in eku:
        raise TrustSyncError("the trust list is signed by a server key that is not its receipt key")
    try:
        return TrustListDocument.model_validate_json(content)
    except ValidationError as ex:
        raise TrustSyncError(f"the signed trust list is malformed: {ex.errors()[0].get('msg')}",
                             code="trust.list_malformed") from None


def _entry_files(document: TrustListDocument) -> dict[str, bytes]:
    """File name -> PEM for every entry, each checked to be what it claims."""
    files: dict[str, bytes] = {}
    for item in document.entries:
        try:
            der = base64.b64decode(item.der, validate=True)
        except (binascii.Error, ValueError):
            raise TrustSyncError(f"trust list entry {item.sha256} is not base64", code="trust.list_malformed") from None
        if hashlib.sha256(der).hexdigest() != item.sha256:
            raise TrustSyncError(f"trust list entry {item.sha256} does not match its hash", code="trust.list_malformed")
        try:
            if item.kind == "crl":
                pem = x509.load_der_x509_crl(der).public_bytes(serialization.Encoding.PEM)
                files[f"server-{item.sha256}.crl"] = pem
            else:
                pem = x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)
                files[f"server-{item.sha256}.pem"] = pem
        except ValueError:
            raise TrustSyncError(f"trust list entry {item.sha256} is not a readable {item.kind}",
                                 code="trust.list_malformed") from None
    return files


@dataclass(frozen=True)
class OfferedTrustList:
    """What a server offers before anything is installed: its CA (to confirm by fingerprint) and the
    certificate that signed the list (the server's receipt key, issued by that CA)."""

    server: str
    server_ca: x509.Certificate
    signer: x509.Certificate
    serial: int
    certificates: int

    @property
    def server_ca_sha256(self) -> str:
        return fingerprint(self.server_ca)

    @property
    def signer_sha256(self) -> str:
        return fingerprint(self.signer)


def grouped(hex_fingerprint: str) -> str:
    """A fingerprint as people compare it: 'AB12 CD34 …' in groups of four."""
    text = hex_fingerprint.upper()
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def _fetch_signed(client: ApiClient) -> tuple[SignedTrustListOut, x509.Certificate]:
    try:
        signed = SignedTrustListOut.model_validate(client.get_json(TRUST_LIST_PATH))
    except ValidationError:
        raise TrustSyncError("the server's trust list answer is malformed", code="trust.list_malformed") from None
    try:
        offered = x509.load_pem_x509_certificate(signed.server_ca.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise TrustSyncError("the server CA in the answer is not a PEM certificate",
                             code="trust.list_malformed") from None
    return signed, offered


def offered_trust_list(client: ApiClient) -> OfferedTrustList:
    """Fetch the server's signed trust list and check it is signed under the CA it presents, installing
    and pinning nothing: the app shows the fingerprints and asks the user to confirm first."""
    signed, offered = _fetch_signed(client)
    document = verify_signed_trust_list(signed, server_ca=offered)
    signer = cms_sign.verify_detached(base64.b64decode(signed.content), base64.b64decode(signed.signature))
    return OfferedTrustList(server=client.base_url, server_ca=offered, signer=signer.signer_certificate,
                            serial=document.serial,
                            certificates=sum(1 for e in document.entries if e.kind == "certificate"))


def synced_before(server: str) -> bool:
    """True if a trust list of ``server`` was installed on this computer (it is then kept in sync)."""
    return _state_path(server.rstrip("/")).is_file() and pinned_server_ca(server.rstrip("/")) is not None


def sync_trust_list(client: ApiClient, *, trust_dir: Path | None = None,
                    accept_ca_sha256: str | None = None, expect_ca_sha256: str | None = None) -> SyncResult:
    """Fetch, verify against the pinned server CA (pinning it on first use), and install the list.

    ``accept_ca_sha256``: the fingerprint of a new server CA the user confirmed out of band; only that CA
    replaces a different pinned one. ``expect_ca_sha256``: the fingerprint the user was shown and
    confirmed (the app's first sign-in); a server presenting any other CA now is refused
    (trust.fingerprint_mismatch) and nothing is installed or pinned.
    """
    server = client.base_url
    target = trust_dir or configured_trust_dir()
    signed, offered = _fetch_signed(client)
    if expect_ca_sha256 is not None and expect_ca_sha256.lower() != fingerprint(offered):
        raise TrustSyncError(f"the server {server} now presents the CA {fingerprint(offered)}, not the "
                             f"{expect_ca_sha256.lower()} you confirmed; nothing was changed",
                             code="trust.fingerprint_mismatch")
    state = _read_state(_state_path(server))
    pinned = pinned_server_ca(server)
    first_use = pinned is None
    if pinned is not None and fingerprint(pinned) != fingerprint(offered):
        if accept_ca_sha256 is None or accept_ca_sha256.lower() != fingerprint(offered):
            raise ServerCaChanged(
                f"the server {server} now presents another CA ({fingerprint(offered)}) than the one pinned on "
                f"first use ({fingerprint(pinned)}); nothing was changed. If the server's keys were really "
                "replaced, confirm the new fingerprint with its operator and pass --accept-ca FINGERPRINT",
                pinned_sha256=fingerprint(pinned), offered_sha256=fingerprint(offered))
        state = {}  # a new CA starts a new history of serials
    document = verify_signed_trust_list(signed, server_ca=offered)
    last_serial = state.get("serial")
    if isinstance(last_serial, int) and document.serial < last_serial:
        raise TrustSyncError(f"the server sent an older trust list (serial {document.serial}) than the one "
                             f"installed (serial {last_serial}); nothing was changed", code="trust.list_rollback")
    files = _entry_files(document)
    target.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        write_atomically(target / name, data, overwrite=True)
    removed = 0
    others: list[str] = []
    for existing in sorted(target.iterdir()):
        if SYNCED_FILE.match(existing.name):
            if existing.name not in files:
                existing.unlink()
                removed += 1
        elif existing.is_file() and not existing.name.startswith("."):
            others.append(existing.name)
    if pinned is None or fingerprint(pinned) != fingerprint(offered):
        ca_pin_path(server).parent.mkdir(parents=True, exist_ok=True)
        write_atomically(ca_pin_path(server), offered.public_bytes(serialization.Encoding.PEM), overwrite=True)
    write_atomically(_state_path(server), json.dumps(
        {"server": server, "serial": document.serial, "trust_dir": str(target),
         "synced_at": datetime.now(UTC).isoformat()}, indent=2).encode("utf-8"), overwrite=True)
    return SyncResult(server=server, trust_dir=target, serial=document.serial,
                      certificates=sum(1 for e in document.entries if e.kind == "certificate"),
                      crls=sum(1 for e in document.entries if e.kind == "crl"), removed=removed,
                      other_files=others, server_ca_sha256=fingerprint(offered), first_use=first_use)


def sync_trust(client: ApiClient, prompter: Prompter, *, trust_dir: Path | None = None,
               accept_ca_sha256: str | None = None) -> SyncResult:
    """The trust-sync flow: ``sync_trust_list``, and when the server presents another CA than the pinned
    one (and none was accepted beforehand), the person is shown both fingerprints and asked whether the
    operator confirmed the new one. Yes installs the list under exactly the CA that was shown (a third
    CA presented meanwhile is refused); no, or a prompter that cannot ask, leaves everything unchanged
    (ServerCaChanged)."""
    try:
        return sync_trust_list(client, trust_dir=trust_dir, accept_ca_sha256=accept_ca_sha256)
    except ServerCaChanged as changed:
        if accept_ca_sha256 is not None:
            raise
        question = Question(
            title=_("The server's CA has changed"),
            text=_("{server} now presents another CA than the one pinned on first use.\n"
                   "  pinned:  {pinned}\n  now:     {offered}\n"
                   "Accept the new CA only if the platform's operator confirmed this fingerprint to you "
                   "(by phone or on their website): otherwise someone may be in the middle.").format(
                server=client.base_url, pinned=grouped(changed.pinned_sha256),
                offered=grouped(changed.offered_sha256)),
            yes_label=_("accept"), severity=Severity.DANGER)
        if not prompter.confirm(question):
            raise
        return sync_trust_list(client, trust_dir=trust_dir, accept_ca_sha256=changed.offered_sha256,
                               expect_ca_sha256=changed.offered_sha256)
