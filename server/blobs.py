"""Content-addressed blob store (SHA-256) in a directory shared by every server instance.

Writes go to a temporary file in the store and are renamed into place once their hash is known,
so a reader never sees a partial blob and two writers of the same content agree.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1 << 20


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        if not _HEX64.match(sha256):
            raise ValueError("not a lowercase hex SHA-256")
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def put_stream(self, stream: BinaryIO, *, max_size: int | None = None) -> tuple[str, int]:
        return self.put_chunks(iter(lambda: stream.read(CHUNK), b""), max_size=max_size)

    def put_bytes(self, data: bytes) -> tuple[str, int]:
        return self.put_chunks([data])

    def put_chunks(self, chunks: Iterable[bytes], *, max_size: int | None = None) -> tuple[str, int]:
        """Store the concatenated chunks; returns (sha256, size)."""
        fd, name = tempfile.mkstemp(prefix=".incoming-", dir=self.root)
        temp = Path(name)
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if max_size is not None and size > max_size:
                        raise ValueError("the blob is larger than allowed")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            sha = digest.hexdigest()
            target = self.path(sha)
            target.parent.mkdir(exist_ok=True)
            os.replace(temp, target)
            return sha, size
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            raise

    def adopt(self, file: Path, sha256: str) -> Path:
        """Move an already-verified file (same filesystem) into the store under its hash."""
        target = self.path(sha256)
        target.parent.mkdir(exist_ok=True)
        os.replace(file, target)
        return target

    def open(self, sha256: str) -> BinaryIO:
        return open(self.path(sha256), "rb")
