"""`bidclient-server`: init, run, and admin commands for what has no UI yet."""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from crypto.identity import readable_name
from server.settings import (
    DATABASE_URL_ENV,
    DATABASE_URL_FILE_ENV,
    DatabaseUrlError,
    Settings,
    read_database_url_file,
    redact,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

CONFIG_NAME = "server.json"


class CliError(Exception):
    def __init__(self, code: str, message: str, exit_status: int = 1) -> None:
        super().__init__(message)
        self.code = code
        self.exit_status = exit_status


# Every database URL this process has seen, so that no message, error or log line shows its password.
_SEEN_URLS: list[str] = []


_USED_URL: list[str] = []  # the URL the command resolved (for the message when the database fails)


def _seen(url: str) -> str:
    if url and url not in _SEEN_URLS:
        _SEEN_URLS.append(url)
    return url


def _used(url: str) -> str:
    _USED_URL[:] = [url]
    return _seen(url)


def redacted(text: str) -> str:
    """``text`` with the password of every database URL seen masked (and those URLs shown masked)."""
    for url in _SEEN_URLS:
        text = redact(text, url)
    return text


def _database_url(args: argparse.Namespace, config: dict[str, Any]) -> str:
    """The database URL, from the first of: --database-url, --database-url-file, BIDCLIENT_SERVER_DATABASE_URL,
    BIDCLIENT_SERVER_DATABASE_URL_FILE, server.json (a URL file or a URL); empty means SQLite in the data
    directory."""
    given: str | None = getattr(args, "database_url", None)
    given_file: Path | None = getattr(args, "database_url_file", None)
    if given and given_file:
        raise CliError("usage.invalid", "give --database-url or --database-url-file, not both", 2)
    try:
        if given:
            return _used(given)
        if given_file:
            return _used(read_database_url_file(given_file))
        if os.environ.get(DATABASE_URL_ENV):
            return _used(os.environ[DATABASE_URL_ENV])
        if os.environ.get(DATABASE_URL_FILE_ENV):
            return _used(read_database_url_file(Path(os.environ[DATABASE_URL_FILE_ENV])))
        if config.get("database_url_file"):
            return _used(read_database_url_file(Path(str(config["database_url_file"]))))
    except DatabaseUrlError as ex:
        raise CliError("server.database_url_unreadable", f"{ex}; nothing was changed", 2) from None
    return _used(str(config.get("database_url", "") or ""))


def _settings(args: argparse.Namespace) -> Settings:
    data: Path = args.data
    config_path = data / CONFIG_NAME
    if not config_path.is_file():
        raise CliError("server.not_initialised", f"{data} is not a server data directory; run "
                       f"'bidclient-server init --data {data}' first", 2)
    config = json.loads(config_path.read_text(encoding="utf-8"))
    url = _database_url(args, config)
    settings = Settings(data_dir=data, database_url=url, revocation=config.get("revocation", "soft-fail"),
                        tsa_url=str(config.get("tsa_url", "") or ""))
    from dataclasses import replace

    if isinstance(config.get("max_chunk_size"), int) and config["max_chunk_size"] > 0:
        settings = replace(settings, max_chunk_size=int(config["max_chunk_size"]))
    if isinstance(config.get("lock_timeout"), int | float) and config["lock_timeout"] > 0:
        settings = replace(settings, lock_timeout=float(config["lock_timeout"]))
    return _operations_settings(settings, config)


def _operations_settings(settings: Settings, config: dict[str, Any]) -> Settings:
    """The operations keys of server.json (docs/operations.md); a wrongly typed value is an error."""
    from dataclasses import replace

    changes: dict[str, Any] = {}
    command = config.get("clock_check_command")
    if command is not None:
        if not (isinstance(command, list) and command and all(isinstance(a, str) and a for a in command)):
            raise CliError("server.config_invalid", "clock_check_command in server.json must be a list of "
                           'strings, e.g. ["ntpstat"]', 2)
        changes["clock_check_command"] = tuple(command)
    for key, kind in (("metrics_token", str), ("access_log", bool), ("largest_expected_bid", int),
                      ("deadline_watch_poll", float), ("rate_window", float), ("login_per_identity", int),
                      ("login_per_address", int), ("upload_start_per_identity", int),
                      ("upload_start_per_address", int), ("expert_recent_service_days", int),
                      ("smtp_host", str), ("smtp_port", int), ("smtp_from", str), ("smtp_starttls", bool),
                      ("expert_mail_poll", float)):
        if key not in config:
            continue
        value = config[key]
        ok = isinstance(value, kind) if kind is not float else isinstance(value, int | float)
        if not ok or isinstance(value, bool) is not (kind is bool) or \
                (isinstance(value, int | float) and not isinstance(value, bool) and value < 0):
            raise CliError("server.config_invalid", f"{key} in server.json must be a "
                           f"{'non-negative number' if kind in (int, float) else kind.__name__}", 2)
        changes[key] = float(value) if kind is float else value
    return replace(settings, **changes) if changes else settings


def cmd_init(args: argparse.Namespace) -> int:
    data: Path = args.data
    if (data / CONFIG_NAME).exists():
        raise CliError("server.already_initialised", f"{data} already holds a server; nothing was changed", 2)
    url = _database_url(args, {})
    created = not data.exists()
    before = set() if created else set(data.iterdir())
    try:
        _init(args, data, url)
    except BaseException:
        # Nothing half-made is left behind: the directory is as it was, and init can simply be run again.
        _remove_new(data, before, remove_folder=created)
        raise
    return 0


def _init(args: argparse.Namespace, data: Path, url: str) -> None:
    from server import keys
    from server.db import make_engine
    from server.schema import create_schema

    data.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data, database_url=url)
    for folder in (settings.blob_dir, settings.upload_dir):
        folder.mkdir(exist_ok=True)
    keys.generate(settings.keys_dir, args.name)
    engine = make_engine(settings.resolved_database_url)
    try:
        create_schema(engine)
    finally:
        engine.dispose()
    # A URL given in a file stays there (server.json names the file); one given on the command line is kept
    # in server.json, readable by its owner only.
    config: dict[str, Any] = {"database_url": args.database_url or "", "revocation": args.revocation,
                              "name": args.name, "tsa_url": args.tsa_url}
    if args.database_url_file:
        config["database_url_file"] = str(Path(args.database_url_file).resolve())
    fd = os.open(data / CONFIG_NAME, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(json.dumps(config, indent=2))
    print(f"initialised the server in {data} ({settings.resolved_database_url.split('://')[0]})")


def _remove_new(data: Path, before: set[Path], *, remove_folder: bool) -> None:
    import shutil

    if remove_folder:
        shutil.rmtree(data, ignore_errors=True)
        return
    for child in set(data.iterdir()) - before if data.is_dir() else ():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


DATA_DIR_ENV = "BIDCLIENT_SERVER_DATA"
LOG_LEVEL_ENV = "BIDCLIENT_SERVER_LOG_LEVEL"


def app_from_environment() -> Any:
    """The app for uvicorn's worker processes (``--workers``): settings from the environment."""
    from server.app import create_app
    from server.observability import logs

    logs.configure(os.environ.get(LOG_LEVEL_ENV, "warning"))  # a spawned worker starts with no logging set up
    namespace = argparse.Namespace(data=Path(os.environ[DATA_DIR_ENV]), database_url=None, database_url_file=None)
    try:
        settings = _settings(namespace)
    finally:
        install_log_redaction()
    settings = dataclasses.replace(settings, freeze_heap=True)  # a server process of its own (server/app.py)
    return create_app(_with_trusted_proxies(settings, os.environ.get(TRUSTED_PROXIES_ENV, "").split()))


def install_log_redaction() -> None:
    """Mask the database URLs seen in every log record of this process, tracebacks included (a driver or
    SQLAlchemy error may quote the URL)."""
    import logging
    import traceback

    previous = logging.getLogRecordFactory()
    if getattr(previous, "bidclient_redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logged as the logging module would
            return record
        clean = redacted(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redacted("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
        return record

    factory.bidclient_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


TRUSTED_PROXIES_ENV = "BIDCLIENT_SERVER_TRUSTED_PROXIES"


def _with_trusted_proxies(settings: Settings, proxies: Sequence[str]) -> Settings:
    from dataclasses import replace

    from server.tls import TlsSetupError, parse_networks

    try:
        parse_networks(proxies)
    except TlsSetupError as ex:
        raise CliError(ex.code, str(ex), 2) from None
    return replace(settings, trusted_proxies=tuple(proxies)) if proxies else settings


MAX_DEFAULT_WORKERS = 8


def default_workers(database_url: str) -> int:
    """Server processes when ``run`` is not told: one per core on PostgreSQL, whose row locks let the
    processes work at once (measured: the deadline rush needs it on two cores); one on SQLite, whose
    single write lock the processes would take turns at, which costs more than it gains
    (docs/benchmarks.md, "Two server processes")."""
    if database_url.startswith("sqlite"):
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_WORKERS))


def connection_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's limits on connections, as ``run`` serves (the tests serve with them too)."""
    return {"limit_concurrency": settings.max_concurrency, "backlog": 2048, "timeout_keep_alive": 30}


def cmd_run(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings(args)  # checked here, so a wrong --data fails before any worker starts
    install_log_redaction()
    if args.workers is not None and args.workers < 1:
        raise CliError("usage.invalid", "--workers must be at least 1", 2)
    workers = args.workers if args.workers is not None else default_workers(settings.resolved_database_url)
    settings = _with_trusted_proxies(settings, args.trusted_proxy)
    options: dict[str, Any] = {"host": args.host, "port": args.port, "log_level": args.log_level,
                               "access_log": False, **connection_options(settings),
                               "log_config": None,  # JSON lines, set up here (server/observability/logs.py)
                               # Forwarded addresses are judged by the app against --trusted-proxy only
                               # (uvicorn would otherwise believe any local process).
                               "proxy_headers": False}
    options.update(_tls_options(args))
    from server.observability import logs

    logs.configure(args.log_level)
    _announce(args, settings, workers, tls="ssl_certfile" in options)
    if workers > 1:
        # Instances are stateless (database + shared data folder), so worker processes behave as one
        # server and use every core: the per-byte work of uploads is CPU-bound in each process.
        # The workers find the database as this process did: a URL file is passed on as a file, so that
        # the password stays out of the environment.
        os.environ[DATA_DIR_ENV] = str(args.data.resolve())
        os.environ[LOG_LEVEL_ENV] = args.log_level
        os.environ[TRUSTED_PROXIES_ENV] = " ".join(args.trusted_proxy)
        if args.database_url:
            os.environ[DATABASE_URL_ENV] = args.database_url
        elif args.database_url_file:
            os.environ.pop(DATABASE_URL_ENV, None)
            os.environ[DATABASE_URL_FILE_ENV] = str(Path(args.database_url_file).resolve())
        _run_workers(uvicorn, workers, options)
        return 0
    from server.app import create_app

    # A server process of its own: its start-up heap is frozen out of the garbage collector (server/app.py).
    uvicorn.run(create_app(dataclasses.replace(settings, freeze_heap=True)), **options)
    return 0


def _announce(args: argparse.Namespace, settings: Settings, workers: int, *, tls: bool) -> None:
    """One line an operator reads first: where the server answers, how, and on what data."""
    import logging

    host = f"[{args.host}]" if ":" in args.host else args.host
    logging.getLogger("server.run").info(
        "serving %s://%s:%d with %d process(es); %s database; data directory %s; trusted proxies: %s",
        "https" if tls else "http", host, args.port, workers, settings.resolved_database_url.split("://")[0],
        args.data.resolve(), " ".join(args.trusted_proxy) or "none")


def _run_workers(uvicorn: Any, workers: int, options: dict[str, Any]) -> None:
    """Worker processes share one metrics directory, so a scrape of any of them counts all of them."""
    import shutil
    import tempfile

    from server.observability.metrics import MULTIPROC_ENV

    own = not os.environ.get(MULTIPROC_ENV)
    if own:
        os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="bidclient-metrics-")
    try:
        uvicorn.run("server.cli:app_from_environment", factory=True, workers=workers, **options)
    finally:
        if own:
            shutil.rmtree(os.environ.pop(MULTIPROC_ENV), ignore_errors=True)


def _tls_options(args: argparse.Namespace) -> dict[str, Any]:
    """uvicorn's ssl_* options for --tls-cert/--tls-key, checked first; none for plain HTTP, which is
    only allowed on a loopback address (behind a reverse proxy on the same machine) or when asked."""
    from server.tls import TlsSetupError, uvicorn_ssl_options

    if bool(args.tls_cert) != bool(args.tls_key):
        raise CliError("usage.invalid", "--tls-cert and --tls-key go together", 2)
    if args.tls_cert:
        try:
            return uvicorn_ssl_options(args.tls_cert, args.tls_key)
        except TlsSetupError as ex:
            raise CliError(ex.code, str(ex), 2) from None
    from server.tls import is_loopback

    if not is_loopback(args.host) and not args.insecure_http:
        raise CliError("server.insecure_http", f"refusing to serve plain HTTP on {args.host}: sessions and logins "
                       "would cross the network unencrypted. Give --tls-cert and --tls-key, or listen on 127.0.0.1 "
                       "behind a TLS reverse proxy (docs/deploy.md), or pass --insecure-http on a network you "
                       "trust", 2)
    return {}


def _session(args: argparse.Namespace) -> Session:
    from server.db import make_engine, make_session_factory

    settings = _settings(args)
    return make_session_factory(make_engine(settings.resolved_database_url))()


def cmd_trust_add(args: argparse.Namespace) -> int:
    from server import clock
    from server.audit import chain
    from server.auth.models import TrustEntry

    added = 0
    with _session(args) as db:
        for path in args.files:
            data = Path(path).read_bytes()
            entries: list[tuple[str, bytes, str]] = []
            try:
                if b"-----BEGIN X509 CRL-----" in data:
                    crl = x509.load_pem_x509_crl(data)
                    entries.append(("crl", crl.public_bytes(serialization.Encoding.DER), readable_name(crl.issuer)))
                elif b"-----BEGIN CERTIFICATE-----" in data:
                    for cert in x509.load_pem_x509_certificates(data):
                        entries.append(("certificate", cert.public_bytes(serialization.Encoding.DER),
                                        readable_name(cert.subject)))
                else:
                    try:
                        cert = x509.load_der_x509_certificate(data)
                        entries.append(("certificate", data, readable_name(cert.subject)))
                    except ValueError:
                        crl = x509.load_der_x509_crl(data)
                        entries.append(("crl", data, readable_name(crl.issuer)))
            except ValueError:
                raise CliError("trust.unreadable", f"{path} is not a certificate or CRL (PEM or DER)") from None
            for kind, der, label in entries:
                digest = hashlib.sha256(der).hexdigest()
                if db.get(TrustEntry, digest) is None:
                    db.add(TrustEntry(sha256=digest, kind=kind, der=der, label=label[:1000], added_at=clock.now()))
                    chain.append(db, actor=chain.ActorRef("admin-cli"), action="trust.add", object_type=kind,
                                 object_id=digest, payload=der)
                    added += 1
        db.commit()
    print(f"added {added} trust entr{'y' if added == 1 else 'ies'}")
    return 0


def cmd_trust_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from server.auth.models import TrustEntry

    with _session(args) as db:
        for entry in db.execute(select(TrustEntry).order_by(TrustEntry.added_at)).scalars():
            print(f"{entry.sha256}  {entry.kind:<11}  {entry.label}")
    return 0


def cmd_trust_remove(args: argparse.Namespace) -> int:
    from server.audit import chain
    from server.auth.models import TrustEntry

    with _session(args) as db:
        entry = db.get(TrustEntry, args.sha256)
        if entry is None:
            raise CliError("trust.not_found", f"no trust entry {args.sha256}")
        db.delete(entry)
        chain.append(db, actor=chain.ActorRef("admin-cli"), action="trust.remove", object_type=entry.kind,
                     object_id=entry.sha256)
        db.commit()
    print(f"removed {args.sha256}")
    return 0


MAX_IDENTITY_KEY = 300  # the identity_key columns' width


def identity_key(text: str) -> str:
    """The identity key an account gets at login (crypto.identity.Identity.key), checked: ``uscc:`` and an
    18-character 统一社会信用代码 whose check character is right (upper-cased), or ``person:`` and a
    name. Anything else could never match an account, so a grant to it would give a role to nobody."""
    from crypto.identity import USCC_CHARSET, is_valid_uscc, uscc_check_character

    hint = ("give uscc:<统一社会信用代码> for an enterprise or person:<name> for a person, exactly as "
            "'bidclient login' shows the account's identity; nothing was changed")
    kind, sep, value = text.partition(":")
    if not sep or kind not in ("uscc", "person"):
        raise CliError("usage.invalid_identity", f"{text!r} is not an identity: {hint}", 2)
    if kind == "uscc":
        code = value.strip().upper()
        if is_valid_uscc(code):
            return f"uscc:{code}"
        if len(code) != 18 or any(c not in USCC_CHARSET for c in code):
            why = ("it is empty" if not code else f"it has {len(code)} characters, not 18" if len(code) != 18
                   else "it has characters outside 0-9 and A-Y without I, O, S, V, Z")
        else:
            why = (f"its check character is {code[17]}, but the first 17 characters give "
                   f"{uscc_check_character(code[:17])}: a character is mistyped")
        raise CliError("usage.invalid_identity", f"{value!r} is not a valid 统一社会信用代码 ({why}): {hint}", 2)
    if not value.strip() or value != value.strip() or not value.isprintable() \
            or len(text) > MAX_IDENTITY_KEY:
        raise CliError("usage.invalid_identity", f"{text!r} names no person (the name is empty, has spaces "
                       f"around it, control characters, or more than {MAX_IDENTITY_KEY} characters): {hint}", 2)
    return text


def cmd_grant(args: argparse.Namespace) -> int:
    from server.auth import service
    from server.auth.models import Role

    key = identity_key(args.identity)  # before the database is opened: a refused grant touches nothing
    with _session(args) as db:
        changed = service.grant_role(db, identity_key=key, role=Role(args.role), granted_by="admin-cli")
        db.commit()
    print(("granted" if changed else "already granted") + f" {args.role} to {key}")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from server.auth import service
    from server.auth.models import Role

    with _session(args) as db:
        changed = service.revoke_role(db, identity_key=args.identity, role=Role(args.role), revoked_by="admin-cli")
        db.commit()
    print(("revoked" if changed else "was not granted") + f" {args.role} of {args.identity}")
    return 0


def cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    from server import keys
    from server.audit.checkpoints import make_checkpoint

    settings = _settings(args)
    with _session(args) as db:
        checkpoint = make_checkpoint(db, keys=keys.load(settings.keys_dir), force=True)
        db.commit()
    print(f"timestamped the audit chain at seq {checkpoint.seq}" if checkpoint is not None
          else "nothing to timestamp: the chain is empty or already anchored at its head")
    return 0


def _config(args: argparse.Namespace) -> dict[str, Any]:
    _settings(args)  # says clearly when --data is not a server
    config: dict[str, Any] = json.loads((args.data / CONFIG_NAME).read_text(encoding="utf-8"))
    return config


def _backup_error(ex: Exception) -> CliError:
    return CliError(getattr(ex, "code", "backup.failed"), str(ex))


def cmd_backup(args: argparse.Namespace) -> int:
    from server.backup import BackupError, backup

    settings = _settings(args)
    try:
        report = backup(settings, _config(args), args.destination, say=lambda text: print(text, file=sys.stderr))
    except BackupError as ex:
        raise _backup_error(ex) from None
    print(f"backed up {report.submissions} submissions, {report.blobs} bid and tender files "
          f"({report.bytes} bytes) and {report.audit_entries} audit entries to {report.path}")
    print("the backup holds the server's private keys: keep it as safe as the server itself")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from server.backup import BackupError, restore

    try:
        # Named in the new server.json as init would: a URL file by its path, so its password stays in it.
        database_config = {"database_url": args.database_url or ""}
        if args.database_url_file:
            database_config["database_url_file"] = str(Path(args.database_url_file).resolve())
        report = restore(args.source, args.data, _database_url(args, {}),
                         say=lambda text: print(text, file=sys.stderr), database_config=database_config)
    except BackupError as ex:
        raise _backup_error(ex) from None
    checked = report.verified
    print(f"restored {args.source} into {report.data} ({report.backend})")
    print(f"verified: {checked.submissions} submissions, {checked.blobs} files ({checked.bytes} bytes) match their "
          f"SHA-256, {checked.receipts} receipts verify, audit chain of {checked.audit_entries} entries intact")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from server.backup import verify_data
    from server.db import make_engine

    settings = _settings(args)
    engine = make_engine(settings.resolved_database_url)
    try:
        report = verify_data(settings, engine)
    finally:
        engine.dispose()
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    if report.problems:
        raise CliError("storage.verify_failed", f"{len(report.problems)} problem(s) found in {args.data}; see above")
    print(f"verified: {report.submissions} submissions, {report.blobs} files ({report.bytes} bytes) match their "
          f"SHA-256, {report.receipts} receipts verify, audit chain of {report.audit_entries} entries intact")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from server.auth.models import Role

    parser = argparse.ArgumentParser(prog="bidclient-server", description="The bidclient server component.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def data_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data", type=Path, required=True, metavar="DIR", help="the server's data directory")
        p.add_argument("--database-url", default=None, metavar="URL",
                       help=f"PostgreSQL URL (or {DATABASE_URL_ENV}); default: the database given at init (SQLite "
                       "in DIR if none). A password here shows in the process list: prefer --database-url-file")
        p.add_argument("--database-url-file", default=None, type=Path, metavar="PATH",
                       help=f"a file holding the PostgreSQL URL on its first line (or {DATABASE_URL_FILE_ENV})")

    p = sub.add_parser("init", help="create a server data directory (SQLite, blobs, keys)")
    data_option(p)
    p.add_argument("--name", default="bidclient server", help="the server's name in its certificates")
    p.add_argument("--revocation", choices=["soft-fail", "hard-fail", "off"], default="soft-fail")
    p.add_argument("--tsa-url", default="", metavar="URL",
                   help="an external RFC 3161 TSA for receipts (default: the built-in TSA)")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("run", help="serve the API")
    data_option(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8443)
    p.add_argument("--log-level", default="warning")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="server processes sharing the port (default: one per core on PostgreSQL, 1 on SQLite)")
    p.add_argument("--tls-cert", type=Path, default=None, metavar="PEM",
                   help="serve HTTPS (TLS 1.2+) with this certificate (chain) file")
    p.add_argument("--tls-key", type=Path, default=None, metavar="PEM", help="the certificate's private key")
    p.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDR/CIDR",
                   help="a reverse proxy whose X-Forwarded-For gives the client address (repeatable; default: "
                        "none, the peer address is recorded)")
    p.add_argument("--insecure-http", action="store_true",
                   help="allow plain HTTP on a non-loopback address (only on a network you trust)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("backup", help="write a consistent backup while the server runs (database, bids, keys)",
                       description="Snapshot the database (SQLite online backup, or pg_dump), then copy the bid "
                                   "storage, uploads in progress and the server keys into DEST, a new folder. "
                                   "Safe while the server runs. DEST holds private keys: keep it safe.")
    data_option(p)
    p.add_argument("destination", type=Path, metavar="DEST", help="a new (or empty) folder for the backup")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="restore a backup into a new data directory, then verify it",
                       description="Check every file of the backup, restore it into DIR (a new data directory; "
                                   "for a PostgreSQL backup also --database-url, an empty database), then verify "
                                   "that every bid is present byte for byte, every receipt verifies and the audit "
                                   "chain is intact. On any failure nothing is left behind.")
    data_option(p)
    p.add_argument("source", type=Path, metavar="SRC", help="a folder written by 'bidclient-server backup'")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("verify", help="check every stored bid against its SHA-256, the receipts and the audit chain")
    data_option(p)
    p.set_defaults(func=cmd_verify)

    admin = sub.add_parser("admin", help="administration").add_subparsers(dest="admin", required=True)
    p = admin.add_parser("trust-add", help="add CA certificates or CRLs to the trust list")
    data_option(p)
    p.add_argument("files", nargs="+", type=Path)
    p.set_defaults(func=cmd_trust_add)
    p = admin.add_parser("trust-list", help="show the trust list")
    data_option(p)
    p.set_defaults(func=cmd_trust_list)
    p = admin.add_parser("trust-remove", help="remove a trust entry by its SHA-256")
    data_option(p)
    p.add_argument("sha256")
    p.set_defaults(func=cmd_trust_remove)
    p = admin.add_parser("audit-checkpoint", help="timestamp the audit chain's head now (RFC 3161)")
    data_option(p)
    p.set_defaults(func=cmd_audit_checkpoint)
    for name, func in (("grant", cmd_grant), ("revoke", cmd_revoke)):
        p = admin.add_parser(name, help=("grant a role to" if name == "grant" else "revoke a role from")
                             + " an identity (uscc:<code> or person:<name>)")
        data_option(p)
        p.add_argument("--identity", required=True, metavar="IDENTITY",
                       help="uscc:<统一社会信用代码> for an enterprise, person:<name> for a person, as "
                       "'bidclient whoami' shows it")
        p.add_argument("--role", required=True, choices=[r.value for r in Role],
                       help="the role (a bidder needs none: every enterprise that logs in may bid)")
        p.set_defaults(func=func)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        import fastapi  # noqa: F401
        import sqlalchemy.exc
    except ImportError as ex:
        print(f"error [server.not_installed]: the server component needs its extra packages ({ex.name} is "
              "missing): pip install 'bidclient[server]'", file=sys.stderr)
        return 2
    args = build_parser().parse_args(argv)
    _SEEN_URLS.clear()  # one command, its own URLs (a test runs many in one process)
    _USED_URL.clear()
    for url in (getattr(args, "database_url", None), os.environ.get(DATABASE_URL_ENV)):
        _seen(url or "")  # masked even in an error raised before the URL is used
    try:
        return int(args.func(args))
    except CliError as ex:
        print(redacted(f"error [{ex.code}]: {ex}"), file=sys.stderr)
        return ex.exit_status
    except sqlalchemy.exc.OperationalError as ex:  # refused login, server down, no such database...
        from server.settings import masked_url

        where = f" at {masked_url(_USED_URL[0])}" if _USED_URL and _USED_URL[0] else ""
        reason = str(ex.orig if ex.orig is not None else ex).strip().replace("\n", " ")
        print(redacted(f"error [server.database_unavailable]: the database{where} cannot be used: {reason}. "
                       "Check the database URL (or its file) and that the database server is running; nothing "
                       "was changed"), file=sys.stderr)
        return 1
    except Exception as ex:  # one message, no traceback, no password
        print(redacted(f"error [server.failed]: {type(ex).__name__}: {ex}"), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
