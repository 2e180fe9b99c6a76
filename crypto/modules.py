"""Finding PKCS#11 modules: p11-kit's registry plus paths the user configured.

A CA's installer usually drops a ``.module`` file into p11-kit's registry; modules that are not
registered are named with ``--module PATH`` or the ``BIDCLIENT_PKCS11_MODULES`` environment variable
(``os.pathsep``-separated). The p11-kit trust module holds CA anchors, not keys, and the proxy / client
modules would re-export the very modules we load directly, so both are skipped.
"""

from __future__ import annotations

import os
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ENV_MODULES = "BIDCLIENT_PKCS11_MODULES"
PROGRAM_NAME = "bidclient"  # for p11-kit's enable-in / disable-in

REGISTRY_DIRS = (
    Path("/usr/share/p11-kit/modules"),
    Path("/etc/pkcs11/modules"),
)

_SKIPPED_LIBRARIES = frozenset({"p11-kit-trust.so", "p11-kit-proxy.so", "p11-kit-client.so"})


def user_registry_dir() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "pkcs11" / "modules"


def module_dirs() -> list[Path]:
    """Where p11-kit resolves a relative ``module:`` name (its configured p11_module_path)."""
    multiarch = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
    return [Path(f"/usr/lib/{multiarch}/pkcs11"), Path("/usr/lib64/pkcs11"), Path("/usr/lib/pkcs11")]


@dataclass(frozen=True)
class ModuleInfo:
    """A PKCS#11 module to load. ``name`` is the registry name (``softhsm2``) or the file stem."""

    path: Path
    name: str
    source: str  # "configured", "environment", or the .module file it came from

    @property
    def names(self) -> frozenset[str]:
        """Names an RFC 7512 ``module-name`` may use for this module."""
        stem = self.path.name.split(".so")[0].split(".dll")[0].split(".dylib")[0]
        names = {self.name, self.path.name, stem}
        if stem.startswith("lib"):
            names.add(stem[3:])
        return frozenset(names)


def _resolve_module_name(value: str) -> Path:
    path = Path(value)
    if path.is_absolute():
        return path
    dirs = module_dirs()
    for directory in dirs:
        if (directory / value).exists():
            return directory / value
    return dirs[0] / value


def parse_module_file(path: Path) -> ModuleInfo | None:
    """A registry entry, or None when it is not a key-bearing module this program should load."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    settings: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        key, _, value = line.partition(":")
        settings[key.strip().lower()] = value.strip()
    module = settings.get("module")
    if not module:
        return None  # e.g. a remote: entry, or a file that only overrides options
    if settings.get("trust-policy", "").lower() in ("yes", "true"):
        return None
    if Path(module).name in _SKIPPED_LIBRARIES:
        return None
    programs = {p.strip() for p in settings.get("enable-in", "").split(",") if p.strip()}
    if programs and PROGRAM_NAME not in programs:
        return None
    if PROGRAM_NAME in {p.strip() for p in settings.get("disable-in", "").split(",")}:
        return None
    if settings.get("enabled", "yes").lower() in ("no", "false"):
        return None
    return ModuleInfo(path=_resolve_module_name(module), name=path.stem, source=str(path))


def _configured(path: str | Path, source: str) -> ModuleInfo:
    p = Path(path).expanduser()
    return ModuleInfo(path=p, name=p.name.split(".so")[0], source=source)


def discover_modules(extra: Sequence[str | Path] = (), *, registry_dirs: Sequence[Path] | None = None,
                     use_environment: bool = True) -> list[ModuleInfo]:
    """Configured modules first (``extra``, then the environment variable), then the p11-kit registry.

    A module reached twice (same real path) is listed once, under its first source. Modules whose file
    is missing are still listed: loading them reports the problem to the user.
    """
    found: list[ModuleInfo] = [_configured(p, "configured") for p in extra]
    env = os.environ.get(ENV_MODULES, "") if use_environment else ""
    found += [_configured(p, "environment") for p in env.split(os.pathsep) if p.strip()]
    dirs = list(registry_dirs) if registry_dirs is not None else [*REGISTRY_DIRS, user_registry_dir()]
    # p11-kit lets a user file override a system file of the same name.
    by_name: dict[str, Path] = {}
    for directory in dirs:
        try:
            entries = sorted(directory.glob("*.module"))
        except OSError:
            continue
        for entry in entries:
            by_name[entry.name] = entry
    for entry_name in sorted(by_name):
        info = parse_module_file(by_name[entry_name])
        if info is not None:
            found.append(info)
    result: list[ModuleInfo] = []
    seen: set[str] = set()
    for info in found:
        key = os.path.realpath(info.path)
        if key in seen:
            continue
        seen.add(key)
        result.append(info)
    return result
