"""The layer rule: ui -> bidclient -> {crypto, forms}; server -> {bidclient.protocol, crypto, forms}; and no
import cycle among the project's modules.

``ui`` reaches crypto and forms through bidclient: of them it may name only the error types
(``crypto.errors``) and the PIN request types (``crypto.pin``) that the core's Prompter hands it.

Checked on the source with ast, so a forbidden import anywhere (even inside a function or under
TYPE_CHECKING) fails the suite.
"""

from __future__ import annotations

import ast
import functools
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
    "ui": {"server", "crypto", "forms"},
}
# Modules of a forbidden package that a package may still import (the package itself and its submodules).
ALLOWED: dict[str, set[str]] = {
    "ui": {"crypto.errors", "crypto.pin"},
}


@functools.cache
def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def imported_modules(source: str | ast.Module) -> set[str]:
    """Every absolute import; ``from a import b`` counts as ``a`` and, when ``a`` is a top-level package
    (``from crypto import errors``), as ``a.b`` instead (b may be a module)."""
    names: set[str] = set()
    tree = ast.parse(source) if isinstance(source, str) else source
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if "." in node.module:
                names.add(node.module)
            else:
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _allowed(package: str, name: str) -> bool:
    return any(name == ok or name.startswith(ok + ".") for ok in ALLOWED.get(package, ()))


def violations(package: str, source: str | ast.Module) -> set[str]:
    return {name for name in imported_modules(source)
            if name.split(".")[0] in FORBIDDEN[package] and not _allowed(package, name)}


def server_violations(source: str | ast.Module) -> set[str]:
    """server may use bidclient.protocol only, not the rest of the application core."""
    return {
        name
        for name in imported_modules(source)
        if name.split(".")[0] == "bidclient" and not name.startswith("bidclient.protocol")
    }


def protocol_violations(source: str | ast.Module) -> set[str]:
    """bidclient.protocol is what the server may import, so it reaches nothing of the client beyond itself and
    the two standard-library-only modules every code path needs: the errors and the translations."""
    return {name for name in imported_modules(source)
            if name.split(".")[0] == "bidclient" and not name.startswith("bidclient.protocol")
            and name not in ("bidclient.errors", "bidclient.i18n")}


def test_the_protocol_reaches_nothing_of_the_client_the_server_may_not_import() -> None:
    assert protocol_violations("from bidclient.api_client import ApiClient\n") == {"bidclient.api_client"}
    assert protocol_violations("from bidclient.i18n import _\nfrom bidclient.errors import BidclientError\n"
                               "from bidclient.protocol.tender import Lot\n") == set()
    bad = {str(path.relative_to(ROOT)): found for path in sorted((ROOT / "bidclient" / "protocol").rglob("*.py"))
           if (found := protocol_violations(_tree(path)))}
    assert not bad, f"bidclient.protocol imports client modules the server may not use: {bad}"
    for module in ("errors", "i18n"):  # and those two load nothing else of the client when imported
        top = ast.Module(body=[node for node in _tree(ROOT / "bidclient" / f"{module}.py").body
                               if isinstance(node, ast.Import | ast.ImportFrom)], type_ignores=[])
        found = {name for name in imported_modules(top)
                 if name.split(".")[0] == "bidclient" and name != "bidclient.i18n"}
        assert not found, f"bidclient.{module} imports {found}"


