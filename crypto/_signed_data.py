"""Building and parsing a one-signer CMS SignedData (RFC 5652): the pieces shared by detached signatures
(crypto.cms_sign) and RFC 3161 timestamp tokens (crypto.timestamp), which are SignedData as well.

Private to the crypto package: both modules build on this one, so neither has to import the other's
internals (which once made an import cycle between them).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from crypto.algorithms import SignatureAlgorithm
from crypto.errors import CryptoError, MalformedError, SignatureInvalid, UnsupportedAlgorithm
from crypto.keys import Signer

_DER = Encoding.DER

# Digest algorithms accepted in signatures we verify; MD5 and SHA-1 are refused as too weak.
HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}

DIGEST_OF: dict[SignatureAlgorithm, str] = {
    SignatureAlgorithm.RSA_PKCS1V15_SHA256: "sha256",
    SignatureAlgorithm.RSA_PSS_SHA256: "sha256",
    SignatureAlgorithm.ECDSA_SHA256: "sha256",
    SignatureAlgorithm.ECDSA_SHA384: "sha384",
}



def build_signer_info(signer: Signer, algorithm: SignatureAlgorithm, *, content_type: str,
                      message_digest: bytes, signing_time: datetime | None) -> cms.SignerInfo:
    """A SignerInfo with CAdES-BES signed attributes, signed by ``signer``; its signature is checked."""
    digest_name = DIGEST_OF[algorithm]
    cert = _to_asn1(signer.certificate)
    attrs: list[cms.CMSAttribute] = [
        cms.CMSAttribute({"type": "content_type", "values": [content_type]}),
        cms.CMSAttribute({"type": "message_digest", "values": [message_digest]}),
    ]
    if signing_time is not None:
        # RFC 5652 11.3: UTCTime for 1950-2049, GeneralizedTime otherwise.
        signing_time = signing_time.astimezone(UTC).replace(microsecond=0)
        choice = "utc_time" if 1950 <= signing_time.year < 2050 else "generalized_time"
        attrs.append(cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({choice: signing_time})]}))
    attrs.append(cms.CMSAttribute.load(_signing_certificate_v2(cert.dump())))
    signed_attrs = cms.CMSAttributes(attrs)
    to_sign = signed_attrs.dump()  # universal SET OF tag: what RFC 5652 5.4 says is signed
    signature = signer.sign(to_sign, algorithm)
    sig_algo = _signature_algorithm_id(algorithm)
    try:
        _verify_raw(signer.certificate.public_key(), sig_algo, digest_name, signature, to_sign)
    except SignatureInvalid:
        raise SignatureInvalid("the key's signature does not verify with its certificate: the key and the "
                               "certificate do not belong together", code="cms.signer_key_mismatch") from None
    return cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber({
            "issuer": cert.issuer, "serial_number": cert.serial_number})}),
        "digest_algorithm": algos.DigestAlgorithm({"algorithm": digest_name}),
        "signed_attrs": signed_attrs,
        "signature_algorithm": sig_algo,
        "signature": signature,
    })


@functools.lru_cache(maxsize=64)
def _signing_certificate_v2(cert_der: bytes) -> bytes:
    """The DER of the ESS signing-certificate-v2 attribute (RFC 5035) naming ``cert_der``.

    Built once per certificate: asn1crypto copies and re-encodes the issuer name field by field, which
    took ~10 ms per signature — a third of the cost of a receipt in a deadline rush."""
    cert = asn1_x509.Certificate.load(cert_der)
    return cms.CMSAttribute({"type": "signing_certificate_v2", "values": [tsp.SigningCertificateV2({
        "certs": [tsp.ESSCertIDv2({
            "hash_algorithm": {"algorithm": "sha256"},
            "cert_hash": hashlib.sha256(cert_der).digest(),
            "issuer_serial": {
                "issuer": [asn1_x509.GeneralName({"directory_name": cert.issuer})],
                "serial_number": cert.serial_number,
            },
        })],
    })]}).dump()


def build_signed_data(signer_info: cms.SignerInfo, signer: Signer | None, digest_name: str, *,
                      content_type: str, content: bytes | None = None) -> cms.ContentInfo:
    """Wrap one SignerInfo; embeds the signer certificate and chain when ``signer`` is given."""
    certificates: list[cms.CertificateChoices] = []
    if signer is not None:
        seen: set[bytes] = set()
        for c in [signer.certificate, *signer.chain]:
            der = c.public_bytes(_DER)
            if der not in seen:
                seen.add(der)
                certificates.append(cms.CertificateChoices({"certificate": asn1_x509.Certificate.load(der)}))
    encap: Any = {"content_type": content_type}
    if content is not None:
        # Encoded by hand: asn1crypto drops the [0] EXPLICIT OCTET STRING wrapper for registered
        # content types such as TSTInfo when it is given a value to encode.
        octets = core.OctetString(content).dump()
        wrapped = _der(0x30, cms.ContentType(content_type).dump() + _der(0xA0, octets))
        encap = cms.EncapsulatedContentInfo.load(wrapped)
    signed_data: dict[str, Any] = {
        # RFC 5652 5.1: version 3 when the encapsulated content is not id-data
        "version": "v1" if content_type == "data" else "v3",
        "digest_algorithms": [algos.DigestAlgorithm({"algorithm": digest_name})],
        "encap_content_info": encap,
        "signer_infos": [signer_info],
    }
    if certificates:
        signed_data["certificates"] = certificates
    return cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(signed_data)})


def _signature_algorithm_id(algorithm: SignatureAlgorithm) -> algos.SignedDigestAlgorithm:
    if algorithm is SignatureAlgorithm.RSA_PKCS1V15_SHA256:
        return algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa"})
    if algorithm is SignatureAlgorithm.RSA_PSS_SHA256:
        return algos.SignedDigestAlgorithm({"algorithm": "rsassa_pss", "parameters": algos.RSASSAPSSParams({
            "hash_algorithm": {"algorithm": "sha256"},
            "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
            "salt_length": 32,
        })})
    if algorithm is SignatureAlgorithm.ECDSA_SHA256:
        return algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"})
    return algos.SignedDigestAlgorithm({"algorithm": "sha384_ecdsa"})


# --- verifying -------------------------------------------------------------------------------------


@dataclass
class ParsedSignedData:
    """The fields of a one-signer SignedData, parsed eagerly so later access cannot fail."""

    content_type: str
    encap_content: bytes | None
    signer_info: cms.SignerInfo
    digest_algorithm: str
    signature_algorithm: algos.SignedDigestAlgorithm
    signature: bytes
    signed_attrs_der: bytes
    signed_attrs: dict[str, list[Any]]
    unsigned_attrs: dict[str, list[Any]]
    certificates: list[x509.Certificate]
    signer_certificate: x509.Certificate | None


def load_signed_data(der: bytes, *, what: str = "signature") -> ParsedSignedData:
    """Parse a ContentInfo holding a SignedData with exactly one SignerInfo. Raises MalformedError."""
    if not isinstance(der, bytes | bytearray) or not der:
        raise MalformedError(f"the {what} is empty")
    try:
        return _load_signed_data(bytes(der), what)
    except CryptoError:
        raise
    except Exception as ex:  # asn1crypto parses lazily and can raise many types on hostile input
        raise MalformedError(f"the {what} is not a valid CMS SignedData: {_short(ex)}") from ex


def _load_signed_data(der: bytes, what: str) -> ParsedSignedData:
    info = cms.ContentInfo.load(der, strict=True)
    ctype = info["content_type"].native
    if ctype != "signed_data":
        raise MalformedError(f"the {what} is a CMS {ctype}, not a SignedData")
    sd = info["content"]
    signer_infos = sd["signer_infos"]
    if len(signer_infos) != 1:
        raise MalformedError(f"the {what} has {len(signer_infos)} signers; exactly one is expected")
    si = signer_infos[0]
    encap = sd["encap_content_info"]
    econtent = encap["content"]
    encap_bytes: bytes | None = None
    if isinstance(econtent, core.OctetString | core.ParsableOctetString) and econtent.contents is not None:
        encap_bytes = bytes(econtent)  # merges BER chunks of a constructed OCTET STRING
    certs: list[x509.Certificate] = []
    # Absent optional fields are core.Void; asking for .native instead would convert every embedded
    # certificate to Python values, the most expensive step of checking a signature.
    for choice in sd["certificates"] if not isinstance(sd["certificates"], core.Void) else []:
        if choice.name == "certificate":
            certs.append(x509.load_der_x509_certificate(choice.chosen.dump()))
    digest_name = si["digest_algorithm"]["algorithm"].native
    signed = si["signed_attrs"]
    if isinstance(signed, core.Void):
        raise MalformedError(f"the {what} has no signed attributes (signatures directly over the content "
                             "are not supported)")
    # [0] IMPLICIT -> SET OF, the bytes as received: taken before any attribute is looked at, and never
    # re-encoded, so attributes bidclient does not understand stay covered exactly as the signer signed.
    signed_der = b"\x31" + signed.dump()[1:]
    if len(signed) == 0:
        raise MalformedError(f"the {what} has no signed attributes (signatures directly over the content "
                             "are not supported)")
    signed_attrs = _attrs(signed)
    unsigned_attrs = _attrs(si["unsigned_attrs"]) if not isinstance(si["unsigned_attrs"], core.Void) else {}
    return ParsedSignedData(
        content_type=encap["content_type"].native,
        encap_content=encap_bytes,
        signer_info=si,
        digest_algorithm=digest_name,
        signature_algorithm=si["signature_algorithm"],
        signature=si["signature"].native,
        signed_attrs_der=signed_der,
        signed_attrs=signed_attrs,
        unsigned_attrs=unsigned_attrs,
        certificates=certs,
        signer_certificate=_find_signer(si["sid"], certs),
    )


# The attributes bidclient reads. Any other attribute (S/MIME capabilities, Microsoft's and RFC 5751's
# encryption-key preference as Mozilla NSS adds them, CAdES attributes we have no use for...) is kept
# unparsed: it is covered by the signature as bytes (RFC 5652 section 5.3) and need not be understood,
# and asn1crypto cannot parse some of them (it fails on 1.3.6.1.4.1.311.16.4).
_USED_ATTRIBUTES = frozenset({
    "content_type", "message_digest", "signing_time", "signing_certificate", "signing_certificate_v2",
    "signature_time_stamp_token",
})


def _attrs(attrs: cms.CMSAttributes) -> dict[str, list[Any]]:
    """The attributes by name (unknown ones by dotted OID); only those bidclient reads are parsed."""
    out: dict[str, list[Any]] = {}
    for attr in attrs:
        oid = attr["type"]
        name = oid.native
        if name in out:
            raise MalformedError(f"attribute {name} appears twice")
        if name not in _USED_ATTRIBUTES:
            out[name] = []  # present, values not needed: never parsed
            continue
        values = list(attr["values"])
        for v in values:
            _ = v.native  # force full parsing now, inside the error boundary
        out[name] = values
    return out


def _find_signer(sid: cms.SignerIdentifier, certs: list[x509.Certificate]) -> x509.Certificate | None:
    for cert in certs:
        a = asn1_x509.Certificate.load(cert.public_bytes(_DER))
        if sid.name == "issuer_and_serial_number":
            if a.issuer == sid.chosen["issuer"] and a.serial_number == sid.chosen["serial_number"].native:
                return cert
        elif a.key_identifier is not None and a.key_identifier == sid.chosen.native:
            return cert
    return None


def verify_signer_info(parsed: ParsedSignedData, *, content_digest: bytes,
                       signer_certificate: x509.Certificate | None = None,
                       what: str = "signature") -> x509.Certificate:
    """Check attributes and the signature value; returns the signer certificate. Raises SignatureInvalid."""
    cert = signer_certificate or parsed.signer_certificate
    if cert is None:
        raise SignatureInvalid(f"the {what}'s signer certificate is not embedded")
    attrs = parsed.signed_attrs
    ctype = _single(attrs, "content_type", what)
    if ctype.native != parsed.content_type:
        raise SignatureInvalid(f"the {what}'s content-type attribute ({ctype.native}) does not match its "
                               f"content ({parsed.content_type})")
    if _single(attrs, "message_digest", what).native != content_digest:
        raise SignatureInvalid(f"the content does not match the {what} (message digest differs)")
    cert_der = cert.public_bytes(_DER)
    if "signing_certificate_v2" in attrs:
        _check_ess(_single(attrs, "signing_certificate_v2", what), cert, cert_der, what, default="sha256")
    if "signing_certificate" in attrs:
        _check_ess(_single(attrs, "signing_certificate", what), cert, cert_der, what, default="sha1")
    _verify_raw(cert.public_key(), parsed.signature_algorithm, parsed.digest_algorithm, parsed.signature,
                parsed.signed_attrs_der, what=what)
    return cert


def _single(attrs: dict[str, list[Any]], name: str, what: str) -> Any:
    values = attrs.get(name)
    if not values:
        raise SignatureInvalid(f"the {what} lacks the {name} signed attribute")
    if len(values) != 1:
        raise SignatureInvalid(f"the {what}'s {name} attribute has {len(values)} values")
    return values[0]


def _check_ess(value: Any, cert: x509.Certificate, cert_der: bytes, what: str, default: str) -> None:
    certs = value["certs"]
    if len(certs) == 0:
        raise SignatureInvalid(f"the {what}'s signing-certificate attribute is empty")
    first = certs[0]  # RFC 5035: the first entry identifies the signer
    hash_name = first["hash_algorithm"]["algorithm"].native if "hash_algorithm" in first else default
    if hash_name not in {"sha1", *HASHES}:
        raise SignatureInvalid(f"the {what}'s signing-certificate hash {hash_name} is not supported")
    if hashlib.new(hash_name, cert_der).digest() != first["cert_hash"].native:
        raise SignatureInvalid(f"the {what}'s signing-certificate attribute names another certificate "
                               "than the one embedded")
    issuer_serial = first["issuer_serial"]
    if issuer_serial.native is not None and issuer_serial["serial_number"].native != cert.serial_number:
        raise SignatureInvalid(f"the {what}'s signing-certificate serial number does not match the "
                               "certificate")


def _verify_raw(public_key: Any, sig_algo: algos.SignedDigestAlgorithm, digest_name: str, signature: bytes,
                data: bytes, *, what: str = "signature") -> None:
    # A well-formed signature made with an algorithm bidclient does not verify (SHA-1, MD5, Ed25519,
    # SM2...) is UnsupportedAlgorithm, not SignatureInvalid: nothing says it was altered.
    try:
        name = sig_algo.signature_algo
    except ValueError:
        raise UnsupportedAlgorithm(f"the {what} uses a signature algorithm bidclient does not support "
                                   f"({sig_algo['algorithm'].native})") from None
    if name not in ("rsassa_pkcs1v15", "rsassa_pss", "ecdsa"):
        raise UnsupportedAlgorithm(f"the {what} uses a signature algorithm bidclient does not support "
                                   f"({sig_algo['algorithm'].native})")
    try:
        hash_name = sig_algo.hash_algo
    except ValueError:
        hash_name = digest_name  # rsaEncryption carries no hash: RFC 5754 uses the digestAlgorithm
    if hash_name not in HASHES:
        raise UnsupportedAlgorithm(f"the {what} uses an unsupported hash algorithm ({hash_name})")
    hash_alg = HASHES[hash_name]()
    try:
        if name == "rsassa_pkcs1v15" and isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(signature, data, padding.PKCS1v15(), hash_alg)
        elif name == "rsassa_pss" and isinstance(public_key, rsa.RSAPublicKey):
            params = sig_algo["parameters"]
            mgf = params["mask_gen_algorithm"]
            if mgf["algorithm"].native != "mgf1" or params["trailer_field"].native != "trailer_field_bc":
                raise UnsupportedAlgorithm(f"the {what} uses unsupported RSASSA-PSS parameters")
            mgf_hash = mgf["parameters"]["algorithm"].native
            if mgf_hash not in HASHES:
                raise UnsupportedAlgorithm(f"the {what} uses an unsupported MGF1 hash ({mgf_hash})")
            pss = padding.PSS(mgf=padding.MGF1(HASHES[mgf_hash]()), salt_length=params["salt_length"].native)
            public_key.verify(signature, data, pss, hash_alg)
        elif name == "ecdsa" and isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(signature, data, ec.ECDSA(hash_alg))
        else:
            raise SignatureInvalid(f"the {what}'s algorithm ({sig_algo['algorithm'].native}) does not fit "
                                   "the signer's key")
    except InvalidSignature:
        raise SignatureInvalid(f"the {what} value does not verify with the signer certificate's "
                               "key") from None
    except (ValueError, TypeError, KeyError) as ex:
        raise SignatureInvalid(f"the {what} cannot be checked: {_short(ex)}") from ex



# --- helpers ---------------------------------------------------------------------------------------


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(_DER))


def _der(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    length = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + body


def _short(ex: BaseException) -> str:
    text = str(ex).strip().splitlines()[0] if str(ex).strip() else type(ex).__name__
    return text[:200]
