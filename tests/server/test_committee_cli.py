"""The committee key ceremony end to end with the CLI, SoftHSM dongles and a real server (SQLite and
PostgreSQL): the agency names a 2-of-3 committee, every member deals, checks and acknowledges with its
dongle (two members' keys on one shared token), the agency signs a format-3 tender naming the committee,
and a bidder's `bidclient seal --tender` checks the committee and seals to it as well as to itself —
OpenSSL still opens the bid with the bidder's key, and any k members' partial results open it too.
A tender whose committee does not check is refused with tender.committee_invalid."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from bidclient.cli.main import main
from bidclient.protocol.common import canonical_json
from crypto import cms_envelope, cms_sign, token_worker
from crypto import threshold as th
from crypto.key_access import open_key
from crypto.pin import pin_from_source_spec
from devtools.pki import DevPki, Party
from tests.crypto.softhsm_fixtures import KeyPair, make_softhsm
from tests.server.committee_helpers import grant
from tests.server.test_tenders import draft, make_pdf

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
AGENCY = "opener-1"  # the agency, and member 1 of its own committee
BIDDER = "ent-a-ec"


def _pair(party: Party, role: str, key_id: int, label: str) -> KeyPair:
    cert_path = party.signing_cert if role == "signing" else party.encryption_cert
    key_path = party.signing_key if role == "signing" else party.encryption_key
    assert cert_path is not None and key_path is not None
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    rsa = key.__class__.__name__.startswith("_RSA") or "RSA" in type(key).__name__
    usage = ("sign",) if role == "signing" else ("decrypt",) if rsa else ("derive",)
    return KeyPair(bytes([key_id]), label, key, cert, usage)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Tokens:
    uris: dict[str, str]  # "<party>-signing" / "<party>-encryption" -> pkcs11 URI


@pytest.fixture(scope="module")
def tokens(pki: DevPki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tokens]:
    """The agency's own dongle; one shared token holding members ent-a's and ent-b's pairs; the bidder's."""
    hsm = make_softhsm(tmp_path_factory.mktemp("committee-tokens") / "softhsm")
    layout = {"agency": [AGENCY], "members": ["ent-a", "ent-b"], "bidder": [BIDDER]}
    uris: dict[str, str] = {}
    for token, parties in layout.items():
        hsm.init_token(token, pki.user_pin)
        for n, name in enumerate(parties):
            for r, role in enumerate(("signing", "encryption")):
                label = f"{name}-{role}"
                hsm.add_pair(token, _pair(pki.party(name), role, 0x10 * (n + 1) + r, label), pki.user_pin)
                uris[label] = (f"pkcs11:token={token};object={label}?module-path={MODULE}"
                               f"&pin-source=file:{pki.pin_file}")
    previous = os.environ.get("SOFTHSM2_CONF")
    token_worker.shutdown_all()  # SoftHSM reads SOFTHSM2_CONF when the module is initialised
    os.environ["SOFTHSM2_CONF"] = str(hsm.conf)
    yield Tokens(uris)
    token_worker.shutdown_all()
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def run(capsys: Any, *args: str) -> str:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, out + err
    return out


def member_args(tokens: Tokens, party: str) -> list[str]:
    return ["--key", tokens.uris[f"{party}-signing"], "--encryption-key", tokens.uris[f"{party}-encryption"]]


def test_the_ceremony_with_the_cli_and_a_bid_sealed_to_the_committee(  # type: ignore[no-untyped-def]
        live_server, pki, tokens: Tokens, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("BIDCLIENT_NO_KEYRING", "1")
    grant(live_server, pki, AGENCY, "agency")
    for party in ("ent-a", "ent-b"):
        grant(live_server, pki, party, "supervisor")
    server = ["--server", live_server.url]
    members = [AGENCY, "ent-a", "ent-b"]
    certs: list[str] = []
    for party in members:
        certs += ["--member", str(pki.party(party).signing_cert), str(pki.party(party).encryption_cert)]
    out = run(capsys, "committee", "create", "--tender", "ZB-2026-0100", "-k", "2", *certs,
              "--key", tokens.uris[f"{AGENCY}-signing"], *server)
    assert "Committee ZB-2026-0100.committee-1 for tender ZB-2026-0100: 2 of 3, dealing" in out
    cid = "ZB-2026-0100.committee-1"
    for party in members:
        run(capsys, "committee", "deal", cid, *member_args(tokens, party), *server)
    out = run(capsys, "committee", "check", cid, *member_args(tokens, "ent-b"), *server)
    assert "All 3 shares sent to you (member 3) check out" in out
    # A member cannot acknowledge without saying yes (no terminal here): nothing is signed.
    assert main(["committee", "ack", cid, *member_args(tokens, "ent-a"), *server]) != 0
    assert "cancelled" in capsys.readouterr().err
    for party in members:
        out = run(capsys, "committee", "ack", cid, "--yes", *member_args(tokens, party), *server)
    assert f"Committee {cid} for tender ZB-2026-0100: 2 of 3, complete" in out
    out = run(capsys, "committee", "verify", cid, "--trust", str(pki.trust_dir), "-o", str(tmp_path / "c.json"),
              *server)
    assert "checks out: 2 of 3" in out
    committee = json.loads((tmp_path / "c.json").read_text())
    assert committee["id"] == cid and len(committee["acks"]) == 3

    # The agency signs a format-3 tender naming the committee, after the ceremony.
    make_pdf(tmp_path / "招标文件.pdf", "tender document")
    definition = draft(pki, "ZB-2026-0100") | {"committee": committee}
    (tmp_path / "def.json").write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    run(capsys, "login", "--key", tokens.uris[f"{AGENCY}-signing"], *server)  # the members logged in last
    run(capsys, "tender", "publish", str(tmp_path / "def.json"), "--documents", str(tmp_path / "招标文件.pdf"),
        "--key", tokens.uris[f"{AGENCY}-signing"], *server)
    folder = tmp_path / "fetched"
    run(capsys, "tender", "fetch", "ZB-2026-0100", "-o", str(folder), "--trust", str(pki.trust_dir), *server)
    assert json.loads((folder / "tender.json").read_text())["format"] == "bidclient-tender/3"

    # The bidder seals: to the opening certificate, the committee certificate and its own.
    bid = tmp_path / "bid"
    bid.mkdir()
    (bid / "letter.pdf").write_bytes(b"%PDF-1.7 bid letter\n")
    monkeypatch.setenv("BIDCLIENT_TRUST", str(pki.trust_dir))
    run(capsys, "seal", str(bid), "--key", tokens.uris[f"{BIDDER}-signing"], "--enc-key",
        tokens.uris[f"{BIDDER}-encryption"], "--tender", str(folder), "-o", str(tmp_path / "b.bid"))
    committee_cert = x509.load_pem_x509_certificate(committee["certificate"].encode())
    with open(tmp_path / "b.bid", "rb") as f:
        recipients = cms_envelope.describe(f).recipients
    assert any(r.matches(committee_cert) for r in recipients) and len(recipients) == 3
    # OpenSSL reads it with the bidder's own key file.
    bidder = pki.party(BIDDER)
    done = subprocess.run(["openssl", "cms", "-decrypt", "-binary", "-inform", "DER", "-in", str(tmp_path / "b.bid"),
                           "-recip", str(bidder.encryption_cert), "-inkey", str(bidder.encryption_key),
                           "-out", str(tmp_path / "by-openssl.zip")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "by-openssl.zip").read_bytes()[:2] == b"PK"
    # Members 1 and 3 (k = 2) open it with partial results computed from their shares, with their dongles.
    key = th.CommitteeKey.from_commitments(th.Ceremony(cid, 2, 3), [th.Commitments.from_bytes(
        base64.b64decode(c)) for c in committee["commitments"]])
    data = (tmp_path / "b.bid").read_bytes()
    (ephemeral,) = th.ephemeral_keys(data, committee_cert)
    context = th.opening_context("ZB-2026-0100", "0" * 64)
    partials = []
    from bidclient import committee as core
    from bidclient.cli.prompt import TerminalPrompter

    for number, party in ((1, AGENCY), (3, "ent-b")):
        with core.open_member(live_server.url, tokens.uris[f"{party}-signing"], TerminalPrompter(),
                              encryption_key=tokens.uris[f"{party}-encryption"]) as me:
            share = core.key_share(me, cid)  # recomputed in memory from the encrypted shares
        assert share.member == number
        partials.append(th.compute_partial(share, ephemeral, context))
    secret = th.combine_partials(key, partials, context, ephemeral)
    cms_envelope.decrypt_file(tmp_path / "b.bid", tmp_path / "by-committee.zip",
                              th.CommitteeDecrypter(committee_cert, {ephemeral: secret}))
    assert (tmp_path / "by-committee.zip").read_bytes() == (tmp_path / "by-openssl.zip").read_bytes()


def test_a_tender_whose_committee_does_not_check_is_refused(pki, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """Everything signed by the agency, but the committee certificate carries another key than the one
    the members acknowledged, or expires before the opening: `seal --tender` refuses it by name and
    writes nothing."""
    from bidclient.committee import commitments_sha256
    from crypto import identity
    from crypto.software_key import SoftwareKey
    from tests.crypto.committee_fixtures import committee_certificate
    from tests.crypto.softhsm_fixtures import make_ca, make_leaf

    ca = make_ca("Agency CA")
    ceremony = th.Ceremony("ZB-2026-0101.committee-1", 2, 3)
    signers = {}
    for j in (1, 2, 3):
        private = ec.generate_private_key(ec.SECP256R1())
        signers[j] = SoftwareKey(private, make_leaf(ca, f"Committee member {j}", private, "sign"))
    key = th.CommitteeKey.from_commitments(ceremony, [th.Dealer(ceremony, i).commitments() for i in (1, 2, 3)])
    other = th.CommitteeKey.from_commitments(ceremony, [th.Dealer(ceremony, i).commitments() for i in (1, 2, 3)])

    def entry(certificate: x509.Certificate) -> dict[str, Any]:
        return {"id": ceremony.ceremony_id, "threshold": 2,
                "members": [{"number": j, "identity": identity.identity_of(signers[j].certificate).key,
                             "signing_certificate": _pem(signers[j].certificate),
                             "encryption_certificate": _pem(signers[j].certificate)} for j in (1, 2, 3)],
                "certificate": _pem(certificate),
                "commitments": [base64.b64encode(c.to_bytes()).decode() for c in key.commitments],
                "commitments_sha256": commitments_sha256(key.commitments),
                "acks": [{"member": j, "signature": base64.b64encode(cms_sign.sign_detached(
                    th.Acknowledgment.for_member(key, j).to_bytes(), signers[j])).decode()} for j in (1, 2, 3)]}

    real_cert = committee_certificate(ca, key.public_key, "committee")
    other_cert = committee_certificate(ca, other.public_key, "committee")
    import datetime

    from cryptography.hazmat.primitives import hashes

    now = datetime.datetime.now(datetime.UTC)
    short_cert = (x509.CertificateBuilder().subject_name(real_cert.subject).issuer_name(real_cert.issuer)
                  .public_key(key.public_key).serial_number(x509.random_serial_number())
                  .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
                  .add_extension(real_cert.extensions.get_extension_for_class(x509.KeyUsage).value, critical=True)
                  .sign(ca.key, hashes.SHA256()))  # type: ignore[arg-type]
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    cases = (("good", real_cert, 0, ""), ("swapped", other_cert, 1, "does not carry the key"),
             ("short", short_cert, 1, "before the opening"))  # the draft's opening is 10 days away
    for name, cert, expected, why in cases:
        folder = tmp_path / name
        (folder / "documents").mkdir(parents=True)
        pdf = make_pdf(folder / "documents" / "招标文件.pdf", "tender document")
        from bidclient import tender_package as tp

        definition = tp.prepare_definition(draft(pki, "ZB-2026-0101") | {"committee": entry(cert)},
                                           [tp.document_entry(pdf)])
        content = canonical_json(definition.model_dump(mode="json"))
        (folder / "tender.json").write_bytes(content)
        with open_key(str(pki.party(AGENCY).signing_p12), pin_from_source_spec(f"file:{pki.pin_file}")) as s:
            (folder / "tender.json.p7s").write_bytes(cms_sign.sign_detached(content, s.signer()))
        bid = tmp_path / f"bid-{name}"
        bid.mkdir()
        (bid / "letter.pdf").write_bytes(b"%PDF-1.7 bid letter\n")
        code = main(["seal", str(bid), "--key", str(pki.party("ent-b").signing_p12), "--pin-source",
                     f"file:{pki.pin_file}", "--enc-key", str(pki.party("ent-b").encryption_p12),
                     "--tender", str(folder), "-o", str(tmp_path / f"{name}.bid")])
        out, err = capsys.readouterr()
        assert code == expected, out + err
        if expected:
            assert "tender.committee_invalid" in err and why in err
            assert not (tmp_path / f"{name}.bid").exists()
    shutil.rmtree(tmp_path / "config", ignore_errors=True)


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
