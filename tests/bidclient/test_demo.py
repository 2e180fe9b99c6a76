"""The README's main job: the demo seals and opens a bid end to end and shows a tampered bid refused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from crypto import token_worker


def test_demo_seals_opens_and_refuses_tampering(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.pop("SOFTHSM2_CONF", None)
    token_worker.shutdown_all()
    done = subprocess.run([sys.executable, "-m", "bidclient.cli.main", "demo", "--data", str(tmp_path)],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "same enterprise: yes" in out
    assert "self-check: the bid opens with Enterprise A's own key" in out
    assert "enterprise 91110108MA01B2C3D0" in out
    assert "[cms.decryption_failed]" in out and "nothing extracted" in out
    assert "OpenSSL decrypted the bid and verified the manifest signature" in out
    runs = list((tmp_path / "runs").iterdir())
    assert len(runs) == 1
    opened = runs[0] / "opened"
    assert (opened / "bid-letter.pdf").read_bytes().startswith(b"%PDF")
    assert not (runs[0] / "tampered-opened").exists()
    assert "Traceback" not in done.stderr
