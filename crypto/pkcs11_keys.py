"""Keys on a PKCS#11 token behind the Signer / Decrypter interfaces.

``TokenContext`` is one open token (one KeySession): a public session for reading certificates, and at
most one login. Every python-pkcs11 call runs on the module's worker thread; the PinSource runs on the
caller's thread, so a GUI dialog never blocks the token thread.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pkcs11
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from pkcs11 import KDF, Attribute, CertificateType, KeyType, Mechanism, ObjectClass, TokenFlag

from crypto import errors
from crypto.algorithms import KeyTransport, SignatureAlgorithm
from crypto.pin import PinRequest, PinSource
from crypto.profiles import (
    DIGEST_INFO_PREFIX,
    TokenProfile,
    can_ecdh,
    plan_key_transport,
    plan_signature,
    profile_for,
)
from crypto.token_worker import ModuleWorker

T = TypeVar("T")

Notice = Callable[[str], None]


def token_error(ex: pkcs11.PKCS11Error, action: str) -> errors.CryptoError:
    """Map a python-pkcs11 exception to the crypto.errors family (once, here)."""
    if isinstance(ex, pkcs11.PinIncorrect):
        return errors.PinIncorrect("the PIN is incorrect")
    if isinstance(ex, pkcs11.PinLocked):
        return errors.PinLocked("the token is locked; unblock it with your CA's tool")
    if isinstance(ex, pkcs11.PinExpired):
        return errors.TokenError("the PIN has expired; change it with your CA's tool",
                                 code="token.pin_expired")
    if isinstance(ex, pkcs11.PinInvalid | pkcs11.PinLenRange):
        return errors.PinIncorrect("the PIN is not valid for this token (wrong length or characters)")
    # SoftHSM answers CKR_ARGUMENTS_BAD to mechanism parameters it does not implement (OAEP-SHA256).
    if isinstance(ex, pkcs11.MechanismInvalid | pkcs11.MechanismParamInvalid | pkcs11.ArgumentsBad):
        return errors.MechanismUnsupported(f"the token cannot {action} with this algorithm")
    if isinstance(ex, pkcs11.DeviceRemoved | pkcs11.TokenNotPresent | pkcs11.SessionClosed
                  | pkcs11.SessionHandleInvalid):
        return errors.TokenNotPresent(f"the token was removed while trying to {action}")
    if isinstance(ex, pkcs11.EncryptedDataInvalid | pkcs11.EncryptedDataLenRange):
        return errors.DecryptionFailed("the content key could not be decrypted")
    if isinstance(ex, pkcs11.UserNotLoggedIn):
        return errors.TokenError(f"the token refused to {action}: not logged in", code="token.not_logged_in")
    name = type(ex).__name__
    return errors.TokenError(f"the token failed to {action} ({name})")


@dataclass(frozen=True)
class TokenInfo:
    module_path: str
    slot_id: int
    slot_description: str
    slot_manufacturer: str
    label: str
    serial: str
    manufacturer: str
    model: str
    flags: int

    @property
    def login_required(self) -> bool:
        return bool(self.flags & TokenFlag.LOGIN_REQUIRED)

    @property
    def pin_pad(self) -> bool:
        return bool(self.flags & TokenFlag.PROTECTED_AUTHENTICATION_PATH)

    @property
    def pin_count_low(self) -> bool:
        return bool(self.flags & TokenFlag.USER_PIN_COUNT_LOW)

    @property
    def pin_final_try(self) -> bool:
        return bool(self.flags & TokenFlag.USER_PIN_FINAL_TRY)

    @property
    def pin_locked(self) -> bool:
        return bool(self.flags & TokenFlag.USER_PIN_LOCKED)


def read_token_info(module_path: str, slot: Any) -> TokenInfo:
    """Fresh C_GetTokenInfo (flags change as PINs are entered). Worker thread only."""
    token = slot.get_token()
    return TokenInfo(
        module_path=module_path,
        slot_id=int(slot.slot_id),
        slot_description=slot.slot_description.strip(),
        slot_manufacturer=slot.manufacturer_id.strip(),
        label=token.label.strip(),
        serial=token.serial.decode("ascii", errors="replace").strip(),
        manufacturer=token.manufacturer_id.strip(),
        model=token.model.strip(),
        flags=int(token.flags),
    )


@dataclass(frozen=True)
class CertificateObject:
    key_id: bytes
    label: str
    certificate: x509.Certificate


@dataclass(frozen=True)
class PublicKeyObject:
    key_id: bytes
    label: str
    key_type: str  # "rsa", "ec" or the PKCS#11 key type name


def _key_type_name(value: Any) -> str:
    if value == KeyType.RSA:
        return "rsa"
    if value == KeyType.EC:
        return "ec"
    return str(getattr(value, "name", value)).lower()


def read_public_objects(session: Any) -> tuple[list[CertificateObject], list[PublicKeyObject]]:
    """X.509 certificates and public keys visible without login. Worker thread only.

    A certificate the token holds but that does not parse is skipped: a corrupt object on a dongle
    must not hide the usable keys next to it.
    """
    certs: list[CertificateObject] = []
    for obj in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE,
                                    Attribute.CERTIFICATE_TYPE: CertificateType.X_509}):
        try:
            attrs = obj.get_attributes([Attribute.VALUE, Attribute.ID, Attribute.LABEL])
            certificate = x509.load_der_x509_certificate(bytes(attrs[Attribute.VALUE]))
        except (pkcs11.PKCS11Error, ValueError, KeyError):
            continue
        certs.append(CertificateObject(bytes(attrs.get(Attribute.ID) or b""),
                                       str(attrs.get(Attribute.LABEL) or ""), certificate))
    keys: list[PublicKeyObject] = []
    for obj in session.get_objects({Attribute.CLASS: ObjectClass.PUBLIC_KEY}):
        try:
            attrs = obj.get_attributes([Attribute.ID, Attribute.LABEL, Attribute.KEY_TYPE])
        except pkcs11.PKCS11Error:
            continue
        keys.append(PublicKeyObject(bytes(attrs.get(Attribute.ID) or b""),
                                    str(attrs.get(Attribute.LABEL) or ""),
                                    _key_type_name(attrs.get(Attribute.KEY_TYPE))))
    return certs, keys


class TokenContext:
    """One open token: its worker, a public session, its capabilities, and at most one login.

    Created and closed by crypto.key_access.open_key. ``ensure_login`` asks the PinSource at most once
    in the context's life; a failure is remembered and re-raised, never retried with a new PIN.
    """

    def __init__(self, worker: ModuleWorker, slot: Any, info: TokenInfo, mechanisms: frozenset[int],
                 pin_source: PinSource, notice: Notice | None = None) -> None:
        self.worker = worker
        self.info = info
        self.mechanisms = mechanisms
        self.profile: TokenProfile = profile_for(worker.path.name, info.manufacturer, info.model)
        self._slot = slot
        self._pin_source = pin_source
        self._notice = notice
        self._public: Any = None
        self._user: Any = None
        self._login_error: errors.CryptoError | None = None
        self._login_lock = threading.Lock()
        self._closed = False

    # --- running jobs ----------------------------------------------------------------------------

    def run(self, job: Callable[[], T], action: str) -> T:
        """Run a job on the module's thread, mapping library errors to crypto.errors."""
        def wrapped() -> T:
            if self._closed:
                raise errors.TokenError("the key session is closed", code="token.session_closed")
            try:
                return job()
            except pkcs11.PKCS11Error as ex:
                raise token_error(ex, action) from ex
        return self.worker.run(wrapped)

    def public_session(self) -> Any:
        """Worker thread only."""
        if self._public is None:
            self._public = self._slot.get_token().open()
        return self._public

    def read_objects(self) -> tuple[list[CertificateObject], list[PublicKeyObject]]:
        return self.run(lambda: read_public_objects(self.public_session()), "read the certificates")

    # --- login -------------------------------------------------------------------------------------

    def ensure_login(self) -> None:
        with self._login_lock:
            if self._user is not None:
                return
            if self._login_error is not None:
                raise self._login_error
            try:
                self._login()
            except errors.CryptoError as ex:
                self._login_error = ex
                raise

    def _login(self) -> None:
        info = self.run(lambda: read_token_info(self.info.module_path, self._slot), "read the token state")
        if info.pin_locked:
            raise errors.PinLocked(f"the token {info.label!r} is locked; unblock it with your CA's tool")
        if not info.login_required:
            self._user = self.run(lambda: self._slot.get_token().open(), "open a session")
            return
        if info.pin_pad:
            if self._notice is not None:
                self._notice(f"Enter the PIN for token {info.label!r} on the reader's PIN pad.")
            self._user = self.run(lambda: self._slot.get_token().open(user_pin=pkcs11.PROTECTED_AUTH),
                                  "log in")
            return
        request = PinRequest(token_label=info.label, token_serial=info.serial,
                             count_low=info.pin_count_low, final_try=info.pin_final_try)
        pin = self._pin_source(request)  # on the caller's thread: it may show a dialog
        if pin is None:
            raise errors.PinCancelled(f"no PIN was given for token {info.label!r}")
        holder = [pin]
        del pin

        def login() -> Any:
            try:
                return self._slot.get_token().open(user_pin=holder[0])
            except pkcs11.UserAlreadyLoggedIn:
                # Another KeySession of this process holds the login; sessions share it.
                return self._slot.get_token().open()
            finally:
                holder.clear()

        self._user = self.run(login, "log in")

    def change_pin(self, new_pin: str) -> None:
        """C_SetPIN: ask the current PIN once (never retried) and set ``new_pin``.

        Runs in its own read-write user session; neither PIN is kept after the call.
        """
        info = self.run(lambda: read_token_info(self.info.module_path, self._slot), "read the token state")
        if info.pin_locked:
            raise errors.PinLocked(f"the token {info.label!r} is locked; unblock it with your CA's tool")
        if info.pin_pad:
            raise errors.MechanismUnsupported(f"token {info.label!r} has a PIN pad: change its PIN on the reader "
                                              "with your CA's tool")
        request = PinRequest(token_label=info.label, token_serial=info.serial,
                             count_low=info.pin_count_low, final_try=info.pin_final_try)
        old = self._pin_source(request)
        if old is None:
            raise errors.PinCancelled(f"no PIN was given for token {info.label!r}")
        holder = [old, new_pin]
        del old

        def job() -> None:
            try:
                try:
                    session = self._slot.get_token().open(user_pin=holder[0], rw=True)
                except pkcs11.UserAlreadyLoggedIn:
                    session = self._slot.get_token().open(rw=True)
                try:
                    session.set_pin(holder[0], holder[1])
                except (pkcs11.PinInvalid, pkcs11.PinLenRange):
                    raise errors.TokenError("the token does not accept the new PIN (its length or characters); "
                                            "the PIN was not changed", code="token.pin_invalid") from None
                finally:
                    session.close()
            finally:
                holder.clear()

        self.run(job, "change the PIN")

    def private_key(self, key_id: bytes) -> Any:
        """The private key object with this CKA_ID. Worker thread only, after ensure_login."""
        session = self._user if self._user is not None else self.public_session()
        found = list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: key_id}))
        if not found:
            raise errors.KeyNotFound(f"token {self.info.label!r} has no private key with id {key_id.hex()}")
        if len(found) > 1:
            raise errors.AmbiguousKey(
                f"token {self.info.label!r} has {len(found)} private keys with id {key_id.hex()}")
        return found[0]

    def close(self) -> None:
        def close_sessions() -> None:
            for session in (self._user, self._public):
                if session is not None:
                    try:
                        session.close()
                    except pkcs11.PKCS11Error:
                        pass  # a removed token has no session left to close
            self._user = self._public = None
        try:
            self.worker.run(close_sessions)
        finally:
            self._closed = True


