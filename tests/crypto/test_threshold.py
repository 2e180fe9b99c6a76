"""The committee opening key (crypto.threshold): DKG, shares on dongles, partial decryption, recovery.

Bids are real CMS envelopes written by bidclient's writer and by `openssl cms -encrypt` to a certificate
carrying the committee's public key; they are opened only through members' partial results (or, for
disaster recovery, with `openssl cms -decrypt` and the reconstructed key).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from crypto import _ec_points as ecp
from crypto import threshold as th
from crypto import token_worker
from crypto.cms_envelope import decrypt_bytes, decrypt_file, encrypt
from crypto.errors import (
    BadCommitments,
    BadPartial,
    BadShare,
    CommitteeKeyMismatch,
    CommitteeMessageMalformed,
    CommitteeParametersInvalid,
    DecryptionFailed,
    NotEnoughPartials,
)
from crypto.key_access import open_key
from crypto.pin import PinRequest
from crypto.software_key import SoftwareKey
from tests.crypto.committee_fixtures import Committee, committee_certificate, run_ceremony
from tests.crypto.softhsm_fixtures import MODULE as SOFTHSM_MODULE
from tests.crypto.softhsm_fixtures import USER_PIN as SOFTHSM_PIN
from tests.crypto.softhsm_fixtures import Ca, KeyPair, make_ca, make_leaf, make_softhsm

SIZES = [(1, 1), (2, 3), (3, 5)]


@pytest.fixture(scope="module")
def ca() -> Ca:
    return make_ca("Agency CA")


@pytest.fixture(scope="module")
def committees(ca: Ca) -> dict[tuple[int, int], Committee]:
    return {(k, n): run_ceremony(ca, k, n) for k, n in SIZES}


@pytest.fixture(scope="module")
def bidder(ca: Ca) -> SoftwareKey:
    key = ec.generate_private_key(ec.SECP256R1())
    return SoftwareKey(key, make_leaf(ca, "Bidder encryption", key, "enc"))


def _pem(tmp_path: Path, name: str, cert: x509.Certificate) -> Path:
    path = tmp_path / name
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def _openssl(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["openssl", *map(str, args)], capture_output=True, check=False, timeout=120)


def _seal(writer: str, data: bytes, committee: Committee, bidder: SoftwareKey, tmp_path: Path) -> bytes:
    """A bid sealed to the committee certificate and the bidder's own, by bidclient or by OpenSSL."""
    if writer == "bidclient":
        out = io.BytesIO()
        encrypt(io.BytesIO(data), out, [bidder.certificate, committee.certificate])
        return out.getvalue()
    plain = tmp_path / "bid.zip"
    plain.write_bytes(data)
    sealed = tmp_path / "bid.bid"
    cipher = {"openssl-aes-256-gcm": "-aes-256-gcm", "openssl-aes256": "-aes256"}[writer]
    r = _openssl("cms", "-encrypt", cipher, "-binary", "-outform", "DER", "-in", plain, "-out", sealed,
                 "-recip", _pem(tmp_path, "bidder.pem", bidder.certificate),
                 "-recip", _pem(tmp_path, "committee.pem", committee.certificate),
                 "-keyopt", "ecdh_kdf_md:sha256")
    assert r.returncode == 0, r.stderr.decode()
    return sealed.read_bytes()


def _context(bid: bytes) -> str:
    return th.opening_context("ZB-2026-0042", hashlib.sha256(bid).hexdigest())


# --- parameters ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("k", "n", "message"), [
    (0, 3, "the threshold k must be between 1 and the number of members n=3; k=0 was given"),
    (4, 3, "the threshold k must be between 1 and the number of members n=3; k=4 was given"),
    (1, 0, "an opening committee has 1 to 10 members; 0 were given"),
    (2, 11, "an opening committee has 1 to 10 members; 11 were given"),
])
def test_out_of_range_k_and_n_are_refused_with_an_exact_message(k: int, n: int, message: str) -> None:
    with pytest.raises(CommitteeParametersInvalid) as info:
        th.Ceremony("ZB-2026-0042", k, n)
    assert info.value.message == message
    assert info.value.code == "committee.invalid_parameters"


def test_ceremony_id_and_member_indexes_are_checked() -> None:
    with pytest.raises(CommitteeParametersInvalid, match="ceremony id"):
        th.Ceremony("tender 42\n", 2, 3)
    ceremony = th.Ceremony("ZB-2026-0042", 2, 3)
    with pytest.raises(CommitteeParametersInvalid, match="between 1 and 3; 4 was given"):
        th.Dealer(ceremony, 4)
    with pytest.raises(CommitteeParametersInvalid, match="receiver index must be between 1 and 3; 0"):
        th.Dealer(ceremony, 1).share_value(0)


