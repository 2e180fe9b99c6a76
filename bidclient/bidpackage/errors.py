"""Errors of the bid package reader and writer.

One family under :class:`BidPackageError`. Each class has a stable ``code``; ``args[0]`` is an English
message naming what was wrong (a path, a size), never key material. Reader codes start with ``bid.``
(the sealed bid is not acceptable, nothing was extracted); writer codes start with ``source.`` (the
bid folder cannot be packaged). A cancelled job raises crypto.errors.OperationCancelled, shared with
the envelope code so that cancelling a seal has one meaning whichever stage it stops.
"""

from __future__ import annotations


class BidPackageError(Exception):
    """Base of every error raised by bidclient.bidpackage."""

    code = "bid.error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.code


# --- writer: the bid folder cannot be packaged ----------------------------------------------------


class SourceError(BidPackageError):
    code = "source.error"


class SourceEmpty(SourceError):
    code = "source.empty"


class SourceNotADirectory(SourceError):
    code = "source.not_a_directory"


class SourceSymlink(SourceError):
    code = "source.symlink"


class SourceSpecialFile(SourceError):
    code = "source.special_file"


class SourceBadName(SourceError):
    """A file name that cannot be stored portably (reserved on Windows, control characters...)."""

    code = "source.bad_name"


class SourceNameCollision(SourceError):
    """Two files whose names are equal on a case-insensitive or normalising file system."""

    code = "source.name_collision"


class SourceChanged(SourceError):
    """A file changed size while it was being packaged."""

    code = "source.changed"


class SourceUnreadable(SourceError):
    code = "source.unreadable"


class SourceTooLarge(SourceError):
    code = "source.too_large"


class ManifestFieldInvalid(BidPackageError):
    """A value given to the writer cannot go into a manifest (also raised when reading one)."""

    code = "bid.manifest_invalid"


# --- reader: the package is not acceptable --------------------------------------------------------


class NotAZip(BidPackageError):
    code = "bid.not_a_zip"


class CorruptZip(BidPackageError):
    code = "bid.corrupt"


class TooManyEntries(BidPackageError):
    code = "bid.too_many_entries"


class UnsafePath(BidPackageError):
    """An entry name that is unsafe or unportable to extract."""

    code = "bid.unsafe_path"


class PathTraversal(UnsafePath):
    code = "bid.path_traversal"


class AbsolutePath(UnsafePath):
    code = "bid.path_absolute"


class DriveOrBackslashPath(UnsafePath):
    code = "bid.path_drive_or_backslash"


class ControlCharPath(UnsafePath):
    code = "bid.path_control_char"


class NotRegularEntry(BidPackageError):
    """A symbolic link, directory, device or other non-regular entry."""

    code = "bid.entry_not_regular"


class DuplicateEntry(BidPackageError):
    """Two entries with the same name, or names equal after case folding / Unicode normalisation."""

    code = "bid.duplicate_entry"


class EncryptedEntry(BidPackageError):
    code = "bid.encrypted_entry"


class UnsupportedCompression(BidPackageError):
    code = "bid.unsupported_compression"


class CompressionBomb(BidPackageError):
    code = "bid.compression_bomb"


class OverlappingEntries(BidPackageError):
    code = "bid.overlapping_entries"


class ManifestMissing(BidPackageError):
    code = "bid.manifest_missing"


class SignatureMissing(BidPackageError):
    code = "bid.signature_missing"


class ManifestTooLarge(BidPackageError):
    code = "bid.manifest_too_large"


class UnsupportedVersion(BidPackageError):
    code = "bid.unsupported_version"


class EntryNotInManifest(BidPackageError):
    code = "bid.entry_not_in_manifest"


class EntryMissing(BidPackageError):
    code = "bid.entry_missing"


class SizeMismatch(BidPackageError):
    code = "bid.size_mismatch"


class HashMismatch(BidPackageError):
    code = "bid.hash_mismatch"


class NotChecked(BidPackageError):
    """extract_to() was called before check() succeeded (a programming error, refused safely)."""

    code = "bid.not_checked"


class DestinationExists(BidPackageError):
    code = "bid.destination_exists"


class ExtractFailed(BidPackageError):
    """Writing the extracted files failed (disk full, permissions)."""

    code = "bid.extract_failed"
