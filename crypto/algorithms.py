"""Names of the algorithms a Signer or Decrypter is asked to perform."""

from __future__ import annotations

import enum


class SignatureAlgorithm(enum.Enum):
    """How a Signer must sign. The data passed is the full message; the signer hashes it."""

    RSA_PKCS1V15_SHA256 = "rsa_pkcs1v15_sha256"
    RSA_PSS_SHA256 = "rsa_pss_sha256"  # MGF1-SHA256, salt length 32
    ECDSA_SHA256 = "ecdsa_sha256"  # output DER-encoded ECDSA-Sig-Value
    ECDSA_SHA384 = "ecdsa_sha384"


class KeyTransport(enum.Enum):
    """RSA key transport padding for a CMS KeyTransRecipientInfo."""

    RSA_OAEP_SHA1 = "rsa_oaep_sha1"
    RSA_OAEP_SHA256 = "rsa_oaep_sha256"
    RSA_PKCS1V15 = "rsa_pkcs1v15"
