"""The developer tools stay out of the product: not in the wheel, not in the product CLI, reachable only
through their own command (scripts/bidclient-dev)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from bidclient.cli.main import build_parser

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.slow
def test_the_wheel_holds_the_product_and_no_developer_tools(tmp_path: Path) -> None:
    """Built from the checkout as pip would build it for release (setuptools, pyproject's package
    discovery): every product package is in, devtools/, tests/ and benchmarks/ are not."""
    source = tmp_path / "checkout"  # a copy, so the build leaves nothing (build/, *.egg-info) in this one
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    for package in ("bidclient", "crypto", "forms", "ui", "server", "devtools", "tests", "benchmarks"):
        shutil.copytree(ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q",
                           "-w", str(tmp_path / "dist"), str(source)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    [wheel] = (tmp_path / "dist").glob("bidclient-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert {"bidclient", "crypto", "forms", "ui", "server"} <= tops
    assert not tops & {"devtools", "tests", "benchmarks", "scripts"}, sorted(tops)
    assert "bidclient/cli/main.py" in names
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "devtools" not in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_product_cli_has_no_developer_commands() -> None:
    """`bidclient --help` lists no dev-pki or demo, and `bidclient dev-pki` is a usage error."""
    helped = build_parser().format_help()
    assert "dev-pki" not in helped and "demo" not in helped
    done = subprocess.run([sys.executable, "-m", "bidclient.cli.main", "dev-pki", "x"], capture_output=True,
                          text=True, timeout=60, check=False, env={**os.environ, "BIDCLIENT_LANG": "en"})
    assert done.returncode == 2
    assert "[usage.invalid]" in done.stderr


def test_bidclient_dev_makes_a_demo_pki(tmp_path: Path) -> None:
    """scripts/bidclient-dev dev-pki writes the demo PKI with its SoftHSM tokens and says how to use it."""
    env = {**os.environ, "BIDCLIENT_LANG": "en", "BIDCLIENT_VENV": str(Path(sys.executable).parent.parent)}
    done = subprocess.run([str(ROOT / "scripts" / "bidclient-dev"), "dev-pki", str(tmp_path / "pki")],
                          capture_output=True, text=True, timeout=300, check=False, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"export SOFTHSM2_CONF={tmp_path / 'pki'}" in done.stdout
    assert "pkcs11:token=ent-a-rsa;" in done.stdout
    assert (tmp_path / "pki" / "pki.json").is_file()
    again = subprocess.run([str(ROOT / "scripts" / "bidclient-dev"), "dev-pki", str(tmp_path / "pki")],
                           capture_output=True, text=True, timeout=300, check=False, env=env, cwd=tmp_path)
    assert again.returncode != 0
    assert "Traceback" not in again.stderr and "error [" in again.stderr
