"""The health endpoint says whether the server clock is synchronised, as the operating system reports
it. timedatectl and chronyc are outside the thing under test: here they are small scripts on PATH that
answer as the real tools do."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from tests.server.conftest import start_server


@pytest.fixture
def backend() -> str:
    return "sqlite"


def _tool(folder: Path, name: str, output: str) -> None:
    folder.mkdir(exist_ok=True)
    script = folder / name
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' '{output}'\n")
    script.chmod(0o755)


@pytest.mark.parametrize(("tools", "expected"), [
    ({"timedatectl": "yes"}, (True, "timedatectl")),
    ({"timedatectl": "no", "chronyc": "A9FEA97B,169.254.169.123,4,1.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,Normal"},
     (False, "timedatectl")),
    ({"chronyc": "A9FEA97B,169.254.169.123,4,1.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,Not synchronised"},
     (False, "chronyc")),
    ({"chronyc": "A9FEA97B,169.254.169.123,4,1.0,0.0,0.0,0.0,0.0,0.0,0.0,0.0,Normal"}, (True, "chronyc")),
    ({}, (None, "none")),
])
def test_health_reports_the_clock_state(server_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        tools: dict[str, str], expected: tuple[bool | None, str]) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, output in tools.items():
        _tool(bin_dir, name, output)
    monkeypatch.setenv("PATH", str(bin_dir))
    server = start_server(server_data)
    try:
        health = requests.get(server.url + "/api/v1/health", timeout=30).json()
    finally:
        server.stop()
    assert health["status"] == "ok"
    assert (health["clock"]["synchronised"], health["clock"]["source"]) == expected
    assert health["clock"]["detail"]
