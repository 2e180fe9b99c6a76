"""Tender packages on the client: prepare and sign a definition (agency), publish and clarify, and fetch a
published tender into a verified local folder (bidder). docs/formats/tender.md describes the format.

A fetched folder:

    FOLDER/tender.json        the exact signed definition bytes (canonical JSON)
    FOLDER/tender.json.p7s    the agency's detached CMS signature (DER)
    FOLDER/documents/NAME     each tender PDF, named as the definition lists it

Everything from the server is hostile input: the signature, the signer's trust, the definition's rules
and every document's size and SHA-256 are checked before anything is written, and the folder appears
only when all passed (``openssl cms -verify -binary -content tender.json -inform DER -in tender.json.p7s
-CAfile ROOTS`` checks the same signature by hand).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from pydantic import ValidationError

from bidclient.api_client import ApiClient, body_chunks
from bidclient.atomic import refuse_existing
from bidclient.errors import BidclientError
from bidclient.protocol.tender import (
    FORMAT,
    FORMAT_V2,
    FORMAT_V3,
    MAX_DEFINITION_SIZE,
    MAX_DOCUMENT_SIZE,
    MAX_SIGNATURE_SIZE,
    TENDER_ID_PATTERN,
    V3_OBJECTS,
    DefinitionError,
    Document,
    TenderDefinition,
    TenderListOut,
    TenderOut,
    TenderVersionOut,
    definition_error,
    package_sha256,
    parse_definition,
)
from bidclient.signing import VerifiedSignature, verify_content
from crypto import cms_sign, trust
from crypto.errors import CryptoError, TrustError

DEFINITION_FILE = "tender.json"
SIGNATURE_FILE = "tender.json.p7s"
DOCUMENTS_DIR = "documents"
PDF_MAGIC = b"%PDF-"
_CHUNK = 1 << 20

# Codes a user can meet here (headlines in bidclient/errors.py, listed in docs/cli.md).
TAMPERED = "tender.package_tampered"  # signature, definition or a document does not match
UNTRUSTED = "tender.package_untrusted"  # the signer or an opening certificate is not trusted
INVALID = "tender.invalid"  # the definition breaks the format's rules, or the folder is incomplete


@dataclass(frozen=True)
class TenderPackage:
    """A verified tender package (in memory, or a folder on disk)."""

    definition: TenderDefinition
    definition_bytes: bytes
    signature: bytes
    package_sha256: str
    signer: VerifiedSignature | None  # None when verified for integrity only (no trust list given)
    opening_certificates: list[x509.Certificate]
    directory: Path | None = None

    @property
    def document_paths(self) -> list[Path]:
        if self.directory is None:
            return []
        return [self.directory / DOCUMENTS_DIR / d.name for d in self.definition.documents]


# --- agency side: prepare, sign, publish ----------------------------------------------------------


def document_entry(path: Path) -> Document:
    """Name, size and SHA-256 of a tender PDF (refused unless it starts with %PDF-)."""
    if not path.is_file():
        raise BidclientError(f"document {path} does not exist", code="io.input_missing")
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        if f.read(len(PDF_MAGIC)) != PDF_MAGIC:
            raise BidclientError(f"{path} is not a PDF (tender documents must be PDF files)", code=INVALID)
        f.seek(0)
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
    try:
        return Document(name=path.name, size=size, sha256=digest.hexdigest())
    except ValidationError as ex:  # the file name breaks the naming rule
        raise BidclientError(f"{path.name}: {ex}", code=INVALID) from None


def load_draft(path: Path) -> dict[str, Any]:
    """The agency's draft definition (JSON). ``format``, ``version``, ``documents``,
    ``previous_package_sha256`` and ``changes`` may be left out: prepare_definition fills them."""
    if not path.is_file():
        raise BidclientError(f"definition file {path} does not exist", code="io.input_missing")
    raw = path.read_bytes()[: MAX_DEFINITION_SIZE + 1]
    if len(raw) > MAX_DEFINITION_SIZE:
        raise BidclientError(f"{path} is larger than {MAX_DEFINITION_SIZE} bytes", code=INVALID)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BidclientError(f"{path} is not UTF-8 JSON", code=INVALID) from None
    if not isinstance(data, dict):
        raise BidclientError(f"{path}: the top level must be a JSON object", code=INVALID)
    return data


def prepare_definition(draft: dict[str, Any], documents: Sequence[Document], *, version: int = 1,
                       previous_package_sha256: str | None = None,
                       changes: Sequence[str] | None = None) -> TenderDefinition:
    """A checked definition from a draft plus the documents' entries (and, for a clarification, the
    previous package's hash and the list of changes)."""
    data = dict(draft)
    data["format"] = FORMAT_V3 if _uses_v3(data) else FORMAT_V2 if _uses_v2(data) else FORMAT
    data["version"] = version
    data["documents"] = [d.model_dump() for d in documents]
    data["previous_package_sha256"] = previous_package_sha256
    if changes is not None:
        data["changes"] = list(changes)
    data.setdefault("changes", [])
    try:
        return TenderDefinition.model_validate_json(json.dumps(data, ensure_ascii=False))
    except ValidationError as ex:
        error = definition_error(ex)
        raise BidclientError(error.message, code=error.code) from None


