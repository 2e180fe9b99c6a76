"""A committee key ceremony run in software, for the threshold tests (tests/crypto, tests/bidclient)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from crypto import threshold as th
from crypto.software_key import SoftwareKey
from tests.crypto.softhsm_fixtures import Ca, make_leaf


def committee_certificate(ca: Ca, public_key: ec.EllipticCurvePublicKey, cn: str) -> x509.Certificate:
    """What the agency issues for the committee key: an ordinary keyAgreement certificate."""
    now = datetime.datetime.now(datetime.UTC)
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                                     x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Opening committee"),
                                     x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
            .issuer_name(ca.certificate.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False, key_agreement=True,
                                         key_cert_sign=False, crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .sign(ca.key, hashes.SHA256()))


@dataclass
class Committee:
    ceremony: th.Ceremony
    member_keys: dict[int, SoftwareKey]
    dealers: dict[int, th.Dealer]
    key: th.CommitteeKey
    shares: list[th.EncryptedShare]
    key_shares: dict[int, th.KeyShare]
    certificate: x509.Certificate


def run_ceremony(ca: Ca, k: int, n: int) -> Committee:
    """A whole DKG for k of n members with software encryption keys, every message through its bytes."""
    ceremony = th.Ceremony(f"ZB-2026-0042/committee-{k}-of-{n}", k, n)
    member_keys: dict[int, SoftwareKey] = {}
    for j in range(1, n + 1):
        key = ec.generate_private_key(ec.SECP256R1())
        member_keys[j] = SoftwareKey(key, make_leaf(ca, f"Committee member {j}", key, "enc"))
    dealers = {i: th.Dealer(ceremony, i) for i in range(1, n + 1)}
    # Everything crosses the wire as bytes: parse what was serialized, as a receiving client does.
    commitments = [th.Commitments.from_bytes(d.commitments().to_bytes()) for d in dealers.values()]
    key = th.CommitteeKey.from_commitments(ceremony, commitments)
    shares = [th.EncryptedShare.from_bytes(d.encrypt_share(j, member_keys[j].certificate).to_bytes())
              for d in dealers.values() for j in range(1, n + 1)]
    key_shares = {j: th.member_key_share(key, j, shares, member_keys[j]) for j in range(1, n + 1)}
    return Committee(ceremony, member_keys, dealers, key, shares, key_shares,
                     committee_certificate(ca, key.public_key, f"Committee {k} of {n}"))
