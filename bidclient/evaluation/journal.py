"""The expert's local journal: every edit is written here, durably, before it counts as saved.

One SQLite file per (server, session, expert), under the user's data folder. The ``entry`` table is
append-only (triggers refuse UPDATE and DELETE) and hash-chained like the server's audit trail: each entry's
hash covers its sequence number, time, edit id, body and the previous entry's hash, so a changed, removed
or reordered entry is detected by :meth:`Journal.verify`. What the server answered for each edit is kept
apart, in ``delivery`` (written once per edit), with the last known version of each cell in
``cell_version``. The format is described in docs/formats/evaluation-journal.md.

**Durability (fsync policy).** The database runs in WAL mode with ``synchronous=FULL``: SQLite fsyncs the
write-ahead log at every commit, so when :meth:`Journal.append` returns, the edit is on disk and survives
the process being killed and the power failing. :meth:`append` is one transaction (BEGIN IMMEDIATE …
COMMIT); an edit interrupted before the commit is absent as a whole, never half-written. The folder is
fsynced when the file is created, so the file itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bidclient.errors import BidclientError
from bidclient.i18n import _
from bidclient.protocol.common import canonical_json

GENESIS_HASH = "0" * 64
FORMAT = "bidclient-evaluation-journal/1"
FINAL = ("applied", "conflict", "rejected")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entry (
    seq INTEGER PRIMARY KEY,
    edit_id TEXT NOT NULL UNIQUE,
    time TEXT NOT NULL,
    body TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    entry_hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS entry_append_only_update BEFORE UPDATE ON entry
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS entry_append_only_delete BEFORE DELETE ON entry
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TABLE IF NOT EXISTS delivery (
    edit_id TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    code TEXT NOT NULL,
    detail TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS acknowledged (edit_id TEXT PRIMARY KEY, at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cell_version (
    kind TEXT NOT NULL, bid TEXT NOT NULL, item TEXT NOT NULL, version INTEGER NOT NULL,
    PRIMARY KEY (kind, bid, item)
);
"""


class JournalError(BidclientError):
    code = "evaluation.journal_damaged"


def entry_hash(seq: int, time: str, edit_id: str, body: dict[str, Any], prev_hash: str) -> str:
    """SHA-256 of the canonical JSON of the hashed fields (docs/formats/evaluation-journal.md)."""
    return hashlib.sha256(canonical_json({"seq": seq, "time": time, "edit_id": edit_id, "body": body,
                                          "prev_hash": prev_hash})).hexdigest()


@dataclass(frozen=True)
class Entry:
    seq: int
    edit_id: str
    time: str
    body: dict[str, Any]  # kind, bid, item, value, passed, reason, comment
    entry_hash: str

    @property
    def cell(self) -> tuple[str, str, str]:
        return (str(self.body["kind"]), str(self.body["bid"]), str(self.body["item"]))


@dataclass(frozen=True)
class Delivery:
    edit_id: str
    status: str  # applied | conflict | rejected
    version: int
    code: str
    detail: str
    at: str


@dataclass(frozen=True)
class JournalStatus:
    entries: int
    pending: int
    applied: int
    conflicts: list[tuple[Entry, Delivery]]  # not acknowledged by the expert yet
    rejected: list[tuple[Entry, Delivery]]  # not acknowledged by the expert yet
    acknowledged: int
    last_sync: str | None
    last_error: str | None


def data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "bidclient"


