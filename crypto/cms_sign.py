"""Detached CMS SignedData (RFC 5652) with CAdES-BES attributes and optional RFC 3161 timestamps.

Why asn1crypto + cryptography rather than pyHanko's CMS machinery (both were options):
- pyHanko's ``Signer`` is asynchronous (``async_sign_raw``): every signature would need an event loop
  inside the token worker thread that owns the PKCS#11 session, while our Signer protocol is synchronous;
- pyHanko ships a timestamp client and a test-only dummy TSA, but the server needs a real (if minimal) TSA
  that answers hostile requests with rejection responses (crypto.timestamp), built from the same pieces;
- pyHanko's verifier is organised around trust validation; here we want integrity only, every failure
  mapped to one of our error codes, trust being decided separately (crypto.trust);
- pyHanko itself would be a new runtime dependency, whereas asn1crypto already comes with
  pyhanko-certvalidator and cryptography does the arithmetic.
A one-signer SignedData is small, so owning it gives full control over the exact bytes (DER, sorted SET OF,
RSASSA-PSS parameters, ESS attributes) that ``openssl cms -verify`` and ``openssl ts -verify`` check.
Interoperability is proven by tests that run the real ``openssl`` command in both directions.

Content is never held in memory: it is hashed in 1 MiB chunks, and only the digest is signed (through
the signed attributes), so signing or verifying a large bid file uses constant memory.

Building and parsing the SignedData itself lives in crypto._signed_data, shared with crypto.timestamp (a
timestamp token is a SignedData as well); this module adds the detached-signature API on top of both.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

from asn1crypto import cms
from cryptography import x509

from crypto._signed_data import (
    DIGEST_OF,
    HASHES,
    ParsedSignedData,
    build_signed_data,
    build_signer_info,
    load_signed_data,
    verify_signer_info,
)
from crypto.algorithms import SignatureAlgorithm
from crypto.errors import (
    CryptoError,
    MalformedError,
    MechanismUnsupported,
    UnsupportedAlgorithm,
)
from crypto.keys import Signer
from crypto.timestamp import Timestamper, TimestampInfo, describe_timestamp_token, verify_timestamp_token

__all__ = [
    "SignatureInfo",
    "describe_signature",
    "sign_detached",
    "sign_detached_digest",
    "verify_detached",
]

CHUNK_SIZE = 1 << 20


@dataclass(frozen=True)
class SignatureInfo:
    """What a signature says about itself. ``certificates`` holds every embedded certificate."""

    signer_certificate: x509.Certificate
    certificates: list[x509.Certificate]
    signing_time: datetime | None
    digest_algorithm: str
    signature_algorithm: str
    timestamp: TimestampInfo | None = None
    # False only from describe_signature, which checks neither content nor signature value.
    verified: bool = field(default=True)


# --- signing --------------------------------------------------------------------------------------


def sign_detached(content: BinaryIO | bytes, signer: Signer, *, algorithm: SignatureAlgorithm | None = None,
                  timestamper: Timestamper | None = None, signing_time: datetime | None = None) -> bytes:
    """Sign ``content`` (bytes or a binary stream read to its end) and return a DER ContentInfo.

    The default algorithm is the signer's preferred one. The signer certificate and its chain are embedded.
    With ``timestamper``, an RFC 3161 token over the signature value is added as an unsigned attribute.
    """
    algorithm = _choose_algorithm(signer, algorithm)
    digest_name = DIGEST_OF[algorithm]
    digest = digest_stream(content, digest_name)
    return _sign_digest(digest, digest_name, signer, algorithm, timestamper, signing_time)


def sign_detached_digest(digest: bytes, digest_algorithm: str, signer: Signer, *,
                         algorithm: SignatureAlgorithm | None = None, timestamper: Timestamper | None = None,
                         signing_time: datetime | None = None) -> bytes:
    """Like sign_detached when the caller already hashed the content with ``digest_algorithm``.

    ``digest_algorithm`` ("sha256" or "sha384") must be the hash of the signature algorithm.
    """
    algorithm = _choose_algorithm(signer, algorithm)
    expected = DIGEST_OF[algorithm]
    if digest_algorithm.lower().replace("-", "") != expected:
        raise ValueError(f"{algorithm.value} needs a {expected} digest, not {digest_algorithm}")
    if len(digest) != hashlib.new(expected).digest_size:
        raise ValueError(f"a {expected} digest is {hashlib.new(expected).digest_size} bytes, "
                         f"not {len(digest)}")
    return _sign_digest(digest, expected, signer, algorithm, timestamper, signing_time)


def digest_stream(content: BinaryIO | bytes, digest_name: str) -> bytes:
    """Hash bytes or a stream in CHUNK_SIZE pieces."""
    h = hashlib.new(digest_name)
    if isinstance(content, bytes | bytearray | memoryview):
        h.update(content)
        return h.digest()
    while True:
        chunk = content.read(CHUNK_SIZE)
        if not chunk:
            return h.digest()
        h.update(chunk)


def _choose_algorithm(signer: Signer, algorithm: SignatureAlgorithm | None) -> SignatureAlgorithm:
    supported = signer.supported_signature_algorithms()
    if algorithm is None:
        if not supported:
            raise MechanismUnsupported("the key offers no signature algorithm")
        return supported[0]
    if algorithm not in supported:
        raise MechanismUnsupported(f"this key cannot sign with {algorithm.value}")
    return algorithm


def _sign_digest(digest: bytes, digest_name: str, signer: Signer, algorithm: SignatureAlgorithm,
                 timestamper: Timestamper | None, signing_time: datetime | None) -> bytes:
    signer_info = build_signer_info(signer, algorithm, content_type="data", message_digest=digest,
                                    signing_time=signing_time or datetime.now(UTC))
    if timestamper is not None:
        signature_value = signer_info["signature"].native
        imprint = hashlib.new(digest_name, signature_value).digest()
        token = timestamper.timestamp(imprint, digest_name)
        # A TSA answer is hostile input: never embed a token that does not cover this signature.
        verify_timestamp_token(token, digest=imprint)
        signer_info["unsigned_attrs"] = cms.CMSAttributes([
            cms.CMSAttribute({"type": "signature_time_stamp_token",
                              "values": [cms.ContentInfo.load(token)]}),
        ])
    return build_signed_data(signer_info, signer, digest_name, content_type="data").dump()


def verify_detached(content: BinaryIO | bytes, signature: bytes) -> SignatureInfo:
    """Check that ``signature`` (DER or BER CMS) signs ``content``: integrity only, no trust decisions.

    Raises MalformedError if ``signature`` is not a one-signer detached SignedData, SignatureInvalid if the
    content, attributes, signature value or timestamp do not verify. Trust in the returned certificates is
    decided elsewhere (crypto.trust).
    """
    parsed = load_signed_data(signature)
    if parsed.encap_content is not None:
        raise MalformedError("the signature contains its content; a detached signature was expected")
    if parsed.digest_algorithm not in HASHES:
        raise UnsupportedAlgorithm("the signature uses an unsupported digest algorithm "
                               f"({parsed.digest_algorithm})")
    digest = digest_stream(content, parsed.digest_algorithm)
    cert = verify_signer_info(parsed, content_digest=digest)
    return _info(parsed, cert, timestamp=_timestamp_of(parsed, strict=True), verified=True)


def describe_signature(signature: bytes) -> SignatureInfo:
    """Report what a signature claims without its content (for ``bidclient inspect``).

    Nothing is verified except an embedded timestamp, whose ``verified`` flag says whether it holds;
    ``SignatureInfo.verified`` is False. Raises MalformedError for anything that is not a SignedData.
    """
    parsed = load_signed_data(signature)
    cert = parsed.signer_certificate
    if cert is None:
        raise MalformedError("the signature does not embed its signer certificate")
    return _info(parsed, cert, timestamp=_timestamp_of(parsed, strict=False), verified=False)


def _timestamp_of(parsed: ParsedSignedData, *, strict: bool) -> TimestampInfo | None:
    tokens = parsed.unsigned_attrs.get("signature_time_stamp_token")
    if not tokens:
        return None
    if len(tokens) != 1:
        raise MalformedError("the signature carries several timestamp tokens in one attribute")
    token = tokens[0].dump()
    try:
        return verify_timestamp_token(token, data=parsed.signature)
    except CryptoError:
        if strict:
            raise
    return describe_timestamp_token(token)


def _info(parsed: ParsedSignedData, cert: x509.Certificate, *, timestamp: TimestampInfo | None,
          verified: bool) -> SignatureInfo:
    signing_time = None
    if parsed.signed_attrs.get("signing_time"):
        signing_time = parsed.signed_attrs["signing_time"][0].native
    sig_algo = parsed.signature_algorithm["algorithm"].native
    if sig_algo == "rsassa_pkcs1v15":
        sig_algo = f"{parsed.digest_algorithm}_rsa"
    return SignatureInfo(signer_certificate=cert, certificates=list(parsed.certificates),
                         signing_time=signing_time, digest_algorithm=parsed.digest_algorithm,
                         signature_algorithm=sig_algo, timestamp=timestamp, verified=verified)


