"""One exception family for everything in crypto/.

Each error carries a stable ``code`` (dotted, lowercase) that the application layer maps once to a
translated message and an exit status. The message given here is English, for logs and developers;
it never contains a PIN or key material.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base of every error raised by crypto/."""

    code = "crypto.error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.code


# --- tokens and keys (CLI exit status 3) ---------------------------------------------------------


class TokenError(CryptoError):
    """A key or token is unavailable: no module, no token, wrong PIN, locked, no such key."""

    code = "token.error"


class ModuleLoadError(TokenError):
    code = "token.module_load_failed"


class TokenNotPresent(TokenError):
    code = "token.not_present"


class KeyNotFound(TokenError):
    code = "token.key_not_found"


class AmbiguousKey(TokenError):
    code = "token.key_ambiguous"


class PinIncorrect(TokenError):
    code = "token.pin_incorrect"


class PinLocked(TokenError):
    code = "token.pin_locked"


class PinCancelled(TokenError):
    code = "token.pin_cancelled"


class MechanismUnsupported(TokenError):
    code = "token.mechanism_unsupported"


class InvalidKeyUri(TokenError):
    """A pkcs11: URI is malformed (RFC 7512)."""

    code = "token.invalid_uri"


class KeyFileError(TokenError):
    """A PKCS#12 file could not be read or its password is wrong."""

    code = "token.key_file"


# --- trust (CLI exit status 1) -------------------------------------------------------------------


class TrustError(CryptoError):
    """A certificate is not acceptable. ``reason`` is one of the REASON_* constants below."""

    code = "trust.error"

    REASON_EXPIRED = "expired"
    REASON_NOT_YET_VALID = "not_yet_valid"
    REASON_REVOKED = "revoked"
    REASON_UNTRUSTED_ROOT = "untrusted_root"
    REASON_WRONG_KEY_USAGE = "wrong_key_usage"
    REASON_REVOCATION_UNKNOWN = "revocation_unknown"
    REASON_INVALID = "invalid"

    def __init__(self, message: str, *, reason: str = "invalid", subject: str = "") -> None:
        super().__init__(message, code=f"trust.{reason}")
        self.reason = reason
        self.subject = subject


class TrustListError(CryptoError):
    """A trust list file cannot be read, or is neither a certificate nor a CRL."""

    code = "trust.list_invalid"


# --- CMS and files (CLI exit status 1) ----------------------------------------------------------


class MalformedError(CryptoError):
    """Input is not what it claims to be (bad DER, wrong content type, truncated)."""

    code = "cms.malformed"


class NotARecipient(CryptoError):
    """None of the envelope's recipients matches the key offered."""

    code = "cms.not_a_recipient"


class DecryptionFailed(CryptoError):
    """Decryption or authentication failed. Deliberately unspecific (no padding/tag oracle)."""

    code = "cms.decryption_failed"


class SignatureInvalid(CryptoError):
    """The signature does not match the content, or the signer certificate does not match."""

    code = "cms.signature_invalid"


class UnsupportedAlgorithm(CryptoError):
    """A well-formed envelope or certificate uses an algorithm bidclient does not implement."""

    code = "cms.unsupported_algorithm"


class OperationCancelled(CryptoError):
    """The caller's cancel callback stopped a long operation; nothing was left behind."""

    code = "crypto.cancelled"


class TimestampError(CryptoError):
    """An RFC 3161 timestamp could not be obtained: TSA unreachable, refusal, or an invalid answer.

    ``code`` is one of timestamp.unreachable, timestamp.http_status, timestamp.rejected,
    timestamp.bad_response, timestamp.bad_signature, timestamp.imprint_mismatch, timestamp.nonce_mismatch.
    """

    code = "timestamp.error"


# --- the committee opening key (CLI exit status 1) -----------------------------------------------


class CommitteeError(CryptoError):
    """The committee key ceremony or a threshold opening cannot go on (crypto.threshold)."""

    code = "committee.error"


class CommitteeParametersInvalid(CommitteeError):
    """k and n are out of range (1 ≤ k ≤ n ≤ 10) or a ceremony id / context string is unusable."""

    code = "committee.invalid_parameters"


class CommitteeMessageMalformed(CommitteeError):
    """A committee message (commitments, share, acknowledgment, partial) is not in its documented form."""

    code = "committee.malformed"


class CommitteeMemberError(CommitteeError):
    """A committee member's contribution is wrong; ``member`` names it (1-based index), ``members`` all found."""

    def __init__(self, message: str, *, member: int, members: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.member = member
        self.members = members or (member,)


class BadCommitments(CommitteeMemberError):
    """A member's Feldman commitments or their proofs of knowledge do not verify."""

    code = "committee.bad_commitments"


class BadShare(CommitteeMemberError):
    """A share does not match its sender's commitments (the sender is named)."""

    code = "committee.bad_share"


class BadPartial(CommitteeMemberError):
    """A partial decryption's Chaum-Pedersen proof does not verify (the member is named)."""

    code = "committee.bad_partial"


class NotEnoughPartials(CommitteeError):
    """Fewer than k distinct valid partial decryptions (or shares) were given."""

    code = "committee.not_enough_partials"


class CommitteeKeyMismatch(CommitteeError):
    """Recombined shares do not give the committee's public key."""

    code = "committee.key_mismatch"
