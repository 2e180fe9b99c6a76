"""The expert's journal: an edit is durable once append() returns — a real process killed with SIGKILL in the
middle of editing, twenty times, loses none — the file is append-only and its hash chain finds tampering."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bidclient.evaluation.journal import GENESIS_HASH, Journal, JournalError

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from bidclient.evaluation.journal import Journal

    journal = Journal(Path(sys.argv[1]), server="https://s", session_id="S1", expert="person:张三")
    n = 0
    while True:
        n += 1
        entry = journal.append({"kind": "score", "bid": "bid-a", "item": "tech", "value": str(n % 30),
                                "passed": None, "reason": "", "comment": "评语" * 50})
        print(entry.edit_id, flush=True)  # the app shows "saved" only now
""")


def _open(path: Path) -> Journal:
    return Journal(path, server="https://s", session_id="S1", expert="person:张三")


def test_killing_the_process_mid_edit_loses_no_saved_edit(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    saved: list[str] = []
    rng = random.Random(20261202)
    for _round in range(20):
        process = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=ROOT, stdout=subprocess.PIPE,
                                   text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert process.stdout is not None
        wanted = rng.randint(1, 25)
        for _ in range(wanted):  # it keeps editing while we read: the kill lands in the middle of an append
            line = process.stdout.readline()
            assert line, "the writer stopped by itself"
            saved.append(line.strip())
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        with _open(path) as journal:
            present = {e.edit_id for e in journal.entries()}
            assert journal.verify() == len(present)
        missing = [s for s in saved if s not in present]
        assert not missing, f"round {_round}: {len(missing)} saved edit(s) lost"
    with _open(path) as journal:
        entries = journal.entries()
        assert len(entries) >= len(saved)
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))


def test_the_stated_fsync_policy_is_in_force(tmp_path: Path) -> None:
    with _open(tmp_path / "j.sqlite") as journal:
        journal.append({"kind": "review", "bid": "b", "item": "i", "passed": True})
        assert journal._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL: the WAL is fsynced per commit


def test_the_journal_is_append_only_and_its_chain_finds_tampering(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with _open(path) as journal:
        first = journal.append({"kind": "score", "bid": "bid-a", "item": "tech", "value": "10.00"})
        journal.append({"kind": "score", "bid": "bid-a", "item": "tech", "value": "12.00"})
        assert journal.entries()[0].entry_hash == first.entry_hash
        assert journal.entries()[1].entry_hash != GENESIS_HASH
    raw = sqlite3.connect(path)
    for statement in ("UPDATE entry SET body = '{}' WHERE seq = 1", "DELETE FROM entry WHERE seq = 1"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            raw.execute(statement)
    raw.close()
    # Someone who drops the triggers to rewrite a score is caught by the chain.
    forged = tmp_path / "forged.sqlite"
    shutil.copy(path, forged)
    raw = sqlite3.connect(forged)
    raw.execute("DROP TRIGGER entry_append_only_update")
    raw.execute("""UPDATE entry SET body = '{"bid":"bid-a","item":"tech","kind":"score","value":"30.00"}'
                   WHERE seq = 1""")
    raw.commit()
    raw.close()
    with _open(forged) as journal, pytest.raises(JournalError, match="damaged at entry 1"):
        journal.verify()


def test_a_journal_is_never_mixed_up_with_another_session_or_expert(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    _open(path).close()
    with pytest.raises(JournalError, match="belongs to another session or expert"):
        Journal(path, server="https://s", session_id="S2", expert="person:张三")
    with pytest.raises(JournalError, match="belongs to another session or expert"):
        Journal(path, server="https://s", session_id="S1", expert="person:李四")