# --- opening with partials -----------------------------------------------------------------------


@pytest.mark.parametrize("writer", ["bidclient", "openssl-aes-256-gcm", "openssl-aes256"])
@pytest.mark.parametrize(("k", "n"), SIZES, ids=[f"{k}-of-{n}" for k, n in SIZES])
def test_every_k_subset_opens_the_bid_and_no_smaller_subset_does(
        committees: dict[tuple[int, int], Committee], bidder: SoftwareKey, tmp_path: Path, writer: str,
        k: int, n: int) -> None:
    committee = committees[(k, n)]
    data = os.urandom(70_000)
    bid = _seal(writer, data, committee, bidder, tmp_path)
    (r_point,) = th.ephemeral_keys(bid, committee.certificate)
    context = _context(bid)
    partials = {j: th.Partial.from_bytes(th.compute_partial(committee.key_shares[j], r_point, context).to_bytes())
                for j in range(1, n + 1)}
    for subset in itertools.combinations(range(1, n + 1), k):
        secret = th.combine_partials(committee.key, [partials[j] for j in subset], context, r_point)
        opened = decrypt_bytes(bid, th.CommitteeDecrypter(committee.certificate, {r_point: secret}))
        assert opened == data, subset
    for subset in itertools.combinations(range(1, n + 1), k - 1):
        with pytest.raises(NotEnoughPartials, match=f"k={k} are needed"):
            th.combine_partials(committee.key, [partials[j] for j in subset], context, r_point)
        # And the mathematics agrees: interpolating k-1 points gives a secret that opens nothing.
        if subset:
            wrong = ecp.x_coordinate(th._interpolate({j: ecp.decode(partials[j].point) for j in subset}))
            with pytest.raises(DecryptionFailed):
                decrypt_bytes(bid, th.CommitteeDecrypter(committee.certificate, {r_point: wrong}))


def test_the_largest_committee_needs_all_ten(ca: Ca, bidder: SoftwareKey, tmp_path: Path) -> None:
    committee = run_ceremony(ca, 10, 10)
    bid = _seal("bidclient", b"ten of ten", committee, bidder, tmp_path)
    (r_point,) = th.ephemeral_keys(bid, committee.certificate)
    partials = {j: th.compute_partial(s, r_point, "ctx") for j, s in committee.key_shares.items()}
    secret = th.combine_partials(committee.key, partials.values(), "ctx", r_point)
    assert decrypt_bytes(bid, th.CommitteeDecrypter(committee.certificate, {r_point: secret})) == b"ten of ten"
    for absent in range(1, 11):
        with pytest.raises(NotEnoughPartials, match="9 member"):
            th.combine_partials(committee.key, [p for j, p in partials.items() if j != absent], "ctx", r_point)


def test_the_combined_secret_is_what_ecdh_with_the_whole_key_gives(
        committees: dict[tuple[int, int], Committee]) -> None:
    committee = committees[(3, 5)]
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    r_point = ephemeral.public_key()
    partials = [th.compute_partial(committee.key_shares[j], r_point, "ctx") for j in (2, 4, 5)]
    secret = th.combine_partials(committee.key, partials, "ctx", r_point)
    assert secret == ephemeral.exchange(ec.ECDH(), committee.key.public_key)


def test_decrypt_file_with_partials_writes_the_bid(committees: dict[tuple[int, int], Committee],
                                                    bidder: SoftwareKey, tmp_path: Path) -> None:
    committee = committees[(2, 3)]
    data = os.urandom(3 << 20)
    src = tmp_path / "bid.bid"
    src.write_bytes(_seal("bidclient", data, committee, bidder, tmp_path))
    (r_point,) = th.ephemeral_keys(src.read_bytes(), committee.certificate)
    partials = [th.compute_partial(committee.key_shares[j], r_point, "c") for j in (1, 3)]
    decrypter = th.CommitteeDecrypter(committee.certificate,
                                      {r_point: th.combine_partials(committee.key, partials, "c", r_point)})
    decrypt_file(src, tmp_path / "bid.zip", decrypter)
    assert (tmp_path / "bid.zip").read_bytes() == data


