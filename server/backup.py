"""Backups that restore: `bidclient-server backup DEST`, `restore SRC`, and `verify`.

A backup is consistent while the server runs. The database is snapshotted first (SQLite's online
backup API; on PostgreSQL ``pg_dump`` of a snapshot exported by a REPEATABLE READ transaction, in which
the list of referenced blobs is read too), then the bid storage is copied. Blobs are only ever added
under their own SHA-256 (server/blobs.py), so every row of the snapshot finds its blob in the copy;
blobs written after the snapshot are copied or not, and are harmless either way.

A backup folder holds ``manifest.json`` (what is inside, with SHA-256 of every file), the database
(``database.sqlite3`` or ``database.pgdump``), ``blobs/``, ``uploads/`` (uploads in progress, so that
bidders resume rather than restart), ``keys/`` (the server CA, receipt and TSA keys: secret, the folder
is private to its owner) and ``server.json`` without the database URL. Restoring checks every file
against the manifest before touching anything, then checks the restored server the way ``verify``
does: every submitted bid present byte for byte, every receipt verifying with the server's keys, the
audit chain intact.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from server.settings import Settings

FORMAT = "bidclient-server-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
# (table, column) holding the SHA-256 of a blob every row needs. Tables a schema lacks are skipped.
BLOB_REFERENCES = (("submission", "envelope_sha256"), ("tender_document", "sha256"))
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


class BackupError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


Say = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


# --- files -------------------------------------------------------------------------------------


def _copy_hashing(source: Path, target: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(source, "rb") as src, open(target, "wb") as out:
        while block := src.read(_CHUNK):
            digest.update(block)
            out.write(block)
            size += len(block)
        out.flush()
        os.fsync(out.fileno())
    return digest.hexdigest(), size


def file_sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _blob_files(root: Path) -> Iterator[Path]:
    """Stored blobs (``ab/abcd…``), not the temporary files of writes in progress."""
    if not root.is_dir():
        return
    for folder in sorted(root.iterdir()):
        if folder.is_dir() and len(folder.name) == 2:
            for blob in sorted(folder.iterdir()):
                if _HEX64.match(blob.name) and blob.name.startswith(folder.name) and blob.is_file():
                    yield blob


@contextlib.contextmanager
def _new_folder(target: Path) -> Iterator[Path]:
    """A temporary sibling of ``target`` renamed into place only when the block succeeds: a failed
    backup or restore leaves nothing behind."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        yield temp
        if target.exists():
            target.rmdir()  # an empty folder given by the user
        os.replace(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise


def _require_empty(folder: Path, code: str, what: str) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise BackupError(code, f"{folder} already exists and is not empty; {what}")


# --- PostgreSQL tools --------------------------------------------------------------------------


@dataclass(frozen=True)
class PgTarget:
    conninfo: str  # libpq URL without the password
    password: str | None

    @classmethod
    def of(cls, url: str) -> PgTarget:
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        return cls(parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False),
                   parsed.password)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password  # not on the command line, where every user could read it
        return env


def _major(version_num: int | str) -> int:
    return int(version_num) // 10000


def pg_tool(name: str, server_major: int) -> str:
    """``pg_dump``/``pg_restore`` of the server's major version (Debian installs each major in its own
    folder); else one on PATH that is at least as new, as pg_dump requires."""
    exact = Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")
    if exact.is_file():
        return str(exact)
    found = shutil.which(name)
    if found:
        done = subprocess.run([found, "--version"], capture_output=True, text=True, check=False)
        match = re.search(r"(\d+)(?:\.\d+)?", done.stdout)
        if match and int(match.group(1)) >= server_major:
            return found
    raise BackupError("backup.pg_tool_missing", f"{name} for PostgreSQL {server_major} is not installed; install "
                      f"it (Debian: apt-get install postgresql-client-{server_major}) and try again")


