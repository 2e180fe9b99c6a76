"""The demo's complete opening, headless, as its user runs it (scripts/bidclient-dev demo --opening): three
enterprises submit, the committee key ceremony, one bidder's faulty dongle remedied by the committee's partial
results, the announcement and the signed record, which verifies offline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bidclient import opening
from bidclient.signing import load_trust
from crypto import token_worker

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.xdist_group("demo")
def test_the_opening_demo_runs_headless_and_its_record_verifies(tmp_path: Path, demo_data: Path) -> None:
    env = dict(os.environ)
    env.pop("SOFTHSM2_CONF", None)
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env["BIDCLIENT_LANG"] = "en"
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["PYTHONPATH"] = str(ROOT)  # devtools/ is run from the checkout (scripts/bidclient-dev)
    token_worker.shutdown_all()
    data = demo_data
    done = subprocess.run([sys.executable, "-m", "devtools", "demo", "--data", str(data), "--opening",
                           "--bid-time", "12"], capture_output=True, text=True, env=env, timeout=300, check=False)
    out = done.stdout
    assert done.returncode == 0, out[-4000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    # Each step, in order, in plain words.
    steps = [line for line in out.splitlines() if line.startswith("[")]
    expected = ["The opening's people", "The agency names a 2-of-3 opening committee", "acknowledges",
                "publishes the tender", "seal and submit", "waits for the deadline", "locks the opening",
                "enterprise C's dongle is faulty", "opens and verifies each bid", "The committee remedy",
                "combines them and opens", "唱标", "The opening record", "verifies the record offline"]
    positions = [next(i for i, line in enumerate(steps) if text in line) for text in expected]
    assert positions == sorted(positions), steps
    assert "committee DEMO-2026-OPEN-" in out and "is complete" in out
    assert "[opening.before_deadline]" in out
    assert "locked: 3 bids counted" in out
    assert "丙方建设集团有限公司 (91320505MA1X4R7T85): failed [opening.decryption_failed]" in out
    assert "(2 of 2)" in out
    assert out.count(": opened and verified") == 3
    assert "丙方建设集团有限公司 (opened by the committee): price 1250000.00" in out
    assert "the words prevail" in out and "price 1195000.00" in out
    assert "The record is intact and signed by the host and the supervisor." in out
    assert "pdfsig: 2 valid signature(s)" in out
    assert "the record verifies: yes" in out
    # The record it left behind verifies here too, signed by the host and then the supervisor.
    record = next((data / "openings").glob("*/开标记录表.pdf"))
    check = opening.verify_record(record, load_trust([data / "pki" / "trust"]))
    assert check.ok, check.problems
    assert check.signers == ["uscc:91310115MA1H7X9Q4X", "person:监督人周八"]
    # The record says which bid the committee opened (its evidence), and names all three bidders.
    text = subprocess.run(["pdftotext", str(record), "-"], capture_output=True, text=True, check=True).stdout
    assert "委员会补救" in text and text.count("开标 opened") == 3
    assert "丙方建设集团有限公司" in text
    # The remedied bid's files were opened and verified on the host's terminal.
    opened = [p for p in (next((data / "openings").iterdir()) / "opened").iterdir() if p.is_dir()]
    assert len(opened) == 3
    assert all((p / "technical" / "技术方案.pdf").is_file() for p in opened)