def test_an_envelope_not_sealed_to_the_committee_has_no_key_agreement_for_it(
        committees: dict[tuple[int, int], Committee], bidder: SoftwareKey) -> None:
    out = io.BytesIO()
    encrypt(io.BytesIO(b"only for the bidder"), out, [bidder.certificate])
    assert th.ephemeral_keys(out.getvalue(), committees[(2, 3)].certificate) == ()


# --- forged partials -----------------------------------------------------------------------------


def _valid_partials(committee: Committee) -> tuple[bytes, str, dict[int, th.Partial]]:
    r_point = ecp.encode(ecp.base_mul(ecp.random_scalar()))
    context = th.opening_context("ZB-2026-0042", "ab" * 32)
    return r_point, context, {j: th.compute_partial(s, r_point, context) for j, s in committee.key_shares.items()}


def test_right_point_with_a_wrong_proof_is_detected_and_named(
        committees: dict[tuple[int, int], Committee]) -> None:
    committee = committees[(3, 5)]
    r_point, context, partials = _valid_partials(committee)
    c, s = partials[4].proof
    forged = replace(partials[4], proof=(c, (s + 1) % ecp.ORDER))
    with pytest.raises(BadPartial) as info:
        forged.verify(committee.key, context, r_point)
    assert info.value.member == 4
    # Another member's (valid) proof on member 4's (right) point: still rejected.
    borrowed = replace(partials[4], proof=partials[2].proof)
    with pytest.raises(BadPartial) as info:
        th.combine_partials(committee.key, [partials[1], borrowed, partials[5], partials[2]], context, r_point)
    assert info.value.member == 4 and info.value.members == (4,)
    assert info.value.code == "committee.bad_partial"


def test_wrong_point_with_the_proof_copied_is_detected_and_named(
        committees: dict[tuple[int, int], Committee]) -> None:
    committee = committees[(3, 5)]
    r_point, context, partials = _valid_partials(committee)
    wrong_point = ecp.encode(ecp.add(ecp.decode(partials[3].point), ecp.generator()))
    forged = replace(partials[3], point=wrong_point)
    with pytest.raises(BadPartial) as info:
        th.combine_partials(committee.key, [partials[1], forged, partials[5]], context, r_point)
    assert info.value.member == 3
    # A member who simply uses a wrong share (and proves honestly about it) is caught the same way.
    liar = replace(committee.key_shares[2], value=(committee.key_shares[2].value + 1) % ecp.ORDER)
    with pytest.raises(BadPartial) as info:
        th.compute_partial(liar, r_point, context).verify(committee.key, context, r_point)
    assert info.value.member == 2


def test_a_proof_is_bound_to_its_bid(committees: dict[tuple[int, int], Committee]) -> None:
    committee = committees[(2, 3)]
    r_point, context, partials = _valid_partials(committee)
    other_context = th.opening_context("ZB-2026-0042", "cd" * 32)
    other_r = ecp.encode(ecp.base_mul(ecp.random_scalar()))
    partials[1].verify(committee.key, context, r_point)  # valid where it was made
    # Replayed for another bid: relabelled with that bid's context, or presented for its key agreement.
    for replayed, ctx, r in [(replace(partials[1], context=other_context), other_context, r_point),
                             (replace(partials[1], ephemeral=other_r), context, other_r),
                             (partials[1], other_context, r_point)]:
        with pytest.raises(BadPartial) as info:
            replayed.verify(committee.key, ctx, r)
        assert info.value.member == 1


def test_partial_messages_round_trip_and_refuse_other_forms(committees: dict[tuple[int, int], Committee]) -> None:
    committee = committees[(2, 3)]
    _, _, partials = _valid_partials(committee)
    data = partials[2].to_bytes()
    assert th.Partial.from_bytes(data) == partials[2]
    with pytest.raises(CommitteeMessageMalformed, match="canonical"):
        th.Partial.from_bytes(data.replace(b",", b", ", 1))
    with pytest.raises(CommitteeMessageMalformed, match="not a point on P-256"):
        th.Partial.from_bytes(data.replace(partials[2].point.hex().encode(), b"04" + b"11" * 64))
    with pytest.raises(CommitteeMessageMalformed, match="version"):
        th.Partial.from_bytes(data.replace(b'"version":1', b'"version":2'))


# --- the key ceremony ----------------------------------------------------------------------------