def _run_tool(args: list[str], target: PgTarget, what: str) -> None:
    done = subprocess.run(args, capture_output=True, text=True, env=target.env(), check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().replace(target.password or "\0", "***")
        raise BackupError("backup.database_failed", f"{what} failed: {detail[-2000:]}")


# --- backup ------------------------------------------------------------------------------------


@dataclass
class BackupReport:
    path: Path
    backend: str
    submissions: int
    blobs: int
    bytes: int
    audit_entries: int


def _referenced(conn: Any, tables: set[str]) -> dict[str, int]:
    """SHA-256 -> row count of every blob the database needs (a DB-API connection or cursor)."""
    needed: dict[str, int] = {}
    for table, column in BLOB_REFERENCES:
        if table in tables:
            for (sha,) in conn.execute(f"SELECT {column} FROM {table}").fetchall():  # noqa: S608 (constants)
                needed[str(sha)] = needed.get(str(sha), 0) + 1
    return needed


def _count(conn: Any, tables: set[str], table: str) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) if table in tables else 0  # noqa: S608


def _snapshot_sqlite(settings: Settings, target: Path) -> tuple[dict[str, int], dict[str, Any]]:
    path = Path(settings.resolved_database_url.removeprefix("sqlite:///"))
    if not path.is_file():
        raise BackupError("backup.database_failed", f"the SQLite database {path} does not exist")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # SQLite's online backup: a consistent copy while others write
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        needed = _referenced(copy, tables)
        info = {"submissions": _count(copy, tables, "submission"),
                "audit_entries": _count(copy, tables, "audit_entry")}
    finally:
        copy.close()
        source.close()
    return needed, info


def _snapshot_postgresql(settings: Settings, target: Path) -> tuple[dict[str, int], dict[str, Any]]:
    import psycopg

    pg = PgTarget.of(settings.resolved_database_url)
    with psycopg.connect(pg.conninfo, password=pg.password) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        version = int(conn.execute("SHOW server_version_num").fetchone()[0])  # type: ignore[index]
        snapshot = str(conn.execute("SELECT pg_export_snapshot()").fetchone()[0])  # type: ignore[index]
        # pg_dump reads the very snapshot this transaction sees, which stays open until it is done.
        _run_tool([pg_tool("pg_dump", _major(version)), "--format=custom", f"--snapshot={snapshot}",
                   f"--file={target}", f"--dbname={pg.conninfo}"], pg, "pg_dump")
        tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = "
                                                 "current_schema()").fetchall()}
        needed = _referenced(conn, tables)
        info = {"submissions": _count(conn, tables, "submission"),
                "audit_entries": _count(conn, tables, "audit_entry"), "postgresql_version": version}
        conn.rollback()
    return needed, info


def backup(settings: Settings, config: dict[str, Any], destination: Path, *, say: Say = _quiet) -> BackupReport:
    """Write a consistent backup of the running (or stopped) server to ``destination``."""
    _require_empty(destination, "backup.destination_exists", "choose a new folder for the backup")
    backend = "sqlite" if settings.resolved_database_url.startswith("sqlite") else "postgresql"
    with _new_folder(destination) as folder:
        os.chmod(folder, 0o700)  # it holds the server's private keys
        database_file = folder / (SQLITE_FILE if backend == "sqlite" else PG_FILE)
        say(f"snapshotting the {backend} database")
        snapshot = _snapshot_sqlite if backend == "sqlite" else _snapshot_postgresql
        needed, info = snapshot(settings, database_file)
        files: dict[str, dict[str, Any]] = {}
        digest, size = file_sha256(database_file)
        files[database_file.name] = {"sha256": digest, "size": size}

        # After the snapshot: every blob it references is already in the store, never changes, and
        # is never removed while referenced.
        say(f"copying the bid storage ({len(needed)} blobs referenced)")
        copied: dict[str, int] = {}
        for blob in _blob_files(settings.blob_dir):
            relative = f"blobs/{blob.parent.name}/{blob.name}"
            digest, size = _copy_hashing(blob, folder / relative)
            if digest != blob.name:
                (folder / relative).unlink()
                if blob.name in needed:
                    raise BackupError("backup.blob_damaged", f"the stored bid file {blob} does not match its "
                                      f"SHA-256 (it hashes to {digest}); the live storage is damaged — restore "
                                      "that file from an earlier backup")
                continue  # an unreferenced damaged file is not worth keeping
            copied[blob.name] = size
            files[relative] = {"sha256": digest, "size": size}
        missing = sorted(set(needed) - set(copied))
        if missing:
            raise BackupError("backup.blob_missing", f"{len(missing)} bid file(s) the database refers to are missing "
                              f"from {settings.blob_dir} (first: {missing[0]}); nothing was written")
        if settings.upload_dir.is_dir():  # uploads in progress: bidders resume instead of starting over
            for part in sorted(settings.upload_dir.iterdir()):
                if part.is_file() and not part.name.startswith("."):
                    digest, size = _copy_hashing(part, folder / "uploads" / part.name)
                    files[f"uploads/{part.name}"] = {"sha256": digest, "size": size}
        for key_file in sorted(settings.keys_dir.iterdir()):
            if key_file.is_file():
                target = folder / "keys" / key_file.name
                digest, size = _copy_hashing(key_file, target)
                os.chmod(target, 0o600)
                files[f"keys/{key_file.name}"] = {"sha256": digest, "size": size}
        # Where the database is (and its password) belongs to the machine, not the backup.
        portable = {k: v for k, v in config.items() if k not in ("database_url", "database_url_file")}
        (folder / "server.json").write_text(json.dumps(portable, indent=2), encoding="utf-8")
        manifest = {"format": FORMAT, "version": FORMAT_VERSION, "created_at": datetime.now(UTC).isoformat(),
                    "backend": backend, "database_file": database_file.name, **info,
                    "referenced_blobs": {sha: copied[sha] for sha in sorted(needed)}, "files": files}
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        total = sum(copied.values())
    return BackupReport(destination, backend, int(info["submissions"]), len(copied), total,
                        int(info["audit_entries"]))


