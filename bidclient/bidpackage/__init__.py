"""The inner bid package: a ZIP of the bid's files with a signed manifest (docs/formats/sealed-bid.md).

No cryptography here: signing and verification come in as callables, so the package format is
testable on its own. ``write_package`` streams a folder into a package; ``open_package`` treats a
package as hostile input, and its reader extracts only when every check passes.
"""

from bidclient.bidpackage.errors import BidPackageError
from bidclient.bidpackage.manifest import DEFAULT_LIMITS, FileEntry, Limits, Link, Manifest, parse_manifest
from bidclient.bidpackage.reader import PackageReader, open_package
from bidclient.bidpackage.writer import PackagePlan, plan_package, write_package

__all__ = [
    "DEFAULT_LIMITS",
    "BidPackageError",
    "FileEntry",
    "Limits",
    "Link",
    "Manifest",
    "PackagePlan",
    "PackageReader",
    "open_package",
    "parse_manifest",
    "plan_package",
    "write_package",
]