def _uses_v3(draft: dict[str, Any]) -> bool:
    """Whether the draft has one of format version 3's optional objects."""
    return any(draft.get(key) is not None for key in V3_OBJECTS)


def _uses_v2(draft: dict[str, Any]) -> bool:
    """Whether the draft uses a field only format version 2 has (a field's ``announces``)."""
    forms = draft.get("forms")
    if not isinstance(forms, list):
        return False
    fields = [field for form in forms if isinstance(form, dict) and isinstance(form.get("fields"), list)
              for field in form["fields"]]
    return any(isinstance(field, dict) and field.get("announces") is not None for field in fields)


def sign_definition(definition: TenderDefinition, sign: Callable[[bytes], bytes]) -> tuple[bytes, bytes]:
    """The canonical bytes and their detached signature (``sign`` = the agency's signing key)."""
    content = definition.to_bytes()
    return content, sign(content)


def upload_documents(client: ApiClient, paths: Sequence[Path], entries: Sequence[Document]) -> None:
    for path, entry in zip(paths, entries, strict=True):
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            raise BidclientError(f"{path} changed while it was being published", code=INVALID)
        client.request("POST", "/api/v1/tenders/documents", data=data,
                       headers={"Content-Type": "application/pdf", "X-Content-SHA256": entry.sha256})


def _publish_body(content: bytes, signature: bytes) -> dict[str, str]:
    return {"definition": base64.b64encode(content).decode("ascii"),
            "signature": base64.b64encode(signature).decode("ascii")}


def publish(client: ApiClient, content: bytes, signature: bytes) -> TenderVersionOut:
    """Publish version 1 (documents uploaded first)."""
    return TenderVersionOut.model_validate(client.post_json("/api/v1/tenders", _publish_body(content, signature)))


def clarify(client: ApiClient, tender_id: str, content: bytes, signature: bytes) -> TenderVersionOut:
    return TenderVersionOut.model_validate(
        client.post_json(f"/api/v1/tenders/{tender_id}/versions", _publish_body(content, signature)))


def list_tenders(client: ApiClient, *, limit: int = 100, offset: int = 0) -> TenderListOut:
    return TenderListOut.model_validate(client.get_json(f"/api/v1/tenders?limit={limit}&offset={offset}"))


def get_tender(client: ApiClient, tender_id: str) -> TenderOut:
    return TenderOut.model_validate(client.get_json(f"/api/v1/tenders/{_path_id(tender_id)}"))


def _path_id(tender_id: str) -> str:
    if not re.match(TENDER_ID_PATTERN, tender_id):
        raise BidclientError(f"{tender_id!r} is not a tender id (letters, digits, '.', '_', '-')",
                             code="usage.invalid", exit_status=2)
    return tender_id


# --- verification ---------------------------------------------------------------------------------


def verify_package(definition_bytes: bytes, signature: bytes, *, trust_list: trust.TrustList | None,
                   revocation: trust.RevocationMode = trust.RevocationMode.SOFT_FAIL) -> TenderPackage:
    """Check a definition and its signature. With a trust list: the signer must chain to it, be the
    agency the definition names, and every opening certificate must be trusted for encryption. Without
    one: integrity only (the signer is not checked)."""
    try:
        definition = parse_definition(definition_bytes)
    except DefinitionError as ex:
        raise BidclientError(f"the tender definition is not acceptable: {ex.message}", code=INVALID) from None
    verified: VerifiedSignature | None = None
    try:
        if trust_list is None:
            cms_sign.verify_detached(definition_bytes, signature)
        else:
            verified = verify_content(definition_bytes, signature, trust_list, revocation=revocation)
    except TrustError as ex:
        raise BidclientError(f"the tender is not signed by a trusted agency: {ex}", code=UNTRUSTED) from ex
    except CryptoError as ex:
        raise BidclientError(f"the tender definition does not match its signature: {ex}", code=TAMPERED) from ex
    if verified is not None and verified.identity.uscc != definition.agency.uscc:
        raise BidclientError(f"the tender names agency {definition.agency.name} ({definition.agency.uscc}) but "
                             f"was signed by {verified.identity.display_name()}", code=UNTRUSTED)
    certs: list[x509.Certificate] = []
    for index, pem in enumerate(definition.opening_certificates):
        try:
            cert = x509.load_pem_x509_certificate(pem.encode("ascii"))
        except ValueError:
            raise BidclientError(f"opening certificate {index + 1} is not a certificate", code=INVALID) from None
        if trust_list is not None:
            try:
                trust.validate(cert, trust_list, usage="encryption", revocation=revocation)
            except TrustError as ex:
                raise BidclientError(f"opening certificate {index + 1} is not trusted for sealing bids: {ex}",
                                     code=UNTRUSTED) from ex
        certs.append(cert)
    if definition.committee is not None:  # format 3: bids are also sealed to the committee's key
        from bidclient.committee import verify_tender_committee

        certs.append(verify_tender_committee(definition.committee, trust_list=trust_list, revocation=revocation,
                                             opening_time=definition.opening_time))
    return TenderPackage(definition=definition, definition_bytes=definition_bytes, signature=signature,
                         package_sha256=package_sha256(definition_bytes), signer=verified,
                         opening_certificates=certs)