# --- verification ------------------------------------------------------------------------------


@dataclass
class VerifyReport:
    submissions: int = 0
    receipts: int = 0
    blobs: int = 0
    bytes: int = 0
    audit_entries: int = 0
    problems: list[str] = field(default_factory=list)


def verify_data(settings: Settings, engine: Engine) -> VerifyReport:
    """Check a server's data as a restore must leave it: every bid file the database refers to present
    with its SHA-256 and size, every receipt signed by the server's receipt key over what the database
    holds and timestamped over its content, and the audit chain linked and hashed from its genesis."""
    from sqlalchemy import inspect

    from server import keys as server_keys

    report = VerifyReport()
    tables = set(inspect(engine).get_table_names())
    keys = server_keys.load(settings.keys_dir)
    with engine.connect() as conn:
        if "submission" in tables:
            rows = conn.execute(text("SELECT id, envelope_sha256, size, receipt_content, receipt_signature, "
                                     "receipt_timestamp, withdrawal_receipt_content, withdrawal_receipt_signature, "
                                     "withdrawal_receipt_timestamp FROM submission ORDER BY submitted_at"))
            for row in rows:
                report.submissions += 1
                _check_blob(settings, row.envelope_sha256, row.size, f"submission {row.id}", report)
                _check_receipt(keys, row.receipt_content, row.receipt_signature, row.receipt_timestamp,
                               row, f"the receipt of submission {row.id}", report)
                if row.withdrawal_receipt_content:
                    _check_receipt(keys, row.withdrawal_receipt_content, row.withdrawal_receipt_signature,
                                   row.withdrawal_receipt_timestamp, row,
                                   f"the withdrawal receipt of submission {row.id}", report)
        if "tender_document" in tables:
            for doc in conn.execute(text("SELECT sha256, size FROM tender_document")):
                _check_blob(settings, doc.sha256, doc.size, "a tender document", report)
        if "audit_entry" in tables:
            _check_chain(conn, tables, report)
    return report


def _check_blob(settings: Settings, sha: str, size: int | None, what: str, report: VerifyReport) -> None:
    path = settings.blob_dir / sha[:2] / sha
    if not _HEX64.match(sha) or not path.is_file():
        report.problems.append(f"{what}: its bid file {sha} is missing")
        return
    digest, actual = file_sha256(path)
    if digest != sha or (size is not None and actual != size):
        report.problems.append(f"{what}: the stored file {sha} hashes to {digest} ({actual} bytes)")
        return
    report.blobs += 1
    report.bytes += actual


