"""Writing outputs so that a failure leaves nothing behind and never a half-written file."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from bidclient.errors import BidclientError


def refuse_existing(path: Path) -> None:
    if path.exists() or path.is_symlink():
        raise BidclientError(f"{path} already exists; it was left untouched", code="io.output_exists")


@contextlib.contextmanager
def atomic_output(path: Path, *, overwrite: bool = False) -> Iterator[BinaryIO]:
    """Yield a temporary file next to ``path``; rename it to ``path`` only if the block succeeds."""
    if not overwrite:
        refuse_existing(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    temp = Path(temp_name)
    try:
        os.close(fd)
        with open(temp, "wb") as stream:  # opened by name so that stream.name is the temporary path
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        if not overwrite:
            refuse_existing(path)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
        raise


def write_atomically(path: Path, data: bytes, *, overwrite: bool = False) -> None:
    with atomic_output(path, overwrite=overwrite) as stream:
        stream.write(data)
