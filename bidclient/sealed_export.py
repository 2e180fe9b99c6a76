"""Export and back up a sealed bid: the .bid, its receipt(s) and a text saying how to open it by hand.

To a folder (the files are added beside whatever is there; none is overwritten) or to a ZIP. Each output is
written atomically (bidclient.atomic), and the copy's SHA-256 is read back and compared with the original
— and with the envelope hash the receipt names, when there is a receipt — before the export counts as done.
A failure removes whatever this export wrote: nothing half-copied is left behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bidclient import receipts
from bidclient.atomic import atomic_output, refuse_existing
from bidclient.errors import BidclientError
from bidclient.i18n import _

README_NAME = "README-how-to-open.txt"


class ExportError(BidclientError):
    code = "export.failed"


@dataclass(frozen=True)
class ExportedBid:
    destination: Path  # the folder or the ZIP written
    files: tuple[str, ...]  # names written (in the folder, or in the ZIP)
    sha256: str  # of the bid, read back from the copy
    size: int
    receipt_checked: bool  # the copy matches the envelope hash of a verified receipt


def companion_files(bid: Path) -> list[Path]:
    """The receipts kept beside the bid (submission, withdrawal), those that exist."""
    names = [bid.name + ".receipt", bid.name + ".withdrawal.receipt"]
    return [bid.with_name(n) for n in names if bid.with_name(n).is_file()]


def readme_text(bid_name: str, sha256: str, size: int, receipt_names: list[str]) -> str:
    lines = [
        _("Sealed bid: {name}").format(name=bid_name),
        _("SHA-256: {digest} ({size} bytes)").format(digest=sha256, size=size),
        "",
        _("This is an encrypted bid envelope (CMS, see docs/formats/sealed-bid.md). Keep it unchanged: its "
          "SHA-256 is what the receipt names."),
        "",
        _("To check the copy:"),
        f"  sha256sum {bid_name}",
    ]
    for name in receipt_names:
        lines.append(f"  bidclient receipt verify {name} --bid {bid_name}")
    lines += [
        "",
        _("To open it by hand with OpenSSL 3 and unzip (you need the bidder's encryption certificate and key, "
          "or an opening key):"),
        f"  openssl cms -decrypt -binary -inform DER -in {bid_name} -recip enc-cert.pem -inkey enc-key.pem "
        "-out bid.zip",
        "  unzip -Z1 bid.zip && unzip -t bid.zip",
        "  unzip bid.zip -d bid/",
        "  openssl cms -verify -binary -inform DER -in bid/manifest.json.p7s -content bid/manifest.json "
        "-CAfile ca.pem -purpose any -out /dev/null",
        "",
        _("Or with bidclient: bidclient unseal {name} --key KEY -o FOLDER").format(name=bid_name),
        "",
    ]
    return "\n".join(lines)


def _receipt_hash(bid: Path, names: list[Path]) -> tuple[str, int] | None:
    """The envelope hash and size a verified submission receipt names, if there is one that verifies."""
    for path in names:
        if not path.name.endswith(".withdrawal.receipt"):
            verified = receipts.verify_receipt_file(path)
            return verified.envelope_sha256, verified.size
    return None


def _check(copy_digest: tuple[str, int], original: tuple[str, int], named: tuple[str, int] | None,
           where: str) -> None:
    if copy_digest != original:
        raise ExportError(f"the copy in {where} differs from the original (SHA-256 {copy_digest[0]}, "
                          f"original {original[0]}); it was removed", code="export.copy_mismatch")
    if named is not None and named != original:
        raise ExportError(f"the bid's SHA-256 ({original[0]}) is not the one its receipt names ({named[0]}); "
                          "nothing was exported", code="receipt.bid_mismatch")


def export_sealed_bid(bid: Path, destination: Path) -> ExportedBid:
    """Copy ``bid``, its receipts and a how-to-open text to ``destination``: a ZIP if it ends in .zip,
    else a folder (created if missing). Raises ExportError/ReceiptError; leaves nothing on failure."""
    if not bid.is_file():
        raise BidclientError(f"{bid} does not exist", code="io.input_missing")
    companions = companion_files(bid)
    original = receipts.file_sha256(bid)
    named = _receipt_hash(bid, companions)
    _check(original, original, named, str(destination))
    readme = readme_text(bid.name, original[0], original[1], [p.name for p in companions]).encode("utf-8")
    try:
        if destination.suffix.lower() == ".zip":
            return _to_zip(bid, companions, readme, destination, original, named)
        return _to_folder(bid, companions, readme, destination, original, named)
    except OSError as ex:
        raise ExportError(f"{destination} could not be written: {ex.strerror or ex}; nothing was exported",
                          code="io.error") from ex


def _to_folder(bid: Path, companions: list[Path], readme: bytes, folder: Path, original: tuple[str, int],
               named: tuple[str, int] | None) -> ExportedBid:
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"{folder} is not a folder", code="io.output_exists")
    folder.mkdir(parents=True, exist_ok=True)
    targets = [folder / bid.name, *(folder / p.name for p in companions), folder / README_NAME]
    for target in targets:  # refuse before writing anything
        refuse_existing(target)
    written: list[Path] = []
    try:
        for source, target in zip([bid, *companions], targets, strict=False):
            with atomic_output(target) as out, open(source, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
            written.append(target)
        with atomic_output(targets[-1]) as out:
            out.write(readme)
        written.append(targets[-1])
        _check(receipts.file_sha256(targets[0]), original, named, str(targets[0]))
    except BaseException:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink()
        raise
    return ExportedBid(folder, tuple(t.name for t in targets), original[0], original[1], named is not None)


def _to_zip(bid: Path, companions: list[Path], readme: bytes, archive: Path, original: tuple[str, int],
            named: tuple[str, int] | None) -> ExportedBid:
    names = [bid.name, *(p.name for p in companions), README_NAME]
    archive.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(archive) as out:
        # The envelope is encrypted: deflating it gains nothing, so it is stored.
        with zipfile.ZipFile(out, "w") as zf:
            zf.write(bid, bid.name, compress_type=zipfile.ZIP_STORED)
            for path in companions:
                zf.write(path, path.name, compress_type=zipfile.ZIP_DEFLATED)
            zf.writestr(README_NAME, readme, compress_type=zipfile.ZIP_DEFLATED)
        out.flush()
        # Read the copy back from the temporary file before it is renamed into place.
        with zipfile.ZipFile(out.name) as zf, zf.open(bid.name) as member:
            digest = hashlib.sha256()
            size = 0
            while block := member.read(1 << 20):
                digest.update(block)
                size += len(block)
        _check((digest.hexdigest(), size), original, named, str(archive))
    return ExportedBid(archive, tuple(names), original[0], original[1], named is not None)