def _check_receipt(keys: Any, content: bytes, signature: bytes, token: bytes, row: Any, what: str,
                   report: VerifyReport) -> None:
    from crypto import cms_sign
    from crypto.errors import CryptoError
    from crypto.timestamp import verify_timestamp_token

    try:
        info = cms_sign.verify_detached(bytes(content), bytes(signature))
        verify_timestamp_token(bytes(token), data=bytes(content))
        fields = json.loads(bytes(content))
    except (CryptoError, ValueError) as ex:
        report.problems.append(f"{what} does not verify: {ex}")
        return
    if info.signer_certificate != keys.receipt_signer.certificate:
        report.problems.append(f"{what} is signed by {info.signer_certificate.subject.rfc4514_string()}, not by "
                               "this server's receipt key")
        return
    if fields.get("submission_id") != row.id or fields.get("envelope_sha256") != row.envelope_sha256 \
            or fields.get("size") != row.size:
        report.problems.append(f"{what} names another bid than the database holds")
        return
    report.receipts += 1


def _check_chain(conn: Any, tables: set[str], report: VerifyReport) -> None:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from bidclient.protocol.audit import GENESIS_HASH, entry_hash
    from server.audit.chain import entry_fields
    from server.audit.models import AuditEntry, AuditHead

    previous = GENESIS_HASH
    expected_seq = 1
    with Session(bind=conn) as db:
        for entry in db.execute(select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=1000))\
                .scalars():
            if entry.seq != expected_seq or entry.prev_hash != previous or \
                    entry_hash(entry_fields(entry)) != entry.entry_hash:
                report.problems.append(f"the audit chain is broken at entry {entry.seq}")
                return
            previous = entry.entry_hash
            expected_seq += 1
            report.audit_entries += 1
            db.expunge(entry)
        head = db.get(AuditHead, 1) if "audit_head" in tables else None
        if head is not None and (head.seq != report.audit_entries or head.entry_hash != previous):
            report.problems.append(f"the audit chain's head (entry {head.seq}) is not its last entry "
                                   f"({report.audit_entries})")


