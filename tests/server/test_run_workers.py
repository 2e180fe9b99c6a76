"""How many server processes `bidclient-server run` starts when not told: one per core on PostgreSQL (the
deadline rush needs both cores of a small machine), one on SQLite; and a nonsense count is refused."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from server.cli import MAX_DEFAULT_WORKERS
from server.cli import main as server_main
from tests.server.test_submission_faults import ServerProcess, _group_alive, _processes_in_group


def _spawned_workers(pgid: int) -> int:
    count = 0
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            command = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z" and b"spawn_main" in command:
            count += 1
    return count


def test_default_process_count_follows_the_database(server_data: Path, tmp_path: Path) -> None:
    on_postgres = json.loads((server_data / "server.json").read_text())["database_url"].startswith("postgresql")
    log = tmp_path / "server.log"
    server = ServerProcess(server_data, log=log).start()  # no --workers
    try:
        assert server.proc is not None
        workers = min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS) if on_postgres else 1
        # The operator's first line says where it answers, with how many processes, on what.
        first = json.loads(log.read_text().splitlines()[0])
        assert first["logger"] == "server.run"
        assert first["message"] == (
            f"serving http://127.0.0.1:{server.port} with {workers} process(es); "
            f"{'postgresql' if on_postgres else 'sqlite'} database; data directory {server_data.resolve()}; "
            "trusted proxies: none")
        if workers == 1:
            assert _processes_in_group(server.proc.pid) == 1
        else:  # uvicorn's supervisor and its worker processes (and multiprocessing's resource tracker)
            assert _spawned_workers(server.proc.pid) == workers
    finally:
        server.kill()
    assert not _group_alive(server.proc.pid)


@pytest.mark.parametrize("count", ["0", "-2"])
def test_a_worker_count_below_one_is_refused(server_data: Path, count: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    assert server_main(["run", "--data", str(server_data), "--workers", count]) == 2
    assert "error [usage.invalid]: --workers must be at least 1" in capsys.readouterr().err
