"""The dongle check (the app's "Dongles and certificates" window, the CA doctor): modules, tokens,
certificate pairs with their standing, and the dongle self-test. Qt-free.

Run these on a worker thread (they load PKCS#11 modules, may fetch OCSP answers and log in to a token).
The self-test asks for the PIN through the ``Prompter`` it is given.
"""

from __future__ import annotations

import enum
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509

from bidclient.config import default_trust_paths, extra_module_paths
from bidclient.interaction import Prompter
from bidclient.jobs import Cancel, never_cancel
from bidclient.signin_check import Assessment, assess
from crypto import cms_envelope, cms_sign, key_access
from crypto.errors import CryptoError, OperationCancelled
from crypto.key_access import KeyPairListing, ModuleInfo, TokenListing, discover_modules, list_tokens, open_key
from crypto.pin import PinRequest
from crypto.trust import KeyUsagePurpose, TrustList

TEST_MESSAGE = "bidclient dongle self-test: 投标文件签名与加密测试".encode()


@dataclass(frozen=True)
class ModuleRow:
    module: ModuleInfo
    error: str | None  # None when the module loaded
    tokens: int


class CheckedUsage(enum.StrEnum):
    """What a certificate pair is checked for."""

    SIGNING = "signing"
    ENCRYPTION = "encryption"


class SelfTestStepName(enum.StrEnum):
    SIGN = "sign"
    VERIFY = "verify"
    ENCRYPT = "encrypt"
    DECRYPT = "decrypt"


@dataclass(frozen=True)
class PairRow:
    pair: KeyPairListing
    usage: CheckedUsage
    assessment: Assessment


@dataclass(frozen=True)
class TokenRow:
    listing: TokenListing
    pairs: list[PairRow]


@dataclass
class DoctorReport:
    modules: list[ModuleRow] = field(default_factory=list)
    tokens: list[TokenRow] = field(default_factory=list)
    trust_sources: list[Path] = field(default_factory=list)
    trust_error: str | None = None


def _load_trust() -> tuple[TrustList | None, list[Path], str | None]:
    paths = default_trust_paths()
    if not paths:
        return None, [], "no trust list is configured (BIDCLIENT_TRUST or ~/.config/bidclient/trust)"
    try:
        return TrustList.load(paths), paths, None
    except CryptoError as ex:
        return None, paths, ex.message


def examine(*, extra_modules: list[Path] | None = None, progress: Callable[[int, int], None] | None = None,
            cancelled: Cancel = never_cancel) -> DoctorReport:
    """Every module (loaded or not, and why), every token, every pair with its trust assessment."""
    modules = discover_modules(extra_modules if extra_modules is not None else extra_module_paths())
    listings = list_tokens(modules)
    failed = {f.module.path: f.error.message for f in listings.failures}
    trust, sources, trust_error = _load_trust()
    report = DoctorReport(trust_sources=sources, trust_error=trust_error)
    for module in modules:
        count = sum(1 for t in listings if t.module.path == module.path)
        report.modules.append(ModuleRow(module, failed.get(module.path), count))
    total = sum(len(t.pairs) for t in listings)
    done = 0
    for listing in listings:
        rows = []
        for pair in listing.pairs:
            if cancelled():
                return report
            purpose: KeyUsagePurpose = "signing" if "signing" in pair.usages else "encryption"
            rows.append(PairRow(pair, CheckedUsage(purpose), assess(pair.certificate, trust, purpose)))
            done += 1
            if progress is not None:
                progress(done, total)
        report.tokens.append(TokenRow(listing, rows))
    return report


@dataclass(frozen=True)
class SelfTestStep:
    name: SelfTestStepName
    ok: bool


@dataclass
class SelfTestResult:
    steps: list[SelfTestStep] = field(default_factory=list)
    error: BaseException | None = None
    signing_certificate: x509.Certificate | None = None
    encryption_certificate: x509.Certificate | None = None

    @property
    def passed(self) -> bool:
        return self.error is None and len(self.steps) == 4 and all(s.ok for s in self.steps)


def change_token_pin(token_uri: str, prompter: Prompter, new_pin: str, cancelled: Cancel = never_cancel) -> None:
    """Change the token's user PIN: the current PIN is asked once through ``prompter``, never retried;
    once ``cancelled()`` says stop, no PIN is asked and nothing changes."""

    def current_pin(request: PinRequest) -> str | None:
        return None if cancelled() else prompter.ask_pin(request)  # None: PinCancelled, nothing changed

    key_access.change_pin(token_uri, current_pin, new_pin)


class NoEncryptionCertificate(CryptoError):
    code = "token.key_not_found"


SELF_TEST_STEPS = 4


def self_test(token_uri: str, prompter: Prompter, *, progress: Callable[[int, int], None] | None = None,
              cancelled: Cancel = never_cancel) -> SelfTestResult:
    """Sign and verify a test message, then encrypt it to the token's encryption certificate and
    decrypt it with the token: what the opening will ask of the dongle. One KeySession, one PIN.

    ``progress(done, SELF_TEST_STEPS)`` follows the steps; ``cancelled()`` is looked at between steps
    (a step already sent to the token runs to its end) and stops the test with OperationCancelled."""
    result = SelfTestResult()

    def step(name: SelfTestStepName, ok: bool) -> None:
        result.steps.append(SelfTestStep(name, ok))
        if progress is not None:
            progress(len(result.steps), SELF_TEST_STEPS)
        if cancelled() and len(result.steps) < SELF_TEST_STEPS:
            raise OperationCancelled("the dongle test was stopped")

    try:
        if progress is not None:
            progress(0, SELF_TEST_STEPS)
        def pin(request: PinRequest) -> str | None:
            return None if cancelled() else prompter.ask_pin(request)  # stopped: no PIN is asked

        with open_key(token_uri, pin) as session:
            if cancelled():  # stopped while the PIN was being asked
                raise OperationCancelled("the dongle test was stopped")
            signer = session.signer()
            result.signing_certificate = signer.certificate
            signature = cms_sign.sign_detached(TEST_MESSAGE, signer)
            step(SelfTestStepName.SIGN, True)
            info = cms_sign.verify_detached(TEST_MESSAGE, signature)
            step(SelfTestStepName.VERIFY, info.signer_certificate == signer.certificate)
            certificate = session.encryption_certificate
            if certificate is None:
                raise NoEncryptionCertificate("the token holds no encryption certificate, so no bid sealed "
                                              "to it could be opened")
            result.encryption_certificate = certificate
            sealed = io.BytesIO()
            cms_envelope.encrypt(io.BytesIO(TEST_MESSAGE), sealed, [certificate])
            step(SelfTestStepName.ENCRYPT, True)
            opened = cms_envelope.decrypt_bytes(sealed.getvalue(), session.decrypter(certificate))
            step(SelfTestStepName.DECRYPT, opened == TEST_MESSAGE)
    except Exception as ex:  # reported to the user through describe(); the test itself must not crash
        result.error = ex
    return result
