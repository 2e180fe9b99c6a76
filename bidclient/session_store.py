"""Where the server session token is kept between commands: the system keyring when one is usable,
else a file readable only by the user. Only the short-lived session token is stored — never a PIN.
"""

from __future__ import annotations

import contextlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bidclient.api_client import ApiClient, TlsOptions, normalise_pin
from bidclient.config import config_dir
from bidclient.errors import BidclientError

KEYRING_SERVICE = "bidclient"
SERVER_ENV = "BIDCLIENT_SERVER"


def _client_config_path() -> Path:
    return config_dir() / "client.json"


def _sessions_path() -> Path:
    return config_dir() / "sessions.json"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_private_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
    os.replace(temp, path)


def default_server() -> str | None:
    return os.environ.get(SERVER_ENV) or _read_json(_client_config_path()).get("server") or None


def set_default_server(url: str) -> None:
    config = _read_json(_client_config_path())
    config["server"] = url.rstrip("/")
    _write_private_json(_client_config_path(), config)


CA_FILE_ENV = "BIDCLIENT_CA_FILE"
PIN_ENV = "BIDCLIENT_PIN_SHA256"  # space- or comma-separated
INSECURE_HTTP_ENV = "BIDCLIENT_INSECURE_HTTP"  # "1"


def tls_options(server: str) -> TlsOptions:
    """The transport settings for ``server``: those remembered by 'bidclient login', overridden by
    BIDCLIENT_CA_FILE, BIDCLIENT_PIN_SHA256 and BIDCLIENT_INSECURE_HTTP=1 where set (for commands run
    before any login); by default the system's CA store, no pin, no plain HTTP to a remote server."""
    table = _read_json(_client_config_path()).get("tls")
    entry = table.get(server.rstrip("/")) if isinstance(table, dict) else None
    entry = entry if isinstance(entry, dict) else {}
    ca_file = entry.get("ca_file")
    pins = entry.get("pin_sha256")
    options = TlsOptions(ca_file=ca_file if isinstance(ca_file, str) and ca_file else None,
                         pin_sha256=tuple(p for p in pins if isinstance(p, str)) if isinstance(pins, list) else (),
                         insecure_http=entry.get("insecure_http") is True)
    env_pins = os.environ.get(PIN_ENV, "").replace(",", " ").split()
    return TlsOptions(ca_file=os.environ.get(CA_FILE_ENV) or options.ca_file,
                      pin_sha256=tuple(normalise_pin(p) for p in env_pins) or options.pin_sha256,
                      insecure_http=os.environ.get(INSECURE_HTTP_ENV) == "1" or options.insecure_http)


def merged_tls_options(server: str, *, ca_file: str | None = None, pin_sha256: list[str] | None = None,
                       insecure_http: bool = False) -> TlsOptions:
    """The remembered settings for ``server`` with what the command line gives on top."""
    stored = tls_options(server)
    return TlsOptions(ca_file=str(Path(ca_file).resolve()) if ca_file else stored.ca_file,
                      pin_sha256=tuple(normalise_pin(p) for p in pin_sha256) if pin_sha256 else stored.pin_sha256,
                      insecure_http=insecure_http or stored.insecure_http)


def save_tls_options(server: str, options: TlsOptions) -> None:
    config = _read_json(_client_config_path())
    tls: dict[str, Any] = config["tls"] if isinstance(config.get("tls"), dict) else {}
    tls[server.rstrip("/")] = {"ca_file": options.ca_file, "pin_sha256": list(options.pin_sha256),
                               "insecure_http": options.insecure_http}
    config["tls"] = tls
    _write_private_json(_client_config_path(), config)


def _keyring() -> Any | None:
    """The keyring module if a real backend is available (not the fail/null/plaintext ones)."""
    if os.environ.get("BIDCLIENT_NO_KEYRING"):
        return None
    try:
        import keyring
        from keyring.backends import fail

        backend = keyring.get_keyring()
        if isinstance(backend, fail.Keyring) or backend.priority <= 0:
            return None
        return keyring
    except Exception:
        return None


def save_session(server: str, token: str, expires_at: datetime, identity: str) -> None:
    server = server.rstrip("/")
    meta = _read_json(_sessions_path())
    ring = _keyring()
    entry: dict[str, Any] = {"expires_at": expires_at.isoformat(), "identity": identity}
    if ring is not None:
        ring.set_password(KEYRING_SERVICE, server, token)
        entry["in_keyring"] = True
    else:
        entry["token"] = token
    meta[server] = entry
    _write_private_json(_sessions_path(), meta)


def load_token(server: str) -> str | None:
    server = server.rstrip("/")
    entry = _read_json(_sessions_path()).get(server)
    if not isinstance(entry, dict):
        return None
    try:
        if datetime.fromisoformat(str(entry.get("expires_at"))) <= datetime.now(UTC):
            return None
    except ValueError:
        return None
    if entry.get("in_keyring"):
        ring = _keyring()
        return ring.get_password(KEYRING_SERVICE, server) if ring is not None else None
    token = entry.get("token")
    return token if isinstance(token, str) else None


def stored_identity(server: str) -> str | None:
    """The identity key of the last login to ``server`` (kept with the session; known offline too)."""
    entry = _read_json(_sessions_path()).get(server.rstrip("/"))
    identity = entry.get("identity") if isinstance(entry, dict) else None
    return identity if isinstance(identity, str) else None


def forget_session(server: str) -> None:
    server = server.rstrip("/")
    meta = _read_json(_sessions_path())
    entry = meta.pop(server, None)
    if isinstance(entry, dict) and entry.get("in_keyring"):
        ring = _keyring()
        if ring is not None:
            with contextlib.suppress(Exception):  # already gone
                ring.delete_password(KEYRING_SERVICE, server)
    _write_private_json(_sessions_path(), meta)


def resolve_server(server: str | None) -> str:
    chosen = server or default_server()
    if not chosen:
        raise BidclientError("no server given: pass --server URL, set BIDCLIENT_SERVER, or log in once with "
                             "--server", code="usage.no_server", exit_status=2)
    return chosen.rstrip("/")


def load_client(server: str | None = None, *, require_login: bool = True) -> ApiClient:
    """An ApiClient for the server, carrying the stored session token."""
    url = resolve_server(server)
    token = load_token(url)
    if token is None and require_login:
        raise BidclientError(f"not logged in to {url} (or the session expired); run 'bidclient login --key KEY "
                             f"--server {url}'", code="auth.not_logged_in", exit_status=3)
    return ApiClient(url, token=token, tls=tls_options(url))
