"""The README's main job, headless: the embedded server with a demo tender, and a bid prepared, signed,
sealed and submitted with a dongle, ending with a verified receipt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from crypto import token_worker


def test_demo_runs_the_whole_bidder_flow_headless(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("SOFTHSM2_CONF", None)
    env.pop("DISPLAY", None)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    token_worker.shutdown_all()
    done = subprocess.run([sys.executable, "-m", "bidclient.cli.main", "demo", "--data", str(tmp_path / "demo")],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    assert "No display found: running the same bidder flow headless." in out
    assert "same enterprise, one account: yes" in out
    assert "forms validated: 0 problem(s)" in out
    assert "scoring criteria linked: 4/4" in out
    assert "pdfsig on the signed bid letter: signature valid" in out
    assert "RFC 3161 timestamp verified" in out
    assert "the receipt's envelope hash matches the sealed bid: True" in out
    assert "[submission.sealed_until_opening]" in out
    assert "[cms.decryption_failed]" in out and "nothing extracted" in out
    assert "OpenSSL decrypted the bid and verified the manifest signature" in out
    assert "Traceback" not in done.stderr
    runs = list((tmp_path / "demo" / "runs").iterdir())
    assert len(runs) == 1
    assert (runs[0] / "opened" / "forms" / "bid_letter.pdf").read_bytes().startswith(b"%PDF")
    receipts = list((runs[0] / "draft" / "sealed").glob("*.bid.receipt"))
    assert len(receipts) == 1
    # The server process was stopped: a second run starts it again and reuses the open demo tender.
    again = subprocess.run([sys.executable, "-m", "bidclient.cli.main", "demo", "--data", str(tmp_path / "demo"),
                            "--headless"], capture_output=True, text=True, env=env, timeout=300, check=False)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "is open until" in again.stdout
