"""The evaluation demonstration, headless (`scripts/demo --evaluation`): three experts with SoftHSM dongles run
a whole session on the embedded server, and the report they signed in turn verifies offline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crypto import token_worker

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.xdist_group("demo")
def test_the_evaluation_demo_runs_a_whole_session_with_dongles(tmp_path: Path, demo_data: Path) -> None:
    env = dict(os.environ)
    env.pop("SOFTHSM2_CONF", None)
    env.pop("DISPLAY", None)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["PYTHONPATH"] = str(ROOT)  # devtools/ is run from the checkout (scripts/bidclient-dev)
    env["BIDCLIENT_LANG"] = "en"
    token_worker.shutdown_all()
    done = subprocess.run([sys.executable, "-m", "devtools", "demo", "--evaluation", "--data", str(demo_data)],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    for label in ("expert-1", "eval-expert-2", "eval-expert-3"):
        assert f"{label}: checked in, declared no conflict" in out
        assert f"{label}: sheet signed and submitted" in out
    assert "excluded by the majority: bid-3: bond (投标保证金): 投标保证金未按时缴纳" in out
    # 1,280,000.00 less the 10% small-enterprise deduction; the lowest evaluated price is the benchmark.
    assert "bid-1 示例建设工程有限公司: rank 1, final score 92.90, evaluated price 1152000.00" in out
    assert "评标基准价 (benchmark): 1150000.00" in out
    assert "recommended candidates: bid-1, bid-2 (server) = bid-1, bid-2 (client)" in out
    assert "eval-expert-3 signed (signature 3); the server validated it" in out
    assert "report verified: every signature valid, by the committee's members in order" in out
    assert out.count(": signed, agrees") == 3
    assert "pdfsig: 3 valid signature(s)" in out  # poppler-utils is installed by the test command
    assert "Traceback" not in done.stderr
    reports = list((demo_data / "runs").glob("evaluation-*/report-signed.pdf"))
    assert len(reports) == 1 and reports[0].read_bytes().startswith(b"%PDF")