# --- restore -----------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except OSError:
        raise BackupError("backup.not_a_backup", f"{source} is not a bidclient server backup (no readable "
                          f"{MANIFEST})") from None
    except ValueError:
        raise BackupError("backup.damaged", f"{source / MANIFEST} is not valid JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("backup.not_a_backup", f"{source} is not a bidclient server backup")
    if manifest.get("version") != FORMAT_VERSION:
        raise BackupError("backup.unsupported", f"{source} is a backup of format version {manifest.get('version')}; "
                          f"this server reads version {FORMAT_VERSION}")
    return manifest


def check_backup(source: Path, *, say: Say = _quiet) -> dict[str, Any]:
    """Every file of the backup against the manifest, and every referenced blob present: before
    anything is restored."""
    manifest = read_manifest(source)
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise BackupError("backup.damaged", f"{source / MANIFEST} lists no files")
    say(f"checking {len(files)} files of the backup")
    for relative, expected in files.items():
        path = (source / relative).resolve()
        if source.resolve() not in path.parents:
            raise BackupError("backup.damaged", f"the manifest names a file outside the backup: {relative}")
        if not path.is_file():
            raise BackupError("backup.damaged", f"{relative} is missing from the backup")
        digest, size = file_sha256(path)
        if digest != expected.get("sha256") or size != expected.get("size"):
            raise BackupError("backup.damaged", f"{relative} in the backup was changed or damaged (SHA-256 "
                              f"{digest}, {size} bytes; the manifest says {expected.get('sha256')})")
    for sha in manifest.get("referenced_blobs", {}):
        if f"blobs/{sha[:2]}/{sha}" not in files:
            raise BackupError("backup.damaged", f"the bid file {sha} the database needs is not in the backup")
    return manifest


@dataclass
class RestoreReport:
    data: Path
    backend: str
    verified: VerifyReport


def restore(source: Path, data: Path, database_url: str, *, say: Say = _quiet,
            database_config: dict[str, str] | None = None) -> RestoreReport:
    """Restore ``source`` into the new data directory ``data`` (and, for a PostgreSQL backup, into the
    empty database ``database_url``), then verify the result; on any failure nothing is left behind.
    ``database_config``: how the new server.json names the database (default: the URL itself)."""
    _require_empty(data, "server.already_initialised", "restore into a new data directory")
    manifest = check_backup(source, say=say)
    backend = manifest.get("backend")
    if backend == "sqlite" and database_url:
        raise BackupError("backup.backend_mismatch", "this backup is of a SQLite server; restore it without "
                          "--database-url (moving to PostgreSQL is a migration, not a restore)")
    if backend == "postgresql" and not database_url.startswith("postgresql"):
        raise BackupError("backup.backend_mismatch", "this backup is of a PostgreSQL server; give the empty "
                          "database to restore it into with --database-url")
    if backend == "postgresql":
        pg = PgTarget.of(database_url)
        _require_empty_database(pg)
    restored_database = False
    try:
        with _new_folder(data) as folder:
            for relative in manifest["files"]:
                if relative.startswith(("blobs/", "uploads/", "keys/")):
                    target = folder / relative
                    _copy_hashing(source / relative, target)
                    if relative.startswith("keys/"):
                        os.chmod(target, 0o600)
            for name in ("blobs", "uploads", "keys"):
                (folder / name).mkdir(exist_ok=True)
            os.chmod(folder / "keys", 0o700)
            config = json.loads((source / "server.json").read_text(encoding="utf-8"))
            config.update(database_config if database_config is not None else {"database_url": database_url})
            fd = os.open(folder / "server.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(json.dumps(config, indent=2))
            settings = Settings(data_dir=folder, database_url=database_url)
            if backend == "sqlite":
                say("restoring the SQLite database")
                shutil.copyfile(source / SQLITE_FILE, folder / "bidclient.sqlite3")
                url = f"sqlite:///{(folder / 'bidclient.sqlite3').resolve()}"
            else:
                say("restoring the PostgreSQL database")
                _pg_restore(pg, source / PG_FILE)
                restored_database = True
                url = database_url
            from server.db import make_engine
            from server.schema import create_schema

            engine = make_engine(url)
            try:
                create_schema(engine)  # a backup of an older version gets this version's migrations
                say("verifying every bid, receipt and the audit chain")
                report = verify_data(settings, engine)
            finally:
                engine.dispose()
            if report.problems:
                raise BackupError("backup.verify_failed", "the restored server does not check out, so it was "
                                  "removed again: " + "; ".join(report.problems[:5]))
            expected = manifest.get("submissions")
            if isinstance(expected, int) and report.submissions != expected:
                raise BackupError("backup.verify_failed", f"the backup recorded {expected} submissions but "
                                  f"{report.submissions} were restored")
    except BaseException:
        if restored_database:
            _empty_database(pg)
        raise
    return RestoreReport(data, str(backend), report)


def _require_empty_database(pg: PgTarget) -> None:
    import psycopg

    try:
        with psycopg.connect(pg.conninfo, password=pg.password) as conn:
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").fetchone()
    except psycopg.Error as ex:
        raise BackupError("backup.database_failed", f"the database to restore into cannot be reached: "
                          f"{str(ex).strip()}") from None
    if tables and tables[0]:
        raise BackupError("backup.target_not_empty", "the database to restore into already holds tables; create "
                          "an empty database for the restore (nothing was changed)")


def _pg_restore(pg: PgTarget, dump: Path) -> None:
    import psycopg

    with psycopg.connect(pg.conninfo, password=pg.password) as conn:
        version = int(conn.execute("SHOW server_version_num").fetchone()[0])  # type: ignore[index]
    # One transaction: the database is restored whole or not at all. Owners and grants are the
    # target's (its roles need not match the backed-up server's).
    _run_tool([pg_tool("pg_restore", _major(version)), "--single-transaction", "--exit-on-error", "--no-owner",
               "--no-privileges", f"--dbname={pg.conninfo}", str(dump)], pg, "pg_restore")


def _empty_database(pg: PgTarget) -> None:
    """Undo a restore whose verification failed: the database was empty before."""
    import psycopg

    with contextlib.suppress(psycopg.Error), psycopg.connect(pg.conninfo, password=pg.password) as conn:
        for (table,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")\
                .fetchall():
            conn.execute(f'DROP TABLE IF EXISTS "{table}" CASCADE')
        conn.commit()
