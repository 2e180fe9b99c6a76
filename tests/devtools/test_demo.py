"""The README's main job, headless: the embedded server with a demo tender, and a bid prepared, signed,
sealed and submitted with a dongle, ending with a verified receipt."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from crypto import token_worker

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.xdist_group("demo")
def test_demo_runs_the_whole_bidder_flow_headless(tmp_path: Path, demo_data: Path) -> None:
    env = dict(os.environ)
    env.pop("SOFTHSM2_CONF", None)
    env.pop("DISPLAY", None)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["PYTHONPATH"] = str(ROOT)  # devtools/ is run from the checkout (scripts/bidclient-dev)
    token_worker.shutdown_all()
    done = subprocess.run([sys.executable, "-m", "devtools", "demo", "--data", str(demo_data)],
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
    runs = [r for r in (demo_data / "runs").iterdir() if r.name[:1].isdigit()]  # not the other demos
    assert len(runs) == 1
    assert (runs[0] / "opened" / "forms" / "bid_letter.pdf").read_bytes().startswith(b"%PDF")
    receipts = list((runs[0] / "draft" / "sealed").glob("*.bid.receipt"))
    assert len(receipts) == 1
    # The server process was stopped: a second run starts it again and reuses the open demo tender.
    again = subprocess.run([sys.executable, "-m", "devtools", "demo", "--data", str(demo_data),
                            "--headless"], capture_output=True, text=True, env=env, timeout=300, check=False)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert "is open until" in again.stdout


def test_the_demo_does_not_take_another_server_on_its_port_for_its_own(tmp_path: Path) -> None:
    """Two demos starting at once both choose port 8765: the one whose server could not bind must not go on
    with the other's server (it published to a server that trusts another PKI). A foreign server answering
    health on the port is not taken for the demo's own; the demo's server exiting is reported."""
    import http.server
    import json
    import subprocess
    import sys
    import threading

    import pytest

    from bidclient.errors import BidclientError
    from devtools.demo_env import _wait_healthy

    class Foreign(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"status": "ok", "ca_sha256": "00" * 32}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    foreign = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Foreign)
    threading.Thread(target=foreign.serve_forever, daemon=True).start()
    ours = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1.5)"])  # never listens, then exits
    try:
        with pytest.raises(BidclientError) as caught:
            _wait_healthy(f"http://127.0.0.1:{foreign.server_address[1]}", ours, "11" * 32)
        assert caught.value.code == "demo.server_failed"
    finally:
        foreign.shutdown()
        ours.wait(timeout=10)