def journal_path(server: str, session_id: str, expert: str) -> Path:
    name = hashlib.sha256(canonical_json([server.rstrip("/"), session_id, expert])).hexdigest()[:24]
    return data_dir() / "evaluation" / f"{name}.sqlite"


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Journal:
    """Open (creating it if needed) the journal at ``path`` for one expert in one session.

    ``now`` gives the client's clock for the entries' times (informational: the server orders and dates
    what it applies by its own clock)."""

    def __init__(self, path: Path, *, server: str, session_id: str, expert: str,
                 now: Callable[[], datetime] = _utc_now) -> None:
        self.path = path
        self._now = now
        created = not path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        identity = {"format": FORMAT, "server": server.rstrip("/"), "session_id": session_id, "expert": expert}
        with self._transaction():
            for key, value in identity.items():
                self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, value))
        stored = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        for key, value in identity.items():
            if stored.get(key) != value:
                self.close()
                raise JournalError(_("the journal {path} belongs to another session or expert ({key} is {stored!r}, "
                                     "not {value!r})").format(path=path, key=key, stored=stored.get(key),
                                                             value=value))
        if created:
            _fsync_dir(path.parent)
        self.session_id, self.expert, self.server = session_id, expert, server.rstrip("/")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- writing -------------------------------------------------------------------------------

    def append(self, body: dict[str, Any]) -> Entry:
        """Write one edit durably (see the module's fsync policy); when this returns, it is saved."""
        edit_id = uuid.uuid4().hex
        time = self._now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with self._transaction():
            last = self._db.execute("SELECT seq, entry_hash FROM entry ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
            digest = entry_hash(seq, time, edit_id, body, prev)
            self._db.execute("INSERT INTO entry (seq, edit_id, time, body, prev_hash, entry_hash) "
                             "VALUES (?, ?, ?, ?, ?, ?)",
                             (seq, edit_id, time, canonical_json(body).decode("utf-8"), prev, digest))
        return Entry(seq, edit_id, time, body, digest)

    def record(self, edit_id: str, *, status: str, version: int, code: str = "", detail: str = "") -> None:
        """What the server answered for an edit (the first final answer stands)."""
        if status not in FINAL:
            raise ValueError(status)
        at = _utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._transaction():
            self._db.execute("INSERT OR IGNORE INTO delivery (edit_id, status, version, code, detail, at) "
                             "VALUES (?, ?, ?, ?, ?, ?)", (edit_id, status, version, code, detail, at))

    def acknowledge(self, edit_ids: list[str]) -> int:
        """The expert has seen these conflicting or rejected edits and lets them go (they stay in the journal,
        with what the server answered). Returns how many were newly acknowledged."""
        known = self.deliveries()
        at = _utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")
        count = 0
        with self._transaction():
            for edit_id in edit_ids:
                delivery = known.get(edit_id)
                if delivery is None or delivery.status == "applied":
                    continue
                count += self._db.execute("INSERT OR IGNORE INTO acknowledged (edit_id, at) VALUES (?, ?)",
                                          (edit_id, at)).rowcount
        return count

    def acknowledged(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT edit_id FROM acknowledged")}

    def set_version(self, cell: tuple[str, str, str], version: int) -> None:
        with self._transaction():
            self._db.execute("INSERT INTO cell_version (kind, bid, item, version) VALUES (?, ?, ?, ?) "
                             "ON CONFLICT (kind, bid, item) DO UPDATE SET version = excluded.version",
                             (*cell, version))

    def note_sync(self, error: str | None) -> None:
        at = _utc_now().strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._transaction():
            if error is None:
                self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_sync', ?)", (at,))
                self._db.execute("DELETE FROM meta WHERE key = 'last_error'")
            else:
                self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('last_error', ?)",
                                 (f"{at} {error}",))

    # --- reading -------------------------------------------------------------------------------

    def _entry(self, row: tuple[Any, ...]) -> Entry:
        return Entry(int(row[0]), str(row[1]), str(row[2]), json.loads(row[3]), str(row[5]))

    def entries(self) -> list[Entry]:
        rows = self._db.execute("SELECT seq, edit_id, time, body, prev_hash, entry_hash FROM entry ORDER BY seq")
        return [self._entry(r) for r in rows]

    def pending(self) -> list[Entry]:
        """Entries the server has not answered yet, oldest first."""
        rows = self._db.execute("SELECT e.seq, e.edit_id, e.time, e.body, e.prev_hash, e.entry_hash FROM entry e "
                                "LEFT JOIN delivery d ON d.edit_id = e.edit_id WHERE d.edit_id IS NULL "
                                "ORDER BY e.seq")
        return [self._entry(r) for r in rows]

    def deliveries(self) -> dict[str, Delivery]:
        rows = self._db.execute("SELECT edit_id, status, version, code, detail, at FROM delivery")
        return {r[0]: Delivery(*r) for r in rows}

    def known_version(self, cell: tuple[str, str, str]) -> int:
        row = self._db.execute("SELECT version FROM cell_version WHERE kind = ? AND bid = ? AND item = ?",
                               cell).fetchone()
        return int(row[0]) if row else 0

    def latest(self) -> dict[tuple[str, str, str], Entry]:
        """The newest edit of each cell that the server applied or may still apply (pending)."""
        deliveries = self.deliveries()
        found: dict[tuple[str, str, str], Entry] = {}
        for entry in self.entries():
            delivery = deliveries.get(entry.edit_id)
            if delivery is None or delivery.status == "applied":
                found[entry.cell] = entry
        return found

    def status(self) -> JournalStatus:
        entries = self.entries()
        deliveries = self.deliveries()
        meta = dict(self._db.execute("SELECT key, value FROM meta").fetchall())
        by_status: dict[str, list[tuple[Entry, Delivery]]] = {"applied": [], "conflict": [], "rejected": []}
        seen = self.acknowledged()
        pending = 0
        for entry in entries:
            delivery = deliveries.get(entry.edit_id)
            if delivery is None:
                pending += 1
            elif entry.edit_id not in seen:
                by_status[delivery.status].append((entry, delivery))
        return JournalStatus(len(entries), pending, len(by_status["applied"]), by_status["conflict"],
                             by_status["rejected"], len(seen), meta.get("last_sync"), meta.get("last_error"))

    def verify(self) -> int:
        """Check the hash chain; the number of entries, or JournalError naming the first bad entry."""
        prev = GENESIS_HASH
        count = 0
        rows = self._db.execute("SELECT seq, edit_id, time, body, prev_hash, entry_hash FROM entry ORDER BY seq")
        for seq, edit_id, time, body, prev_hash, digest in rows:
            count += 1
            if seq != count or prev_hash != prev or digest != entry_hash(seq, time, edit_id, json.loads(body), prev):
                raise JournalError(_("the journal {path} is damaged at entry {seq}: its hash chain does not "
                                     "hold").format(path=self.path, seq=seq))
            prev = digest
        return count


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a folder be opened for fsync
        fd = os.open(str(path), os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
