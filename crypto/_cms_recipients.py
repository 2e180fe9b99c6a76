"""CMS RecipientInfo: wrap a content-encryption key for a certificate, and unwrap it with a Decrypter.

RSA: KeyTransRecipientInfo (RSAES-OAEP SHA-1 / SHA-256, or PKCS#1 v1.5), RFC 5652 + RFC 3560.
EC: KeyAgreeRecipientInfo, ephemeral-static ECDH with the X9.63 KDF over ECC-CMS-SharedInfo and AES key
wrap, RFC 5753. The private-key half always goes through the Decrypter protocol so tokens work.
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import algos, cms, core, keys
from asn1crypto import x509 as a_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.kdf.x963kdf import X963KDF
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from crypto.algorithms import KeyTransport
from crypto.errors import DecryptionFailed, MalformedError, NotARecipient, UnsupportedAlgorithm
from crypto.keys import Decrypter

# ECDH key agreement schemes (RFC 5753 / SEC 1). Cofactor and standard DH coincide on the NIST prime
# curves (cofactor 1), so both are accepted for reading.
_KDF_HASHES: dict[str, hashes.HashAlgorithm] = {
    "1.3.133.16.840.63.0.2": hashes.SHA1(),  # noqa: S303 - OpenSSL's default KDF digest, read only
    "1.3.132.1.11.0": hashes.SHA224(),
    "1.3.132.1.11.1": hashes.SHA256(),
    "1.3.132.1.11.2": hashes.SHA384(),
    "1.3.132.1.11.3": hashes.SHA512(),
    "1.3.133.16.840.63.0.3": hashes.SHA1(),  # noqa: S303
    "1.3.132.1.14.0": hashes.SHA224(),
    "1.3.132.1.14.1": hashes.SHA256(),
    "1.3.132.1.14.2": hashes.SHA384(),
    "1.3.132.1.14.3": hashes.SHA512(),
}
ECDH_SHA256_KDF = "1.3.132.1.11.1"  # dhSinglePass-stdDH-sha256kdf-scheme
_WRAP_KEY_BITS = {"aes128_wrap": 128, "aes192_wrap": 192, "aes256_wrap": 256}
_CURVES: dict[str, type[ec.EllipticCurve]] = {
    "secp256r1": ec.SECP256R1, "secp384r1": ec.SECP384R1, "secp521r1": ec.SECP521R1,
}
MAX_RECIPIENTS = 10_000


class EccCmsSharedInfo(core.Sequence):
    """ECC-CMS-SharedInfo (RFC 5753 section 7.2), the X9.63 KDF's shared info."""

    _fields = [  # noqa: RUF012 - asn1crypto's declarative spec
        ("key_info", cms.KeyEncryptionAlgorithm),
        ("entity_u_info", core.OctetString, {"explicit": 0, "optional": True}),
        ("supp_pub_info", core.OctetString, {"explicit": 2}),
    ]


# --- descriptions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecipientSummary:
    """One recipient named by an envelope, as shown by ``describe``."""

    kind: str  # "ktri" (RSA key transport) or "kari" (EC key agreement); other kinds by name
    issuer: str  # RFC 4514; "" when the recipient is named by subjectKeyIdentifier
    serial: int | None
    subject_key_identifier: bytes | None
    algorithm: str  # KeyTransport value, "ecdh-<kdf hash>kdf-<wrap>" or the dotted OID when unknown

    def matches(self, certificate: x509.Certificate) -> bool:
        """Whether this entry names ``certificate`` (issuer+serial or subjectKeyIdentifier)."""
        if self.serial is not None:
            return (self.serial == certificate.serial_number
                    and self.issuer == certificate.issuer.rfc4514_string())
        return self.subject_key_identifier is not None and self.subject_key_identifier == _ski(certificate)


