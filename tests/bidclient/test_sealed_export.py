"""Export and back up a sealed bid: the copy is the bid the receipt names (checked), with a text saying how
to open it by hand; to a folder or a ZIP; nothing is overwritten and nothing is left behind on failure."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from bidclient import receipts
from bidclient.errors import BidclientError
from bidclient.sealed_export import README_NAME, export_sealed_bid
from tests.submitted_bid import Submitted, backend, live_server, pg_cluster, server_data, submitted  # noqa: F401


def test_export_to_a_folder_copies_bid_receipt_and_instructions(submitted: Submitted, tmp_path: Path) -> None:  # noqa: F811
    usb = tmp_path / "U盘" / "备份"
    out = export_sealed_bid(submitted.bid, usb)
    assert out.receipt_checked
    copy = usb / submitted.bid.name
    assert copy.read_bytes() == submitted.bid.read_bytes()
    # The exported receipt verifies against the exported bid, by itself.
    assert receipts.verify_receipt(receipts.load_receipt(usb / submitted.receipt.name), bid=copy).bid_checked
    readme = (usb / README_NAME).read_text(encoding="utf-8")
    assert hashlib.sha256(copy.read_bytes()).hexdigest() in readme
    assert "openssl cms -decrypt" in readme and f"bidclient receipt verify {submitted.receipt.name}" in readme
    # A second export to the same folder overwrites nothing.
    with pytest.raises(BidclientError) as caught:
        export_sealed_bid(submitted.bid, usb)
    assert caught.value.code == "io.output_exists"
    assert copy.read_bytes() == submitted.bid.read_bytes()


def test_export_to_a_zip(submitted: Submitted, tmp_path: Path) -> None:  # noqa: F811
    archive = tmp_path / "backup.zip"
    export_sealed_bid(submitted.bid, archive)
    with zipfile.ZipFile(archive) as zf:
        assert sorted(zf.namelist()) == sorted([submitted.bid.name, submitted.receipt.name, README_NAME])
        assert zf.read(submitted.bid.name) == submitted.bid.read_bytes()
        assert zf.testzip() is None
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".backup")] == []


def test_a_bid_changed_since_its_receipt_is_not_exported(submitted: Submitted, tmp_path: Path) -> None:  # noqa: F811
    data = bytearray(submitted.bid.read_bytes())
    data[-1] ^= 1
    submitted.bid.write_bytes(bytes(data))
    folder = tmp_path / "out"
    with pytest.raises(BidclientError) as caught:
        export_sealed_bid(submitted.bid, folder)
    assert caught.value.code == "receipt.bid_mismatch"
    assert not folder.exists() or not any(folder.iterdir())
    with pytest.raises(BidclientError):
        export_sealed_bid(submitted.bid, tmp_path / "out.zip")
    assert not (tmp_path / "out.zip").exists()


def test_a_copy_that_differs_is_removed(submitted: Submitted, tmp_path: Path,  # noqa: F811
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A destination that corrupts what is written (a failing USB stick) leaves nothing behind."""
    import shutil

    real = shutil.copyfileobj

    def corrupting(src, dst, length=0):  # type: ignore[no-untyped-def]
        real(src, dst, length)
        dst.write(b"x")

    monkeypatch.setattr(shutil, "copyfileobj", corrupting)
    folder = tmp_path / "stick"
    with pytest.raises(BidclientError) as caught:
        export_sealed_bid(submitted.bid, folder)
    assert caught.value.code == "export.copy_mismatch"
    assert list(folder.iterdir()) == []