def test_members_agree_on_the_public_key_and_verification_keys(
        committees: dict[tuple[int, int], Committee]) -> None:
    committee = committees[(3, 5)]
    for j, share in committee.key_shares.items():
        assert ecp.encode(ecp.base_mul(share.value)) == committee.key.verification_key(j)
    # Anyone recomputes the same key from the published commitments alone.
    again = th.CommitteeKey.from_commitments(committee.ceremony,
                                             [d.commitments() for d in committee.dealers.values()])
    assert again.commitments != committee.key.commitments  # fresh proofs of the same coefficients
    assert again.public_point == committee.key.public_point
    assert again.verification_points == committee.key.verification_points
    assert th.CommitteeKey.from_commitments(committee.ceremony, reversed(committee.key.commitments)) \
        .public_point == committee.key.public_point


def test_a_bad_share_is_detected_and_its_sender_named(committees: dict[tuple[int, int], Committee]) -> None:
    committee = committees[(2, 3)]
    good = committee.dealers[2].share_value(3)
    bad = th.EncryptedShare.seal(committee.ceremony, 2, 3, (good + 1) % ecp.ORDER,
                                 committee.member_keys[3].certificate)
    shares = [s for s in committee.shares if not (s.sender == 2 and s.receiver == 3)] + [bad]
    with pytest.raises(BadShare) as info:
        th.member_key_share(committee.key, 3, shares, committee.member_keys[3])
    assert info.value.member == 2 and info.value.members == (2,)
    assert "member 2's share for member 3 does not match member 2's commitments" in info.value.message
    # The other members' shares are unaffected.
    assert th.member_key_share(committee.key, 1, shares, committee.member_keys[1]) == committee.key_shares[1]


def test_a_share_passed_off_for_another_pair_is_named(committees: dict[tuple[int, int], Committee]) -> None:
    committee = committees[(2, 3)]
    real = next(s for s in committee.shares if s.sender == 2 and s.receiver == 3)
    relabelled = replace(real, sender=1)  # the envelope still says "from 2"
    shares = [s for s in committee.shares if not (s.sender == 1 and s.receiver == 3)] + [relabelled]
    with pytest.raises(BadShare) as info:
        th.member_key_share(committee.key, 3, shares, committee.member_keys[3])
    assert info.value.member == 1
    # A share encrypted to someone else cannot be opened: its sender is named too.
    to_other = next(s for s in committee.shares if s.sender == 3 and s.receiver == 1)
    shares = [s for s in committee.shares if not (s.sender == 3 and s.receiver == 2)] + [replace(to_other, receiver=2)]
    with pytest.raises(BadShare) as info:
        th.member_key_share(committee.key, 2, shares, committee.member_keys[2])
    assert info.value.member == 3 and "could not be decrypted" in info.value.message


def test_commitments_without_a_valid_proof_of_knowledge_are_named(
        committees: dict[tuple[int, int], Committee]) -> None:
    committee = committees[(3, 5)]
    commitments = list(committee.key.commitments)
    # A rogue key: member 5 replaces C_0 by its own point minus the others' sum, keeping its proofs.
    others = ecp.infinity()
    for c in commitments[:4]:
        others = ecp.add(others, ecp.decode(c.points[0]))
    rogue_point = ecp.encode(ecp.add(ecp.base_mul(12345), ecp.mul(others, ecp.ORDER - 1)))
    commitments[4] = replace(commitments[4], points=(rogue_point, *commitments[4].points[1:]))
    with pytest.raises(BadCommitments) as info:
        th.CommitteeKey.from_commitments(committee.ceremony, commitments)
    assert info.value.member == 5 and info.value.code == "committee.bad_commitments"
    # Proofs are bound to their ceremony: member 1's commitments replayed in another ceremony fail.
    other = th.Ceremony("ZB-2026-0099/committee", 3, 5)
    replayed = th.Commitments.from_bytes(committee.key.commitments[0].to_bytes().replace(
        committee.ceremony.ceremony_id.encode(), other.ceremony_id.encode()))
    with pytest.raises(BadCommitments) as info:
        replayed.verify()
    assert info.value.member == 1


def test_missing_commitments_are_refused(committees: dict[tuple[int, int], Committee]) -> None:
    committee = committees[(2, 3)]
    with pytest.raises(CommitteeParametersInvalid, match=r"missing from member\(s\) 2"):
        th.CommitteeKey.from_commitments(committee.ceremony, [committee.key.commitments[0],
                                                              committee.key.commitments[2]])


