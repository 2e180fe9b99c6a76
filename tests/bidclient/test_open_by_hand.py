"""The "open by hand" recipe of docs/formats/sealed-bid.md, run literally on a bid sealed by the CLI.

The recipe's shell blocks are taken from the document itself, so the document stays true: if the CLI
writes something OpenSSL, unzip or sha256sum cannot check, or the recipe drifts, this fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.pki import DevPki

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "formats" / "sealed-bid.md"
TOOLS = ("openssl", "unzip", "jq", "sha256sum", "bash")

pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in TOOLS),
                                reason=f"needs {', '.join(TOOLS)}")


def recipe_blocks() -> tuple[str, str]:
    """The by-hand recipe (steps 1-5) and its Python variant of step 5, as the document has them."""
    text = DOC.read_text(encoding="utf-8").split("## 7. Opening a sealed bid by hand", 1)[1]
    blocks = [block.split("```", 1)[0] for block in text.split("```sh\n")[1:]]
    assert len(blocks) == 2, "the recipe section should hold two sh blocks"
    return blocks[0], blocks[1]


def bash(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, capture_output=True,
                          text=True, check=False, timeout=120)


@pytest.fixture(scope="module")
def by_hand(pki: DevPki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with bid.bid sealed by enterprise B's EC token (issued by an intermediate CA) for opener-1,
    and the recipe's inputs: enc-cert.pem / enc-key.pem (opener-1) and ca.pem (the EC root only)."""
    work = tmp_path_factory.mktemp("by-hand")
    src = work / "my-bid"
    (src / "tech").mkdir(parents=True)
    (src / "商务").mkdir()
    (src / "tech" / "proposal.pdf").write_bytes(b"%PDF-1.7 technical proposal\n" + os.urandom(20_000))
    (src / "商务" / "报价单.pdf").write_bytes(b"%PDF-1.7 price schedule\n")
    (src / "bid letter.pdf").write_bytes(b"%PDF-1.7 letter\n")
    opener = pki.party("opener-1")
    bidder = pki.party("ent-b")
    assert opener.encryption_cert is not None and opener.encryption_key is not None
    assert bidder.signing_uri is not None
    env = pki.softhsm_env()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-m", "bidclient.cli.main", "seal", "my-bid",
                           "--key", bidder.signing_uri, "--to", str(opener.encryption_cert),
                           "--tender-id", "ZB-2026-0042", "-o", "bid.bid"],
                          cwd=work, env=env, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    shutil.copy(opener.encryption_cert, work / "enc-cert.pem")
    shutil.copy(opener.encryption_key, work / "enc-key.pem")
    # Only the root: the intermediate (ec-sub) must come from the signature itself.
    shutil.copy(pki.ca("ec-root").certificate, work / "ca.pem")
    return work


@pytest.fixture(scope="module")
def recipe_run(by_hand: Path) -> subprocess.CompletedProcess[str]:
    """Steps 1-5 run once in the by_hand folder (they leave bid.zip and bid/ there)."""
    steps, _ = recipe_blocks()
    return bash(steps, by_hand)


def test_the_recipe_opens_and_checks_a_bid_sealed_by_the_cli(
        by_hand: Path, recipe_run: subprocess.CompletedProcess[str]) -> None:
    _, python_check = recipe_blocks()
    result = recipe_run
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Verification successful" in result.stderr
    assert sorted(line for line in result.stdout.splitlines() if line.endswith(": OK")) == [
        "bid letter.pdf: OK", "tech/proposal.pdf: OK", "商务/报价单.pdf: OK"]
    assert (by_hand / "bid" / "tech" / "proposal.pdf").read_bytes() == \
        (by_hand / "my-bid" / "tech" / "proposal.pdf").read_bytes()

    result = bash(python_check, by_hand)
    assert result.returncode == 0 and "all 3 files match" in result.stdout, result.stdout + result.stderr


def test_step_1_fails_on_a_tampered_bid(by_hand: Path, tmp_path: Path) -> None:
    steps, _ = recipe_blocks()
    step1 = steps.split("# 2.", 1)[0]
    data = bytearray((by_hand / "bid.bid").read_bytes())
    data[len(data) // 2] ^= 0x01
    (tmp_path / "bid.bid").write_bytes(data)
    for name in ("enc-cert.pem", "enc-key.pem"):
        shutil.copy(by_hand / name, tmp_path / name)
    result = bash(step1, tmp_path)
    assert result.returncode != 0
    # OpenSSL may create the output before it checks the tag; the recipe's point is the failure status.
    assert "Verification successful" not in result.stderr


def test_step_4_refuses_a_signer_from_another_ca(by_hand: Path, recipe_run: subprocess.CompletedProcess[str],
                                                 pki: DevPki, tmp_path: Path) -> None:
    assert recipe_run.returncode == 0, recipe_run.stderr
    steps, _ = recipe_blocks()
    step4 = steps.split("# 4.", 1)[1].split("# 5.", 1)[0]
    shutil.copytree(by_hand / "bid", tmp_path / "bid")
    shutil.copy(pki.ca("rsa-ca").certificate, tmp_path / "ca.pem")  # not enterprise B's CA
    result = bash(step4, tmp_path)
    assert result.returncode != 0
    assert "Verification successful" not in result.stderr
