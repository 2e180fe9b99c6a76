"""The receipt (回执) printed to PDF: every field a clerk files is in the text, times in Beijing time with
the zone named, the CJK font embedded — and a receipt that does not verify prints nothing."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import timedelta, timezone
from pathlib import Path

import pytest

from bidclient import receipts
from bidclient.cli.main import main as cli_main
from bidclient.receipt_print import save_receipt_pdf
from tests.forms.test_render import assert_fonts_embedded, pdftotext
from tests.submitted_bid import Submitted, backend, live_server, pg_cluster, server_data, submitted  # noqa: F401


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_receipt_pdf_shows_the_verified_fields_in_beijing_time(submitted: Submitted, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "回执.pdf"
    verified = save_receipt_pdf(submitted.receipt, out, bid=submitted.bid)
    assert verified.bid_checked
    assert_fonts_embedded(out)
    body = pdftotext(out)
    flat = _flat(body)
    assert "投标文件递交回执" in body
    for value in (verified.tender_id, verified.submission_id, verified.receipt_id, verified.bidder,
                  f"{verified.size:,}"):
        assert _flat(value) in flat, value
    # The SHA-256 is printed in groups of eight.
    assert verified.envelope_sha256 in flat
    # Both times in Beijing time (UTC+8), the zone named: the server's time and the timestamp's.
    for moment in (verified.time, verified.timestamp_time):
        local = moment.astimezone(timezone(timedelta(hours=8)))
        assert _flat(local.strftime("%Y-%m-%d %H:%M:%S")) in flat
    assert "UTC+8" in body
    # How to verify it.
    assert f"bidclient receipt verify {submitted.receipt.name}" in body


def test_tampered_receipt_prints_nothing(submitted: Submitted, tmp_path: Path) -> None:  # noqa: F811
    data = json.loads(submitted.receipt.read_text())
    data["receipt"]["size"] = data["receipt"]["size"] + 1
    forged = tmp_path / "forged.receipt"
    forged.write_text(json.dumps(data))
    out = tmp_path / "forged.pdf"
    with pytest.raises(receipts.ReceiptError) as caught:
        save_receipt_pdf(forged, out)
    assert caught.value.code == "receipt.tampered"
    assert not out.exists() and not list(tmp_path.glob(".forged.pdf*"))


def test_cli_receipt_pdf(submitted: Submitted, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    out = tmp_path / "receipt.pdf"
    assert cli_main(["receipt", "pdf", str(submitted.receipt), "-o", str(out), "--bid", str(submitted.bid)]) == 0
    assert "投标文件递交回执" in pdftotext(out)
    fonts = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True, text=True).stdout
    assert "DroidSansFallback" in fonts
    # An existing output is refused and left untouched; a bid that is not the one received is refused.
    before = out.read_bytes()
    assert cli_main(["receipt", "pdf", str(submitted.receipt), "-o", str(out)]) == 2
    assert out.read_bytes() == before
    other = tmp_path / "other.bid"
    other.write_bytes(b"not the bid")
    assert cli_main(["receipt", "pdf", str(submitted.receipt), "-o", str(tmp_path / "x.pdf"),
                     "--bid", str(other)]) == 1
    assert not (tmp_path / "x.pdf").exists()
    err = capsys.readouterr().err
    assert "receipt.bid_mismatch" in err and "Traceback" not in err
