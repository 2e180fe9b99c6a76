"""Token quirks as data, and the plans built from them.

A ``TokenProfile`` records what a module or token gets wrong or lacks beyond what its mechanism list
says (a mechanism can be listed yet refuse some parameters, e.g. SoftHSM 2.6's OAEP accepts SHA-1 only).
``plan_signature`` / ``plan_key_transport`` combine the profile with the token's actual mechanism list
(C_GetMechanismList), so an unknown token works with whatever it advertises, and a known one avoids
what it advertises but cannot do. No other module special-cases a vendor.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from pkcs11 import MGF, Mechanism

from crypto.algorithms import KeyTransport, SignatureAlgorithm


@dataclass(frozen=True)
class TokenProfile:
    name: str
    # How to recognise it (all given criteria must match; glob patterns, case-insensitive).
    module: str | None = None  # module file name, e.g. "libsofthsm2.so*"
    manufacturer: str | None = None
    model: str | None = None
    # Mechanisms the token lists but that must not be used.
    avoid: frozenset[int] = frozenset()
    # Hashes (CKM_SHA_1, CKM_SHA256 …) the token accepts in CKM_RSA_PKCS_OAEP; None = try any.
    oaep_hashes: frozenset[int] | None = None
    # CKM_ECDH1_DERIVE peer public value: "raw" uncompressed point (04‖X‖Y) or "der" OCTET STRING.
    ecdh_public_point: str = "raw"
    note: str = ""

    def matches(self, module_file: str, manufacturer: str, model: str) -> bool:
        checks = ((self.module, module_file), (self.manufacturer, manufacturer),
                  (self.model, model))
        if all(pattern is None for pattern, _ in checks):
            return False
        return all(pattern is None or fnmatch.fnmatch(value.lower(), pattern.lower())
                   for pattern, value in checks)


GENERIC = TokenProfile(name="generic", note="trust the mechanism list")

PROFILES: tuple[TokenProfile, ...] = (
    TokenProfile(
        name="softhsm2",
        manufacturer="SoftHSM*",
        oaep_hashes=frozenset({Mechanism.SHA_1}),
        note="SoftHSM 2.6: no CKM_ECDSA_SHA256/384 (hash in software, sign with CKM_ECDSA); "
             "OAEP with SHA-1 only; ECDH1_DERIVE with CKD_NULL yields the raw secret",
    ),
)


def profile_for(module_file: str, manufacturer: str, model: str) -> TokenProfile:
    for profile in PROFILES:
        if profile.matches(module_file, manufacturer, model):
            return profile
    return GENERIC


# --- plans ---------------------------------------------------------------------------------------

HASHES = {"sha256": Mechanism.SHA256, "sha384": Mechanism.SHA384}

# DigestInfo prefixes (RFC 8017 §9.2 note 1) for signing a software hash with bare CKM_RSA_PKCS.
DIGEST_INFO_PREFIX = {
    "sha256": bytes.fromhex("3031300d060960864801650304020105000420"),
    "sha384": bytes.fromhex("3041300d060960864801650304020205000430"),
}


@dataclass(frozen=True)
class SignPlan:
    mechanism: int
    param: tuple[int, int, int] | None = None  # PSS (hashAlg, mgf, sLen)
    prehash: str | None = None  # hash in software first ("sha256"); None: the token hashes
    digest_info: bool = False  # wrap the software hash in a DigestInfo (bare CKM_RSA_PKCS)
    der_encode_ecdsa: bool = False  # token returns r‖s, CMS wants ECDSA-Sig-Value


_PSS_SHA256 = (Mechanism.SHA256, MGF.SHA256, 32)

# Preference order: the token's combined mechanism first, software hashing as the fallback.
_SIGN_CANDIDATES: dict[SignatureAlgorithm, tuple[SignPlan, ...]] = {
    SignatureAlgorithm.RSA_PKCS1V15_SHA256: (
        SignPlan(Mechanism.SHA256_RSA_PKCS),
        SignPlan(Mechanism.RSA_PKCS, prehash="sha256", digest_info=True),
    ),
    SignatureAlgorithm.RSA_PSS_SHA256: (
        SignPlan(Mechanism.SHA256_RSA_PKCS_PSS, param=_PSS_SHA256),
        SignPlan(Mechanism.RSA_PKCS_PSS, param=_PSS_SHA256, prehash="sha256"),
    ),
    SignatureAlgorithm.ECDSA_SHA256: (
        SignPlan(Mechanism.ECDSA_SHA256, der_encode_ecdsa=True),
        SignPlan(Mechanism.ECDSA, prehash="sha256", der_encode_ecdsa=True),
    ),
    SignatureAlgorithm.ECDSA_SHA384: (
        SignPlan(Mechanism.ECDSA_SHA384, der_encode_ecdsa=True),
        SignPlan(Mechanism.ECDSA, prehash="sha384", der_encode_ecdsa=True),
    ),
}


def plan_signature(algorithm: SignatureAlgorithm, mechanisms: frozenset[int],
                   profile: TokenProfile) -> SignPlan | None:
    for plan in _SIGN_CANDIDATES[algorithm]:
        if plan.mechanism in mechanisms and plan.mechanism not in profile.avoid:
            return plan
    return None


@dataclass(frozen=True)
class DecryptPlan:
    mechanism: int
    param: tuple[int, int, None] | None = None  # OAEP (hashAlg, mgf, source data)


_OAEP = {
    KeyTransport.RSA_OAEP_SHA1: (Mechanism.SHA_1, MGF.SHA1),
    KeyTransport.RSA_OAEP_SHA256: (Mechanism.SHA256, MGF.SHA256),
}


def plan_key_transport(kind: KeyTransport, mechanisms: frozenset[int],
                       profile: TokenProfile) -> DecryptPlan | None:
    if kind is KeyTransport.RSA_PKCS1V15:
        ok = Mechanism.RSA_PKCS in mechanisms and Mechanism.RSA_PKCS not in profile.avoid
        return DecryptPlan(Mechanism.RSA_PKCS) if ok else None
    if Mechanism.RSA_PKCS_OAEP not in mechanisms or Mechanism.RSA_PKCS_OAEP in profile.avoid:
        return None
    hash_mech, mgf = _OAEP[kind]
    if profile.oaep_hashes is not None and hash_mech not in profile.oaep_hashes:
        return None
    return DecryptPlan(Mechanism.RSA_PKCS_OAEP, (hash_mech, mgf, None))


def can_ecdh(mechanisms: frozenset[int], profile: TokenProfile) -> bool:
    return Mechanism.ECDH1_DERIVE in mechanisms and Mechanism.ECDH1_DERIVE not in profile.avoid
