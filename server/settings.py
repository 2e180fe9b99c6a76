"""Server settings: a data directory, and optionally a database URL (else the embedded SQLite)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

DATABASE_URL_ENV = "BIDCLIENT_SERVER_DATABASE_URL"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str = ""  # empty: sqlite in data_dir
    session_ttl: timedelta = timedelta(hours=8)
    challenge_ttl: timedelta = timedelta(minutes=5)
    tsa_url: str = ""  # empty: the built-in TSA
    revocation: str = "soft-fail"
    max_chunk_size: int = 16 << 20
    max_threads: int = 1024  # worker threads for blocking work (database, files, certificate checks)
    max_concurrency: int = 1000  # requests handled at once; more get 503 and the client retries
    # Requests doing database or signature work at once (server/lanes.py). One upload step at a time
    # measured best in the deadline rush (probe p99 112 ms against 211 ms with 2 and 432 ms with 4,
    # same throughput): the writers serialise on the database anyway, and every extra thread competes
    # for the GIL with the event loop. Statement checks, which may wait for CRL/OCSP servers, have
    # their own lane so that they never hold up the upload steps.
    upload_lane: int = 1
    verify_lane: int = 2
    byte_workers: int = 2  # threads hashing and writing upload bytes
    lock_timeout: float = 30.0  # seconds a request may wait for a database lock before it gets 503 server.busy
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or os.environ.get(DATABASE_URL_ENV, "") or \
            f"sqlite:///{(self.data_dir / 'bidclient.sqlite3').resolve()}"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def trust_dir(self) -> Path:
        return self.data_dir / "trust"