def _check_document(path: Path, entry: Document) -> None:
    if not path.is_file() or path.is_symlink():
        raise BidclientError(f"document {entry.name} is missing from the tender folder", code=INVALID)
    size = path.stat().st_size
    if size != entry.size:
        raise BidclientError(f"document {entry.name} has {size} bytes, the signed definition says {entry.size}",
                             code=TAMPERED)
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    if digest.hexdigest() != entry.sha256:
        raise BidclientError(f"document {entry.name} does not match the SHA-256 in the signed definition",
                             code=TAMPERED)


def _read_small(path: Path, limit: int, what: str) -> bytes:
    if not path.is_file() or path.is_symlink():
        raise BidclientError(f"{path} is missing: this is not a fetched tender folder", code=INVALID)
    with open(path, "rb") as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise BidclientError(f"{what} {path} is too large", code=INVALID)
    return data


def verify_folder(folder: Path, *, trust_list: trust.TrustList | None,
                  revocation: trust.RevocationMode = trust.RevocationMode.SOFT_FAIL) -> TenderPackage:
    """Verify a fetched tender folder: the signature (and trust, given a trust list) and every document."""
    if not folder.is_dir():
        raise BidclientError(f"tender folder {folder} does not exist", code="io.input_missing")
    content = _read_small(folder / DEFINITION_FILE, MAX_DEFINITION_SIZE, "definition")
    signature = _read_small(folder / SIGNATURE_FILE, MAX_SIGNATURE_SIZE, "signature")
    package = verify_package(content, signature, trust_list=trust_list, revocation=revocation)
    for entry in package.definition.documents:
        _check_document(folder / DOCUMENTS_DIR / entry.name, entry)
    return dataclasses.replace(package, directory=folder)


# --- bidder side: fetch ---------------------------------------------------------------------------


def fetch(client: ApiClient, tender_id: str, output: Path, *, version: int | None = None,
          trust_list: trust.TrustList, revocation: trust.RevocationMode = trust.RevocationMode.SOFT_FAIL,
          progress: Callable[[str], None] | None = None) -> TenderPackage:
    """Download one version (default: the current one), verify everything, then write the folder.
    On any failure nothing is left at ``output``."""
    refuse_existing(output)
    tender_id = _path_id(tender_id)
    if version is None:
        version = get_tender(client, tender_id).current_version
    out = TenderVersionOut.model_validate(client.get_json(f"/api/v1/tenders/{tender_id}/versions/{int(version)}"))
    try:
        content = base64.b64decode(out.definition, validate=True)
        signature = base64.b64decode(out.signature, validate=True)
    except ValueError:
        raise BidclientError("the server's answer does not hold a base64 definition and signature",
                             code=TAMPERED) from None
    package = verify_package(content, signature, trust_list=trust_list, revocation=revocation)
    definition = package.definition
    if (definition.tender_id, definition.version) != (tender_id, version):
        raise BidclientError(f"asked for tender {tender_id} version {version}, the server sent the signed "
                             f"definition of {definition.tender_id} version {definition.version}", code=TAMPERED)
    if out.package_sha256 != package.package_sha256:
        raise BidclientError("the server's package_sha256 is not the SHA-256 of the definition it sent",
                             code=TAMPERED)
    output.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=".bidclient-tender-", dir=output.parent))
    try:
        (temp / DEFINITION_FILE).write_bytes(content)
        (temp / SIGNATURE_FILE).write_bytes(signature)
        (temp / DOCUMENTS_DIR).mkdir()
        for entry in definition.documents:
            if progress:
                progress(entry.name)
            _download(client, f"/api/v1/tenders/{tender_id}/versions/{version}/documents/{entry.sha256}",
                      temp / DOCUMENTS_DIR / entry.name, entry)
        refuse_existing(output)
        temp.rename(output)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return dataclasses.replace(package, directory=output)


def _download(client: ApiClient, path: str, target: Path, entry: Document) -> None:
    """Stream one document to ``target``, never more than its signed size, and compare its hash."""
    response = client.request("GET", path, stream=True)
    digest = hashlib.sha256()
    size = 0
    with response, open(target, "wb") as f:
        for chunk in body_chunks(response, _CHUNK):
            size += len(chunk)
            if size > min(entry.size, MAX_DOCUMENT_SIZE):
                raise BidclientError(f"document {entry.name} is larger than the {entry.size} bytes of the signed "
                                     "definition", code=TAMPERED)
            digest.update(chunk)
            f.write(chunk)
    if size != entry.size or digest.hexdigest() != entry.sha256:
        raise BidclientError(f"document {entry.name} as downloaded does not match the size and SHA-256 in the "
                             "signed definition", code=TAMPERED)