def _rfc4514(name: a_x509.Name) -> str:
    """RFC 4514 text of an asn1crypto Name, the same text cryptography produces."""
    try:
        rdns = []
        for rdn in name.chosen:
            attrs = [x509.NameAttribute(x509.ObjectIdentifier(atv["type"].dotted), str(atv["value"].native))
                     for atv in rdn]
            rdns.append(x509.RelativeDistinguishedName(attrs))
        return x509.Name(rdns).rfc4514_string()
    except (ValueError, TypeError, KeyError):
        return str(name.human_friendly)


def _asn1_cert(certificate: x509.Certificate) -> a_x509.Certificate:
    return a_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _ski(certificate: x509.Certificate) -> bytes | None:
    try:
        ext = certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    except (x509.ExtensionNotFound, ValueError):
        return None
    return ext.value.digest


def _key_transport_of(alg: cms.KeyEncryptionAlgorithm) -> KeyTransport | None:
    name = alg["algorithm"].native
    if name == "rsaes_pkcs1v15":
        return KeyTransport.RSA_PKCS1V15
    if name != "rsaes_oaep":
        return None
    params = alg["parameters"]
    if not isinstance(params, algos.RSAESOAEPParams):
        return KeyTransport.RSA_OAEP_SHA1 if isinstance(params, core.Void) else None
    digest = params["hash_algorithm"]["algorithm"].native
    mgf = params["mask_gen_algorithm"]
    if mgf["algorithm"].native != "mgf1" or mgf["parameters"]["algorithm"].native != digest:
        return None
    p_source = params["p_source_algorithm"]
    if p_source["algorithm"].native != "p_specified" or p_source["parameters"].native not in (b"", None):
        return None
    return {"sha1": KeyTransport.RSA_OAEP_SHA1, "sha256": KeyTransport.RSA_OAEP_SHA256}.get(digest)


def _agreement_name(alg: cms.KeyEncryptionAlgorithm) -> str:
    oid = alg["algorithm"].dotted
    digest = _KDF_HASHES.get(oid)
    if digest is None:
        return oid
    try:
        wrap = cms.KeyEncryptionAlgorithm.load(alg["parameters"].dump())["algorithm"].native
    except (ValueError, TypeError):
        wrap = "?"
    return f"ecdh-{digest.name}kdf-{str(wrap).replace('_', '')}"


def summarize(infos: cms.RecipientInfos) -> tuple[RecipientSummary, ...]:
    out: list[RecipientSummary] = []
    for ri in infos:
        if ri.name == "ktri":
            ktri = ri.chosen
            kt = _key_transport_of(ktri["key_encryption_algorithm"])
            algorithm = kt.value if kt else ktri["key_encryption_algorithm"]["algorithm"].dotted
            out.append(_summary("ktri", ktri["rid"], algorithm))
        elif ri.name == "kari":
            kari = ri.chosen
            algorithm = _agreement_name(kari["key_encryption_algorithm"])
            for rek in kari["recipient_encrypted_keys"]:
                out.append(_summary("kari", rek["rid"], algorithm))
        else:
            out.append(RecipientSummary(ri.name, "", None, None, ""))
    return tuple(out)


def _summary(kind: str, rid: core.Choice, algorithm: str) -> RecipientSummary:
    if rid.name == "issuer_and_serial_number":
        ias = rid.chosen
        return RecipientSummary(kind, _rfc4514(ias["issuer"]), int(ias["serial_number"].native), None,
                                algorithm)
    value = rid.chosen
    ski = value["subject_key_identifier"].native if rid.name == "r_key_id" else value.native
    return RecipientSummary(kind, "", None, bytes(ski), algorithm)


# --- building ------------------------------------------------------------------------------------


def _rid_ias(cert: a_x509.Certificate) -> cms.IssuerAndSerialNumber:
    return cms.IssuerAndSerialNumber({"issuer": cert.issuer, "serial_number": cert.serial_number})