def test_acknowledgment_bytes_are_canonical_and_bind_the_whole_ceremony(
        committees: dict[tuple[int, int], Committee]) -> None:
    committee = committees[(2, 3)]
    ack = th.Acknowledgment.for_member(committee.key, 2)
    data = ack.to_bytes()
    assert data.startswith(b'{"ceremony":"ZB-2026-0042/committee-2-of-3","commitments":["')
    assert b" " not in data and not data.endswith(b"\n")
    parsed = th.Acknowledgment.from_bytes(data)
    assert parsed == ack and parsed.matches(committee.key)
    assert not parsed.matches(committees[(3, 5)].key)
    with pytest.raises(CommitteeMessageMalformed, match="canonical"):
        th.Acknowledgment.from_bytes(data.replace(b'{"ceremony"', b'{ "ceremony"'))
    with pytest.raises(CommitteeMessageMalformed, match="unexpected fields"):
        th.Acknowledgment.from_bytes(data[:-1] + b',"extra":1}')


# --- shares on a dongle --------------------------------------------------------------------------


@dataclass
class _Token:
    ec: KeyPair
    rsa: KeyPair


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory, ca: Ca) -> Iterator[_Token]:
    hsm = make_softhsm(tmp_path_factory.mktemp("softhsm-committee"))
    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_key = rsa.generate_private_key(65537, 2048)
    t = _Token(ec=KeyPair(b"\x21", "member ec enc", ec_key, make_leaf(ca, "Member 2 EC", ec_key, "enc"),
                          ("derive",)),
               rsa=KeyPair(b"\x22", "member rsa enc", rsa_key, make_leaf(ca, "Member 3 RSA", rsa_key, "enc"),
                           ("decrypt",)))
    hsm.init_token("Member 2")
    hsm.add_pair("Member 2", t.ec)
    hsm.init_token("Member 3")
    hsm.add_pair("Member 3", t.rsa)
    previous = os.environ.get("SOFTHSM2_CONF")
    token_worker.shutdown_all()  # SoftHSM reads SOFTHSM2_CONF when the module is initialised
    os.environ["SOFTHSM2_CONF"] = str(hsm.conf)
    yield t
    token_worker.shutdown_all()
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def _pin(request: PinRequest) -> str:
    return SOFTHSM_PIN


def test_shares_sealed_to_dongles_are_opened_with_the_dongle(token: _Token, ca: Ca, bidder: SoftwareKey,
                                                             tmp_path: Path) -> None:
    ceremony = th.Ceremony("ZB-2026-0042/dongles", 2, 3)
    soft = ec.generate_private_key(ec.SECP256R1())
    member1 = SoftwareKey(soft, make_leaf(ca, "Member 1", soft, "enc"))
    certs = {1: member1.certificate, 2: token.ec.certificate, 3: token.rsa.certificate}
    dealers = {i: th.Dealer(ceremony, i) for i in (1, 2, 3)}
    key = th.CommitteeKey.from_commitments(ceremony, [d.commitments() for d in dealers.values()])
    shares = [d.encrypt_share(j, certs[j]) for d in dealers.values() for j in (1, 2, 3)]
    key_shares = {}
    for j, label in ((2, "Member 2"), (3, "Member 3")):
        uri = f"pkcs11:token={label.replace(' ', '%20')}?module-path={SOFTHSM_MODULE}"
        with open_key(uri, _pin) as session:
            key_shares[j] = th.member_key_share(key, j, shares, session.decrypter())
    # A share for member 2 cannot be opened with the software key of member 1.
    with pytest.raises(BadShare):
        th.member_key_share(key, 2, shares, member1)
    committee = Committee(ceremony, {}, dealers, key, shares, key_shares,
                          committee_certificate(ca, key.public_key, "Dongle committee"))
    bid = _seal("bidclient", b"opened by two dongle holders", committee, bidder, tmp_path)
    (r_point,) = th.ephemeral_keys(bid, committee.certificate)
    partials = [th.compute_partial(key_shares[j], r_point, "ctx") for j in (2, 3)]
    secret = th.combine_partials(key, partials, "ctx", r_point)
    assert decrypt_bytes(bid, th.CommitteeDecrypter(committee.certificate, {r_point: secret})) == \
        b"opened by two dongle holders"


# --- disaster recovery ---------------------------------------------------------------------------


