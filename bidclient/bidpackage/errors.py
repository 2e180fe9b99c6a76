"""Errors of the bid package reader and writer.

One family under :class:`BidPackageError`. Each class has a stable ``code``; ``args[0]`` is an English
message naming what was wrong (a path, a size), never key material. Reader codes (a received sealed bid
is not acceptable, nothing was extracted) start with ``sealed.``; writer codes start with ``source.`` (the
bid folder cannot be packaged: the bidder's own input). The draft bid project (bidclient.bid_project) has
its own prefix, ``bid.``, so no message meant for the opener of a received bid reaches the bidder, nor the
other way round; the messages are in bidclient/bidpackage/messages.py. A cancelled job raises
crypto.errors.OperationCancelled, shared with the envelope code so that cancelling a seal has one meaning
whichever stage it stops.
"""

from __future__ import annotations


class BidPackageError(Exception):
    """Base of every error raised by bidclient.bidpackage."""

    code = "sealed.error"

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


class ManifestValueInvalid(SourceError):
    """A value given to the writer (tender id, form data, time) cannot go into a manifest."""

    code = "source.manifest_invalid"


class ManifestFieldInvalid(BidPackageError):
    """A manifest read from a package is not valid (the writer raises ManifestValueInvalid instead)."""

    code = "sealed.manifest_invalid"


# --- reader: the package is not acceptable --------------------------------------------------------


class NotAZip(BidPackageError):
    code = "sealed.not_a_zip"


class CorruptZip(BidPackageError):
    code = "sealed.corrupt"


class TooManyEntries(BidPackageError):
    code = "sealed.too_many_entries"


class UnsafePath(BidPackageError):
    """An entry name that is unsafe or unportable to extract."""

    code = "sealed.unsafe_path"


class PathTraversal(UnsafePath):
    code = "sealed.path_traversal"


class AbsolutePath(UnsafePath):
    code = "sealed.path_absolute"


class DriveOrBackslashPath(UnsafePath):
    code = "sealed.path_drive_or_backslash"


class ControlCharPath(UnsafePath):
    code = "sealed.path_control_char"


class NotRegularEntry(BidPackageError):
    """A symbolic link, directory, device or other non-regular entry."""

    code = "sealed.entry_not_regular"


class DuplicateEntry(BidPackageError):
    """Two entries with the same name, or names equal after case folding / Unicode normalisation."""

    code = "sealed.duplicate_entry"


class EncryptedEntry(BidPackageError):
    code = "sealed.encrypted_entry"


class UnsupportedCompression(BidPackageError):
    code = "sealed.unsupported_compression"


class CompressionBomb(BidPackageError):
    code = "sealed.compression_bomb"


class OverlappingEntries(BidPackageError):
    code = "sealed.overlapping_entries"


class ManifestMissing(BidPackageError):
    code = "sealed.manifest_missing"


class SignatureMissing(BidPackageError):
    code = "sealed.signature_missing"


class ManifestTooLarge(BidPackageError):
    code = "sealed.manifest_too_large"


class UnsupportedVersion(BidPackageError):
    code = "sealed.unsupported_version"


class EntryNotInManifest(BidPackageError):
    code = "sealed.entry_not_in_manifest"


class EntryMissing(BidPackageError):
    code = "sealed.entry_missing"


class SizeMismatch(BidPackageError):
    code = "sealed.size_mismatch"


class HashMismatch(BidPackageError):
    code = "sealed.hash_mismatch"


class NotChecked(BidPackageError):
    """extract_to() was called before check() succeeded (a programming error, refused safely)."""

    code = "sealed.not_checked"


class DestinationExists(BidPackageError):
    code = "sealed.destination_exists"


class ExtractFailed(BidPackageError):
    """Writing the extracted files failed (disk full, permissions)."""

    code = "sealed.extract_failed"
