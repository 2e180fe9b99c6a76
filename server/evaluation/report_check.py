"""The server's check of an uploaded report revision (docs/evaluation.md, "Signing: every member").

Each member uploads the report as it stands after their own incremental PAdES signature. Before the server
keeps it, the whole file is validated with pyHanko's validator (forms.pdf_sign) against the administrators'
trust list: every signature intact, valid and by a trusted certificate usable for signing; exactly one new
signature, covering the whole file; the earlier revisions byte for byte the ones kept before (the file
begins with them and their signatures still verify); the report's manifest (``evaluation.json``) is this
session's, names the committee's active members with the certificates they checked in with, and is the one
the first signature covered; and the new signature is the caller's — in their own ``member-N`` field, by
the certificate they checked in with, naming their identity — stating the stance the request gives.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from bidclient.protocol.evaluation_report import (
    Member,
    first_signed_manifest,
    member_index,
    parse_statement,
    read_manifest,
    signature_reasons,
)
from bidclient.protocol.evaluation_rules import EvaluationError
from crypto import identity
from forms.errors import FormsError


@dataclass(frozen=True)
class Refusal(Exception):
    """Why a revision is refused: ``code`` (evaluation.report_signature_invalid for a bad signature or file,
    evaluation.report_signer_mismatch for a signature that is not the caller's own) and what was found."""

    code: str
    detail: str


@dataclass(frozen=True)
class Expected:
    session_id: str
    identity_key: str  # the caller
    members: dict[str, str]  # every active member's identity key -> the certificate SHA-256 checked in with
    previous_signatures: int  # signatures the stored revision carries
    stance: str
    reason: str


def check_revision(pdf: bytes, expected: Expected, roots: Sequence[x509.Certificate],
                   intermediates: Sequence[x509.Certificate]) -> str:
    """Check an uploaded revision; returns the stance its new signature states. Raises Refusal."""
    from forms.pdf_sign import verify_pdf

    try:
        manifest = read_manifest(pdf)
        signed_manifest = first_signed_manifest(pdf)
        reasons = signature_reasons(pdf)
        with tempfile.TemporaryDirectory(prefix="evaluation-report-") as scratch:
            path = Path(scratch) / "report.pdf"
            path.write_bytes(pdf)
            checked = verify_pdf(path, roots, intermediates=intermediates)
    except (EvaluationError, FormsError) as ex:
        raise Refusal("evaluation.report_signature_invalid", f"the file is not a signed evaluation report: "
                      f"{ex}") from None
    except Exception as ex:  # hostile bytes: whatever the PDF reader trips on, the file is refused
        raise Refusal("evaluation.report_signature_invalid", f"the file cannot be read as a signed PDF "
                      f"({type(ex).__name__})") from None
    reports = checked.signatures
    bad = [f"{r.field_name}: {r.problem or 'not valid'}" for r in reports if not r.ok]
    if bad:
        raise Refusal("evaluation.report_signature_invalid", "; ".join(bad))
    if len(reports) != expected.previous_signatures + 1:
        raise Refusal("evaluation.report_signature_invalid", f"the file carries {len(reports)} signature(s); the "
                      f"report had {expected.previous_signatures}: add exactly one, yours")
    if not reports[-1].covers_whole_file:
        raise Refusal("evaluation.report_signature_invalid", "content was added after the last signature")
    if signed_manifest.raw != manifest.raw:
        raise Refusal("evaluation.report_signature_invalid", "the manifest was changed after the first signature")
    listed = {m.expert_id: m.certificate_sha256 for m in manifest.members}
    if manifest.report_id != expected.session_id or listed != expected.members:
        raise Refusal("evaluation.report_signature_invalid", "the report's committee list is not this session's "
                      "(its active members with the certificates they checked in with)")
    new = reports[-1]
    index = member_index(new.field_name)
    certificate = new.signer_certificate
    own = next((i for i, m in enumerate(manifest.members) if m.expert_id == expected.identity_key), None)
    if index is None or index != own or certificate is None \
            or Member.fingerprint(certificate) != expected.members.get(expected.identity_key) \
            or identity.identity_of(certificate).key != expected.identity_key:
        raise Refusal("evaluation.report_signer_mismatch", f"the new signature ({new.field_name}, "
                      f"{new.signer_name}) is not yours in your own box, made with the dongle you checked in with")
    statement = parse_statement(reasons.get(new.field_name))
    if statement is None:
        raise Refusal("evaluation.report_signature_invalid", "the new signature does not state agree, dissent or "
                      "refuse")
    stance, text = statement
    if stance != expected.stance or (stance != "agree" and text != expected.reason.strip()):
        raise Refusal("evaluation.report_signature_invalid", f"the signature states {stance!r}, the upload says "
                      f"{expected.stance!r}: they must agree")
    return stance