# --- certificates ----------------------------------------------------------------------------------

SIGNING = "signing"
ENCRYPTION = "encryption"


def key_usages(certificate: x509.Certificate) -> frozenset[str]:
    """What a certificate's key is for: SIGNING (digitalSignature / nonRepudiation) and/or ENCRYPTION
    (keyEncipherment / keyAgreement / dataEncipherment). No keyUsage extension allows both."""
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return frozenset({SIGNING, ENCRYPTION})
    except ValueError:
        return frozenset()  # a malformed extension: usable for nothing
    found = set()
    if usage.digital_signature or usage.content_commitment:
        found.add(SIGNING)
    if usage.key_encipherment or usage.key_agreement or usage.data_encipherment:
        found.add(ENCRYPTION)
    return frozenset(found)


def is_ca_certificate(certificate: x509.Certificate) -> bool:
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except (x509.ExtensionNotFound, ValueError):
        return False


def issuer_chain(leaf: x509.Certificate, pool: list[x509.Certificate]) -> list[x509.Certificate]:
    """The issuers of ``leaf`` found in ``pool``, issuer first, up to a self-issued root if present."""
    chain: list[x509.Certificate] = []
    current = leaf
    for _ in range(10):  # real chains are short; a longer walk means a loop in a hostile pool
        if current.issuer == current.subject:
            break
        issuer = None
        for candidate in pool:
            if candidate.subject != current.issuer or candidate in chain or candidate == current:
                continue
            try:
                current.verify_directly_issued_by(candidate)
            except (ValueError, TypeError, InvalidSignature):
                continue
            issuer = candidate
            break
        if issuer is None:
            break
        chain.append(issuer)
        current = issuer
    return chain


