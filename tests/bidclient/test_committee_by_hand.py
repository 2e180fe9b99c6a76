"""The disaster-recovery recipe of docs/formats/committee-key.md, run literally on a bid sealed by the CLI.

A bidder seals with `bidclient seal --to committee.pem` (a certificate carrying a 2-of-3 committee key
made by distributed key generation); two members then rebuild the key by hand from their encrypted
shares with OpenSSL, jq and python3 and open the bid. The shell block is taken from the document, so the
document stays true.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from devtools.pki import DevPki
from tests.crypto.committee_fixtures import run_ceremony
from tests.crypto.softhsm_fixtures import make_ca

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "formats" / "committee-key.md"
TOOLS = ("openssl", "unzip", "jq", "base64", "python3", "bash")

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in TOOLS), reason=f"needs {', '.join(TOOLS)}")


def recipe() -> str:
    text = DOC.read_text(encoding="utf-8").split("## 7. Disaster recovery", 1)[1].split("\n## ", 1)[0]
    blocks = [block.split("```", 1)[0] for block in text.split("```sh\n")[1:]]
    assert len(blocks) == 1, "the recovery section should hold one sh block"
    return blocks[0]


def bash(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, capture_output=True,
                          text=True, check=False, timeout=120)


@pytest.fixture(scope="module")
def work(pki: DevPki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out as the recipe expects, with bid.bid sealed by enterprise B through the CLI."""
    work = tmp_path_factory.mktemp("committee-by-hand")
    committee = run_ceremony(make_ca("Agency CA"), 2, 3)
    (work / "shares").mkdir()
    for share in committee.shares:
        (work / "shares" / f"share-{share.sender}-to-{share.receiver}.json").write_bytes(share.to_bytes())
    for j, key in committee.member_keys.items():
        (work / f"member-{j}-cert.pem").write_bytes(key.certificate.public_bytes(serialization.Encoding.PEM))
        (work / f"member-{j}-key.pem").write_bytes(key._key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (work / "committee.pem").write_bytes(committee.certificate.public_bytes(serialization.Encoding.PEM))
    src = work / "my-bid"
    (src / "商务").mkdir(parents=True)
    (src / "商务" / "报价单.pdf").write_bytes(b"%PDF-1.7 price schedule\n" + os.urandom(5000))
    (src / "bid letter.pdf").write_bytes(b"%PDF-1.7 letter\n")
    bidder = pki.party("ent-b")
    assert bidder.signing_uri is not None
    env = pki.softhsm_env()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-m", "bidclient.cli.main", "seal", "my-bid",
                           "--key", bidder.signing_uri, "--to", "committee.pem",
                           "--tender-id", "ZB-2026-0042", "-o", "bid.bid"],
                          cwd=work, env=env, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    return work


def test_two_members_rebuild_the_key_by_hand_and_open_the_bid(work: Path) -> None:
    result = bash(recipe(), work)
    assert result.returncode == 0, result.stdout + result.stderr
    with zipfile.ZipFile(work / "bid.zip") as z:
        names = set(z.namelist())
        assert {"manifest.json", "manifest.json.p7s", "商务/报价单.pdf", "bid letter.pdf"} <= names
        assert z.read("商务/报价单.pdf") == (work / "my-bid" / "商务" / "报价单.pdf").read_bytes()
    # The rebuilt key is readable only by its owner, and no intermediate secret is left behind.
    assert stat.S_IMODE((work / "recovered.pem").stat().st_mode) == 0o600
    leftovers = {p.name for p in work.iterdir()} & {"y.hex", "key.der", "key.conf", "share.der",
                                                   "x-1.values", "x-3.values"}
    assert leftovers == set()


def test_a_member_with_the_wrong_shares_is_caught_before_the_bid_is_touched(work: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(work, copy, ignore=shutil.ignore_patterns("bid.zip", "recovered.pem"))
    # Member 3's shares are swapped for member 2's: the values decrypt (with member 2's key files under
    # member 3's names) but rebuild a key that is not the committee's; step 4 refuses it.
    for i in (1, 2, 3):
        shutil.copy(work / "shares" / f"share-{i}-to-2.json", copy / "shares" / f"share-{i}-to-3.json")
    shutil.copy(work / "member-2-cert.pem", copy / "member-3-cert.pem")
    shutil.copy(work / "member-2-key.pem", copy / "member-3-key.pem")
    result = bash(recipe(), copy)
    assert result.returncode != 0
    assert "differ" in result.stdout + result.stderr  # cmp in step 4, not an earlier step
    assert not (copy / "bid.zip").exists()
