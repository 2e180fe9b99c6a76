"""The layer rule: ui -> bidclient -> {crypto, forms}; server -> {bidclient.protocol, crypto, forms}.

Checked on the source with ast, so a forbidden import anywhere (even inside a function) fails the suite.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = {"bidclient", "crypto", "forms", "ui", "server"}
QT = {"PySide6", "PyQt5", "PyQt6", "shiboken6"}

# For each package: the top-level project/Qt modules it may not import.
FORBIDDEN: dict[str, set[str]] = {
    "crypto": (PROJECT - {"crypto"}) | QT,
    "forms": {"bidclient", "ui", "server"} | QT,
    "bidclient": {"ui", "server"} | QT,
    "server": {"ui"} | QT,
    "ui": {"server"},
}


def imported_modules(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def violations(package: str, source: str) -> set[str]:
    return {name for name in imported_modules(source) if name.split(".")[0] in FORBIDDEN[package]}


def server_violations(source: str) -> set[str]:
    """server may use bidclient.protocol only, not the rest of the application core."""
    return {
        name
        for name in imported_modules(source)
        if name.split(".")[0] == "bidclient" and not name.startswith("bidclient.protocol")
    }


def test_checker_detects_a_violation() -> None:
    assert violations("crypto", "from bidclient.cli import main\n") == {"bidclient.cli"}
    assert violations("bidclient", "def f():\n    import PySide6.QtCore\n") == {"PySide6.QtCore"}
    assert server_violations("import bidclient.sealing\n") == {"bidclient.sealing"}
    assert violations("crypto", "from crypto.keys import Signer\n") == set()


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_layers(package: str) -> None:
    bad: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        found = violations(package, source)
        if package == "server":
            found |= server_violations(source)
        if found:
            bad[str(path.relative_to(ROOT))] = found
    assert not bad, f"layer rule broken: {bad}"