def test_checker_detects_a_violation() -> None:
    assert violations("crypto", "from bidclient.cli import main\n") == {"bidclient.cli"}
    assert violations("bidclient", "def f():\n    import PySide6.QtCore\n") == {"PySide6.QtCore"}
    assert server_violations("import bidclient.sealing\n") == {"bidclient.sealing"}
    assert violations("crypto", "from crypto.keys import Signer\n") == set()
    # ui: crypto and forms only through bidclient, except crypto's error and PIN types
    assert violations("ui", "from crypto import cms_sign\n") == {"crypto.cms_sign"}
    assert violations("ui", "from crypto.key_access import list_tokens\n") == {"crypto.key_access"}
    assert violations("ui", "def f():\n    from forms.model import Issue\n") == {"forms.model"}
    assert violations("ui", "import crypto.trust\n") == {"crypto.trust"}
    assert violations("ui", "from crypto import errors, pin\nfrom crypto.pin import PinRequest\n"
                            "from crypto.errors import TrustError\nfrom bidclient.signin import sign_in\n") == set()
    assert violations("ui", "from server.app import app\n") == {"server.app"}
    assert violations("bidclient", "from server import app\n") == {"server.app"}


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_layers(package: str) -> None:
    bad: dict[str, set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        source = _tree(path)
        found = violations(package, source)
        if package == "server":
            found |= server_violations(source)
        if found:
            bad[str(path.relative_to(ROOT))] = found
    assert not bad, f"layer rule broken: {bad}"


# --- no import cycles -----------------------------------------------------------------------------------


def project_modules() -> dict[str, Path]:
    """Every module of the project by dotted name (a package by its name, for its __init__.py)."""
    modules: dict[str, Path] = {}
    for package in sorted(PROJECT):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def module_imports(name: str, tree: ast.Module, modules: set[str], *, is_package: bool) -> set[str]:
    """The project modules that module ``name`` imports (``from a import b`` counts as a.b when b is a
    module, else as a; anything not of the project is left out)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, module] if module else base)
            targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in modules else module
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_cycle_checker_detects_a_cycle() -> None:
    modules = {"crypto", "crypto.a", "crypto.b", "crypto.c"}
    a = module_imports("crypto.a", ast.parse("from crypto import b\n"), modules, is_package=False)
    b = module_imports("crypto.b", ast.parse("def f():\n    from .a import x\n"), modules, is_package=False)
    c = module_imports("crypto.c", ast.parse("import crypto.a\nimport os\n"), modules, is_package=False)
    assert (a, b, c) == ({"crypto.b"}, {"crypto.a"}, {"crypto.a"})
    assert import_cycles({"crypto.a": a, "crypto.b": b, "crypto.c": c}) == [["crypto.a", "crypto.b"]]
    assert import_cycles({"crypto.a": set(), "crypto.b": {"crypto.a"}, "crypto.c": {"crypto.a"}}) == []


def test_no_import_cycles() -> None:
    modules = project_modules()
    names = set(modules)
    graph = {name: module_imports(name, _tree(path), names, is_package=path.name == "__init__.py")
             for name, path in modules.items()}
    cycles = import_cycles(graph)
    assert not cycles, f"import cycles among the project's modules (break them, e.g. move the shared part " \
                       f"into a module both import): {cycles}"


# --- the developer tools (devtools/) stay outside the product ---------------------------------------------

PRODUCT = ("bidclient", "crypto", "forms", "ui", "server")


def test_checker_detects_an_import_of_the_developer_tools() -> None:
    assert developer_tool_imports("def f():\n    from devtools.pki import DevPki\n") == {"devtools.pki"}
    assert developer_tool_imports("import devtools\n") == {"devtools"}
    assert developer_tool_imports("from bidclient import devtools_like\n") == set()


def developer_tool_imports(source: str | ast.Module) -> set[str]:
    return {name for name in imported_modules(source) if name.split(".")[0] == "devtools"}


@pytest.mark.parametrize("package", PRODUCT)
def test_no_product_package_imports_the_developer_tools(package: str) -> None:
    """devtools/ is not in the wheel nor the bundle: a product module importing it would fail there."""
    bad = {str(path.relative_to(ROOT)): found for path in sorted((ROOT / package).rglob("*.py"))
           if (found := developer_tool_imports(_tree(path)))}
    assert not bad, f"the product imports the developer tools: {bad}"


def test_the_developer_tools_run_the_server_and_the_app_as_programs() -> None:
    """The demo starts `bidclient-server` and the app as their own processes: devtools imports neither
    the server package nor Qt/ui."""
    bad = {str(path.relative_to(ROOT)): found for path in sorted((ROOT / "devtools").rglob("*.py"))
           if (found := {name for name in imported_modules(_tree(path))
                         if name.split(".")[0] in {"server", "ui"} | QT})}
    assert not bad, f"devtools imports the server or the app: {bad}"
