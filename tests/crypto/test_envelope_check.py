"""check_file: proving a key opens an envelope without releasing any plaintext."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bidclient.certfiles import load_certificate
from crypto import cms_envelope
from crypto.errors import DecryptionFailed, NotARecipient
from crypto.pkcs12 import load_pkcs12


def _key(pki, party: str, kind: str):  # type: ignore[no-untyped-def]
    p = pki.party(party)
    path = p.encryption_p12 if kind == "encryption" else p.signing_p12
    return load_pkcs12(path, lambda _request: p.p12_password).key


def test_check_file_opens_counts_and_detects_tampering(pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cert = load_certificate(pki.party("ent-b").encryption_cert)
    data = bytes(range(256)) * 5000
    sealed = tmp_path / "x.p7m"
    with open(sealed, "wb") as out:
        cms_envelope.encrypt(io.BytesIO(data), out, [cert])
    key = _key(pki, "ent-b", "encryption")
    info, size = cms_envelope.check_file(sealed, key)
    assert size == len(data)
    assert info.cipher is cms_envelope.ContentCipher.AES_256_GCM
    assert list(tmp_path.iterdir()) == [sealed]  # nothing written beside it

    raw = bytearray(sealed.read_bytes())
    raw[-40] ^= 0x01
    tampered = tmp_path / "tampered.p7m"
    tampered.write_bytes(bytes(raw))
    with pytest.raises(DecryptionFailed):
        cms_envelope.check_file(tampered, key)
    with pytest.raises(NotARecipient):
        cms_envelope.check_file(sealed, _key(pki, "ent-a", "encryption"))