def _key_transport_alg(kt: KeyTransport) -> cms.KeyEncryptionAlgorithm:
    if kt is KeyTransport.RSA_PKCS1V15:
        return cms.KeyEncryptionAlgorithm({"algorithm": "rsaes_pkcs1v15"})
    if kt is KeyTransport.RSA_OAEP_SHA1:
        # All fields at their defaults (SHA-1, MGF1-SHA-1, empty label): an empty SEQUENCE.
        return cms.KeyEncryptionAlgorithm({"algorithm": "rsaes_oaep",
                                           "parameters": algos.RSAESOAEPParams.load(b"\x30\x00")})
    params = algos.RSAESOAEPParams({
        "hash_algorithm": {"algorithm": "sha256"},
        "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
    })
    return cms.KeyEncryptionAlgorithm({"algorithm": "rsaes_oaep", "parameters": params})


def _rsa_padding(kt: KeyTransport) -> padding.AsymmetricPadding:
    if kt is KeyTransport.RSA_PKCS1V15:
        return padding.PKCS1v15()
    algo = hashes.SHA1() if kt is KeyTransport.RSA_OAEP_SHA1 else hashes.SHA256()  # noqa: S303
    return padding.OAEP(mgf=padding.MGF1(algo), algorithm=algo, label=None)


def check_recipient(certificate: x509.Certificate, key_transport: KeyTransport | None) -> None:
    """Raise UnsupportedAlgorithm / ValueError when ``certificate`` cannot be a recipient."""
    pub = certificate.public_key()
    if isinstance(pub, rsa.RSAPublicKey):
        if pub.key_size < 2048:
            raise UnsupportedAlgorithm(
                f"the recipient certificate {certificate.subject.rfc4514_string()} has a {pub.key_size}-bit "
                f"RSA key; at least 2048 bits are required")
        return
    if isinstance(pub, ec.EllipticCurvePublicKey):
        if pub.curve.name not in _CURVES:
            raise UnsupportedAlgorithm(
                f"the recipient certificate {certificate.subject.rfc4514_string()} uses the curve "
                f"{pub.curve.name}; supported are P-256, P-384 and P-521")
        if key_transport is not None:
            raise ValueError("key_transport applies to RSA recipients only")
        return
    raise UnsupportedAlgorithm(
        f"the recipient certificate {certificate.subject.rfc4514_string()} has a key that can neither "
        f"transport nor agree a key (only RSA and EC are supported)")


def build_recipient_info(certificate: x509.Certificate, key_transport: KeyTransport | None,
                         cek: bytes) -> cms.RecipientInfo:
    cert = _asn1_cert(certificate)
    pub = certificate.public_key()
    if isinstance(pub, rsa.RSAPublicKey):
        kt = key_transport or KeyTransport.RSA_OAEP_SHA1
        ktri = cms.KeyTransRecipientInfo({
            "version": "v0",
            "rid": cms.RecipientIdentifier(name="issuer_and_serial_number", value=_rid_ias(cert)),
            "key_encryption_algorithm": _key_transport_alg(kt),
            "encrypted_key": pub.encrypt(cek, _rsa_padding(kt)),
        })
        return cms.RecipientInfo(name="ktri", value=ktri)
    assert isinstance(pub, ec.EllipticCurvePublicKey)
    ephemeral = ec.generate_private_key(pub.curve)
    wrap_alg = cms.KeyEncryptionAlgorithm({"algorithm": "aes256_wrap"})
    kek = _kdf(ephemeral.exchange(ec.ECDH(), pub), hashes.SHA256(), wrap_alg, None, 256)
    point = ephemeral.public_key().public_bytes(serialization.Encoding.X962,
                                                serialization.PublicFormat.UncompressedPoint)
    # id-ecPublicKey with absent parameters: the curve is the recipient's (RFC 5753 section 3.1.1).
    originator = keys.PublicKeyInfo({"algorithm": {"algorithm": "ec"}, "public_key": point})
    kari = cms.KeyAgreeRecipientInfo({
        "version": "v3",
        "originator": cms.OriginatorIdentifierOrKey(name="originator_key", value=originator),
        "key_encryption_algorithm": {"algorithm": ECDH_SHA256_KDF, "parameters": wrap_alg},
        "recipient_encrypted_keys": [{
            "rid": cms.KeyAgreementRecipientIdentifier(name="issuer_and_serial_number", value=_rid_ias(cert)),
            "encrypted_key": aes_key_wrap(kek, cek),
        }],
    })
    return cms.RecipientInfo(name="kari", value=kari)