@pytest.mark.parametrize("members", [(1, 3), (2, 3), (1, 2)])
def test_k_members_reconstruct_the_key_and_openssl_opens_the_bid(
        committees: dict[tuple[int, int], Committee], bidder: SoftwareKey, tmp_path: Path,
        members: tuple[int, int]) -> None:
    committee = committees[(2, 3)]
    data = os.urandom(5000)
    sealed = tmp_path / "bid.bid"
    sealed.write_bytes(_seal("bidclient", data, committee, bidder, tmp_path))
    pem = th.reconstruct_private_key([committee.key_shares[j] for j in members])
    recovered = tmp_path / "recovered.pem"
    recovered.write_bytes(pem)
    r = _openssl("cms", "-decrypt", "-binary", "-inform", "DER", "-in", sealed,
                 "-recip", _pem(tmp_path, "committee.pem", committee.certificate), "-inkey", recovered,
                 "-out", tmp_path / "bid.zip")
    assert r.returncode == 0, r.stderr.decode()
    assert (tmp_path / "bid.zip").read_bytes() == data


def test_reconstruction_refuses_too_few_or_wrong_shares(committees: dict[tuple[int, int], Committee]) -> None:
    committee = committees[(3, 5)]
    shares = committee.key_shares
    with pytest.raises(NotEnoughPartials, match="2 member"):
        th.reconstruct_private_key([shares[1], shares[4]])
    with pytest.raises(NotEnoughPartials):
        th.reconstruct_private_key([])
    wrong = replace(shares[4], value=(shares[4].value + 7) % ecp.ORDER)
    with pytest.raises(CommitteeKeyMismatch):
        th.reconstruct_private_key([shares[1], wrong, shares[5]])
    with pytest.raises(CommitteeKeyMismatch, match="another ceremony"):
        th.reconstruct_private_key([shares[1], committees[(2, 3)].key_shares[2], shares[5]])


def test_secrets_stay_out_of_reprs(committees: dict[tuple[int, int], Committee]) -> None:
    committee = committees[(2, 3)]
    share = committee.key_shares[1]
    text = repr(share) + repr(committee.dealers[1])
    assert f"{share.value:x}" not in text and str(share.value) not in text


def test_hostile_share_messages_are_refused_with_a_clear_error(
        committees: dict[tuple[int, int], Committee]) -> None:
    committee = committees[(2, 3)]
    share = next(s for s in committee.shares if s.sender == 1 and s.receiver == 2)
    data = share.to_bytes()
    for mangled, message in [
        (data.replace(b'"sender":1', b'"sender":11'), "member number from 1 to 10"),
        (data.replace(b'"sender":1', b'"sender":true'), "valid 'sender'"),
        (data.replace(b'"envelope":"', b'"envelope":"*'), "not base64"),
        (data.replace(b'"ceremony":"', b'"ceremony":"bad id '), "ceremony id"),
        (b"[]", "not a JSON object"),
        (b"\xff", "not ASCII JSON"),
    ]:
        with pytest.raises(CommitteeMessageMalformed, match=message):
            th.EncryptedShare.from_bytes(mangled)
    # An envelope that decrypts to something other than a share value names its sender.
    out = io.BytesIO()
    encrypt(io.BytesIO(b"not a share"), out, [committee.member_keys[2].certificate])
    with pytest.raises(BadShare, match="not well-formed") as info:
        replace(share, envelope=out.getvalue()).open(committee.member_keys[2])
    assert info.value.member == 1


def test_a_complaint_is_settled_by_the_senders_public_disclosure(
        committees: dict[tuple[int, int], Committee]) -> None:
    committee = committees[(2, 3)]
    good = committee.dealers[2].share_value(3)
    bad = th.EncryptedShare.seal(committee.ceremony, 2, 3, (good + 5) % ecp.ORDER,
                                 committee.member_keys[3].certificate)
    shares = [s for s in committee.shares if not (s.sender == 2 and s.receiver == 3)] + [bad]
    with pytest.raises(BadShare):
        th.member_key_share(committee.key, 3, shares, committee.member_keys[3])
    # Member 2 answers member 3's complaint in public; anyone can check the disclosure.
    disclosure = th.ShareDisclosure.from_bytes(committee.dealers[2].disclose(3).to_bytes())
    disclosure.verify(committee.key)
    settled = th.member_key_share(committee.key, 3, shares, committee.member_keys[3], [disclosure])
    assert settled == committee.key_shares[3]
    # A disclosure that does not match the commitments proves the sender at fault.
    lie = replace(disclosure, value=(good + 5) % ecp.ORDER)
    with pytest.raises(BadShare) as info:
        th.member_key_share(committee.key, 3, shares, committee.member_keys[3], [lie])
    assert info.value.member == 2
