"""Where bidclient keeps its configuration (trust list, extra modules). No secrets are ever stored here."""

from __future__ import annotations

import os
from pathlib import Path


def config_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "bidclient"


def default_trust_paths() -> list[Path]:
    """BIDCLIENT_TRUST (os.pathsep-separated), else ~/.config/bidclient/trust if it exists."""
    env = os.environ.get("BIDCLIENT_TRUST")
    if env:
        return [Path(p) for p in env.split(os.pathsep) if p]
    directory = config_dir() / "trust"
    return [directory] if directory.is_dir() else []


def extra_module_paths() -> list[Path]:
    env = os.environ.get("BIDCLIENT_PKCS11_MODULES", "")
    return [Path(p) for p in env.split(os.pathsep) if p]