# --- Signer / Decrypter ----------------------------------------------------------------------------


def _public_key_kind(certificate: x509.Certificate) -> str:
    key = certificate.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return "rsa"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "ec"
    return "other"


class Pkcs11Signer:
    """A signing key on a token. Implements crypto.keys.Signer."""

    def __init__(self, context: TokenContext, key_id: bytes, certificate: x509.Certificate,
                 chain: list[x509.Certificate]) -> None:
        self._ctx = context
        self._key_id = key_id
        self._certificate = certificate
        self._chain = list(chain)
        self._kind = _public_key_kind(certificate)

    @property
    def certificate(self) -> x509.Certificate:
        return self._certificate

    @property
    def chain(self) -> list[x509.Certificate]:
        return list(self._chain)

    @property
    def key_id(self) -> bytes:
        return self._key_id

    def supported_signature_algorithms(self) -> list[SignatureAlgorithm]:
        if self._kind == "rsa":
            wanted = [SignatureAlgorithm.RSA_PKCS1V15_SHA256, SignatureAlgorithm.RSA_PSS_SHA256]
        elif self._kind == "ec":
            key = self._certificate.public_key()
            assert isinstance(key, ec.EllipticCurvePublicKey)
            wanted = [SignatureAlgorithm.ECDSA_SHA256, SignatureAlgorithm.ECDSA_SHA384]
            if key.curve.key_size >= 384:
                wanted.reverse()
        else:
            return []
        return [a for a in wanted if plan_signature(a, self._ctx.mechanisms, self._ctx.profile) is not None]

    def sign(self, data: bytes, algorithm: SignatureAlgorithm) -> bytes:
        is_rsa_algorithm = algorithm.value.startswith("rsa")
        if (self._kind == "rsa") != is_rsa_algorithm or self._kind == "other":
            raise errors.MechanismUnsupported(
                f"this {self._kind.upper()} key cannot sign with {algorithm.value}")
        plan = plan_signature(algorithm, self._ctx.mechanisms, self._ctx.profile)
        if plan is None:
            raise errors.MechanismUnsupported(
                f"token {self._ctx.info.label!r} cannot sign with {algorithm.value}")
        payload = data
        if plan.prehash is not None:
            payload = hashlib.new(plan.prehash, data).digest()
            if plan.digest_info:
                payload = DIGEST_INFO_PREFIX[plan.prehash] + payload
        self._ctx.ensure_login()

        def job() -> bytes:
            key = self._ctx.private_key(self._key_id)
            if not hasattr(key, "sign"):
                raise errors.MechanismUnsupported("the token does not allow this key to sign")
            return bytes(key.sign(payload, mechanism=Mechanism(plan.mechanism),
                                  mechanism_param=plan.param))

        signature = self._ctx.run(job, "sign")
        if plan.der_encode_ecdsa:
            half = len(signature) // 2
            if half == 0 or len(signature) % 2:
                raise errors.TokenError("the token returned a malformed ECDSA signature",
                                        code="token.bad_signature")
            signature = encode_dss_signature(int.from_bytes(signature[:half], "big"),
                                             int.from_bytes(signature[half:], "big"))
        return signature