def _kdf(shared: bytes, digest: hashes.HashAlgorithm, wrap_alg: cms.KeyEncryptionAlgorithm,
         ukm: bytes | None, bits: int) -> bytes:
    info = EccCmsSharedInfo({"key_info": wrap_alg, "supp_pub_info": bits.to_bytes(4, "big")})
    if ukm is not None:
        info["entity_u_info"] = ukm
    return X963KDF(algorithm=digest, length=bits // 8, sharedinfo=info.dump()).derive(shared)


# --- opening -------------------------------------------------------------------------------------


def parse_recipient_infos(encoded: bytes) -> cms.RecipientInfos:
    """Parse and fully validate the RecipientInfos SET (asn1crypto parses lazily otherwise)."""
    try:
        infos = cms.RecipientInfos.load(encoded, strict=True)
        if len(infos) == 0:
            raise MalformedError("the envelope names no recipients")
        if len(infos) > MAX_RECIPIENTS:
            raise MalformedError(f"the envelope names more than {MAX_RECIPIENTS} recipients")
        infos.native  # noqa: B018 - forces the full parse so later access cannot fail half-way
    except MalformedError:
        raise
    except (ValueError, TypeError, KeyError, OverflowError) as ex:
        raise MalformedError(f"the envelope's recipient list is malformed: {ex}") from ex
    return infos


class _Candidate:
    def __init__(self, kind: str, info: core.Sequence, encrypted_key: bytes) -> None:
        self.kind = kind
        self.info = info
        self.encrypted_key = encrypted_key


def _rid_matches(rid: core.Choice, cert: a_x509.Certificate, ski: bytes | None) -> bool:
    if rid.name == "issuer_and_serial_number":
        ias = rid.chosen
        return bool(ias["serial_number"].native == cert.serial_number and ias["issuer"] == cert.issuer)
    value = rid.chosen
    key_id = value["subject_key_identifier"].native if rid.name == "r_key_id" else value.native
    return ski is not None and key_id == ski


def unwrap_content_key(infos: cms.RecipientInfos, decrypter: Decrypter, key_bytes: int) -> bytes:
    """Find the decrypter's entry and recover the content-encryption key.

    Raises NotARecipient when no entry names the decrypter's certificate, DecryptionFailed when the
    entries that do cannot be opened with its key.
    """
    certificate = decrypter.certificate
    cert = _asn1_cert(certificate)
    ski = _ski(certificate)
    candidates: list[_Candidate] = []
    try:
        for ri in infos:
            if ri.name == "ktri":
                if _rid_matches(ri.chosen["rid"], cert, ski):
                    candidates.append(_Candidate("ktri", ri.chosen, ri.chosen["encrypted_key"].native))
            elif ri.name == "kari":
                for rek in ri.chosen["recipient_encrypted_keys"]:
                    if _rid_matches(rek["rid"], cert, ski):
                        candidates.append(_Candidate("kari", ri.chosen, rek["encrypted_key"].native))
    except (ValueError, TypeError, KeyError) as ex:
        raise MalformedError(f"the envelope's recipient list is malformed: {ex}") from ex
    if not candidates:
        raise NotARecipient(
            f"the envelope is not addressed to the certificate {certificate.subject.rfc4514_string()} "
            f"(issuer {certificate.issuer.rfc4514_string()}, serial {certificate.serial_number:x}); "
            f"it names {len(infos)} other recipient(s)")
    unsupported: UnsupportedAlgorithm | None = None
    for cand in candidates:
        try:
            if cand.kind == "ktri":
                cek = _open_ktri(cand, decrypter)
            else:
                cek = _open_kari(cand, decrypter, certificate)
        except DecryptionFailed:
            continue
        except UnsupportedAlgorithm as ex:
            unsupported = ex
            continue
        if len(cek) == key_bytes:
            return cek
    if unsupported is not None:
        raise unsupported
    raise DecryptionFailed("the envelope could not be decrypted with this key")


def _open_ktri(cand: _Candidate, decrypter: Decrypter) -> bytes:
    kt = _key_transport_of(cand.info["key_encryption_algorithm"])
    if kt is None:
        raise UnsupportedAlgorithm(
            "the envelope's key transport algorithm is not supported (supported: RSAES-OAEP with SHA-1 or "
            "SHA-256 and an empty label, RSAES-PKCS1-v1_5)")
    return decrypter.decrypt_key_transport(cand.encrypted_key, kt)


def _open_kari(cand: _Candidate, decrypter: Decrypter, certificate: x509.Certificate) -> bytes:
    kari = cand.info
    alg = kari["key_encryption_algorithm"]
    digest = _KDF_HASHES.get(alg["algorithm"].dotted)
    if digest is None:
        raise UnsupportedAlgorithm(
            f"the envelope's key agreement algorithm {alg['algorithm'].dotted} is not supported "
            f"(supported: ephemeral-static ECDH with the X9.63 KDF)")
    try:
        wrap_alg = cms.KeyEncryptionAlgorithm.load(alg["parameters"].dump(), strict=True)
        wrap_name = wrap_alg["algorithm"].native
    except (ValueError, TypeError, KeyError) as ex:
        raise MalformedError("the envelope's key wrap algorithm is malformed") from ex
    bits = _WRAP_KEY_BITS.get(wrap_name)
    if bits is None:
        raise UnsupportedAlgorithm(f"the envelope's key wrap algorithm {wrap_name} is not supported "
                                   f"(supported: AES key wrap)")
    originator = kari["originator"]
    if originator.name != "originator_key":
        raise UnsupportedAlgorithm("the envelope uses static-static ECDH (the originator is named by "
                                   "certificate); only ephemeral-static ECDH is supported")
    pub = certificate.public_key()
    if not isinstance(pub, ec.EllipticCurvePublicKey):
        raise DecryptionFailed("the envelope could not be decrypted with this key")
    try:
        point = bytes(originator.chosen["public_key"].native)
        peer = ec.EllipticCurvePublicKey.from_encoded_point(pub.curve, point)
    except (ValueError, TypeError) as ex:
        raise MalformedError("the envelope's ephemeral EC public key is malformed") from ex
    ukm = kari["ukm"].native if kari["ukm"].native is not None else None
    kek = _kdf(decrypter.exchange(peer), digest, wrap_alg, ukm, bits)
    try:
        return aes_key_unwrap(kek, cand.encrypted_key)
    except (InvalidUnwrap, ValueError):
        raise DecryptionFailed("the envelope could not be decrypted with this key") from None


def originator_keys(infos: cms.RecipientInfos, certificate: x509.Certificate) -> tuple[bytes, ...]:
    """The ephemeral public keys (uncompressed SEC 1 points) of the key agreements addressed to
    ``certificate``: the R a threshold key's members multiply by their shares. Each key is what
    ``Decrypter.exchange`` would receive for that entry, so a Decrypter that answers ``exchange`` with a
    shared secret computed elsewhere (crypto.threshold.CommitteeDecrypter) reuses the unwrapping above.
    """
    pub = certificate.public_key()
    if not isinstance(pub, ec.EllipticCurvePublicKey):
        return ()
    cert = _asn1_cert(certificate)
    ski = _ski(certificate)
    out: list[bytes] = []
    try:
        for ri in infos:
            if ri.name != "kari" or ri.chosen["originator"].name != "originator_key":
                continue
            if not any(_rid_matches(rek["rid"], cert, ski) for rek in ri.chosen["recipient_encrypted_keys"]):
                continue
            point = bytes(ri.chosen["originator"].chosen["public_key"].native)
            peer = ec.EllipticCurvePublicKey.from_encoded_point(pub.curve, point)
            encoded = peer.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
            if encoded not in out:
                out.append(encoded)
    except (ValueError, TypeError, KeyError) as ex:
        raise MalformedError(f"the envelope's recipient list is malformed: {ex}") from ex
    return tuple(out)
