"""`bidclient opening …` as a host, a supervisor and the bidders run it: the same opening as
test_opening.py, step by step through the command line against a live server (SQLite), SoftHSM dongles
with the PIN from a file, enterprise C from its PKCS#12 file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bidclient.cli.main import main
from tests.opening_helpers import P12_PASSWORD
from tests.server.conftest import RunningServer
from tests.server.submission_helpers import set_times
from tests.server.test_opening import Opening


def _run(capsys: pytest.CaptureFixture[str], *args: Any) -> tuple[int, str, str]:
    capsys.readouterr()
    status = main([str(a) for a in args])
    out = capsys.readouterr()
    return status, out.out, out.err


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_opening_through_the_cli(live_server: RunningServer, pki: Any, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    o = Opening(live_server, pki, tmp_path, bidders=("ent-a", "ent-b", "ent-c"))
    monkeypatch.setenv("OPENING_TEST_P12", P12_PASSWORD)
    token = ["--pin-source", f"file:{pki.pin_file}", "--server", live_server.url]
    keys = {who: ["--key", pki.party(who).signing_uri, *token] for who in ("ent-a", "ent-b", "opener-1", "expert-1")}
    keys["ent-c"] = ["--key", o.third.ent_c, "--enc-key", o.third.ent_c_enc, "--pin-source", "env:OPENING_TEST_P12",
                     "--server", live_server.url]
    host, t = keys["opener-1"], o.tender
    set_times(live_server.data, t, deadline=datetime.now(UTC) - timedelta(seconds=1), opening=datetime.now(UTC))

    status, out, _ = _run(capsys, "opening", "lock", t, *host)
    assert status == 0 and "bids counted: 3" in out
    assert _run(capsys, "opening", "window", t, *host)[0] == 0
    # Without --yes and without a terminal, nothing is released (never an implicit yes).
    status, _, err = _run(capsys, "opening", "release-key", t, "--bid", o.bids["ent-a"], *keys["ent-a"])
    assert status != 0 and "opening.cancelled" in err
    status, out, _ = _run(capsys, "opening", "show", t, "--json", *keys["ent-a"])
    assert '"state": "awaiting_key"' in out and '"key_released"' not in out
    for who in ("ent-a", "ent-b", "ent-c"):
        status, out, err = _run(capsys, "opening", "release-key", t, "--bid", o.bids[who], "--yes", *keys[who])
        assert status == 0, err
        assert "released (attempt 1)" in out
    # Without -o the bids are verified and reported, and nothing of them is written on the terminal.
    before = set(tmp_path.rglob("*"))
    status, out, err = _run(capsys, "opening", "open-bids", t, "--trust", pki.trust_dir, "--trust", o.third.ca_pem,
                            *host)
    assert status == 0, err
    assert out.count("opened and verified") == 3 and "→" not in out
    assert set(tmp_path.rglob("*")) == before
    status, out, err = _run(capsys, "opening", "announce", t, *host)
    assert status == 0, err
    assert "figures and words differ: the words prevail" in out and "995000.00" in out
    # A second host command on a stale step is refused.
    status, _, err = _run(capsys, "opening", "announce", t, "--step", "1", *host)
    assert status != 0 and "opening.state_conflict" in err
    assert _run(capsys, "opening", "object", t, "请核对报价。", *keys["ent-b"])[0] == 0
    status, _, err = _run(capsys, "opening", "draft-record", t, *host)
    assert status != 0 and "opening.objections_open" in err
    status, out, _ = _run(capsys, "opening", "show", t, "--json", *host)
    objection = out.split('"objections": [')[1].split('"id": "')[1].split('"')[0]
    assert _run(capsys, "opening", "answer", t, objection, "已核对。", *host)[0] == 0
    assert _run(capsys, "opening", "draft-record", t, *host)[0] == 0
    assert _run(capsys, "opening", "sign-record", t, "--yes", *host)[0] == 0
    assert _run(capsys, "opening", "sign-record", t, "--yes", *keys["expert-1"])[0] == 0
    assert _run(capsys, "opening", "publish", t, *host)[0] == 0
    record = tmp_path / "record.pdf"
    assert _run(capsys, "opening", "download-record", t, "-o", record, *keys["ent-c"])[0] == 0
    status, out, _ = _run(capsys, "opening", "acknowledge", t, "--confirm", *keys["ent-c"])
    assert status == 0
    status, out, _ = _run(capsys, "opening", "verify-record", record, "--trust", pki.trust_dir)
    assert status == 0 and "signed by the host and the supervisor" in out
    tampered = tmp_path / "tampered.pdf"
    data = bytearray(record.read_bytes())
    data[data.find(b"BT") + 10] ^= 1
    tampered.write_bytes(bytes(data))
    status, out, _ = _run(capsys, "opening", "verify-record", tampered, "--trust", pki.trust_dir)
    assert status == 1 and "problem:" in out