class Pkcs11Decrypter:
    """An encryption key on a token. Implements crypto.keys.Decrypter."""

    def __init__(self, context: TokenContext, key_id: bytes, certificate: x509.Certificate) -> None:
        self._ctx = context
        self._key_id = key_id
        self._certificate = certificate
        self._kind = _public_key_kind(certificate)

    @property
    def certificate(self) -> x509.Certificate:
        return self._certificate

    @property
    def key_id(self) -> bytes:
        return self._key_id

    def decrypt_key_transport(self, encrypted_key: bytes, padding_kind: KeyTransport) -> bytes:
        if self._kind != "rsa":
            raise errors.DecryptionFailed("this key cannot decrypt (not RSA)")
        plan = plan_key_transport(padding_kind, self._ctx.mechanisms, self._ctx.profile)
        if plan is None:
            raise errors.MechanismUnsupported(
                f"token {self._ctx.info.label!r} cannot decrypt with {padding_kind.value}")
        self._ctx.ensure_login()

        def job() -> bytes:
            key = self._ctx.private_key(self._key_id)
            if not hasattr(key, "decrypt"):
                raise errors.MechanismUnsupported("the token does not allow this key to decrypt")
            try:
                return bytes(key.decrypt(encrypted_key, mechanism=Mechanism(plan.mechanism),
                                         mechanism_param=plan.param))
            except (pkcs11.EncryptedDataInvalid, pkcs11.EncryptedDataLenRange, pkcs11.DataLenRange,
                    pkcs11.DataInvalid, pkcs11.GeneralError, pkcs11.FunctionFailed):
                # One error for every bad ciphertext: no padding oracle.
                raise errors.DecryptionFailed("the content key could not be decrypted") from None

        return self._ctx.run(job, "decrypt")

    def exchange(self, peer_public_key: ec.EllipticCurvePublicKey) -> bytes:
        own = self._certificate.public_key()
        if not isinstance(own, ec.EllipticCurvePublicKey):
            raise errors.DecryptionFailed("this key cannot perform key agreement (not EC)")
        if not isinstance(peer_public_key, ec.EllipticCurvePublicKey) or \
                peer_public_key.curve.name != own.curve.name:
            raise errors.DecryptionFailed("the originator key is not on this key's curve")
        if not can_ecdh(self._ctx.mechanisms, self._ctx.profile):
            raise errors.MechanismUnsupported(f"token {self._ctx.info.label!r} cannot do ECDH")
        point = peer_public_key.public_bytes(serialization.Encoding.X962,
                                             serialization.PublicFormat.UncompressedPoint)
        if self._ctx.profile.ecdh_public_point == "der":
            point = bytes([0x04, len(point)]) + point if len(point) < 128 else \
                bytes([0x04, 0x81, len(point)]) + point
        bits = (own.curve.key_size + 7) // 8 * 8
        self._ctx.ensure_login()

        def job() -> bytes:
            key = self._ctx.private_key(self._key_id)
            if not hasattr(key, "derive_key"):
                raise errors.MechanismUnsupported("the token does not allow this key to derive")
            # CKD_NULL: the token returns the raw x coordinate; the CMS KDF runs in software. The
            # derived secret must be readable, and lives only in this session.
            secret = key.derive_key(KeyType.GENERIC_SECRET, bits, mechanism=Mechanism.ECDH1_DERIVE,
                                    mechanism_param=(KDF.NULL, None, point),
                                    template={Attribute.SENSITIVE: False, Attribute.EXTRACTABLE: True,
                                              Attribute.TOKEN: False})
            try:
                return bytes(secret[Attribute.VALUE])
            finally:
                secret.destroy()

        return self._ctx.run(job, "perform key agreement")
