"""Server settings: a data directory, and optionally a database URL (else the embedded SQLite)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

DATABASE_URL_ENV = "BIDCLIENT_SERVER_DATABASE_URL"
DATABASE_URL_FILE_ENV = "BIDCLIENT_SERVER_DATABASE_URL_FILE"
MAX_URL_FILE = 64 << 10


class DatabaseUrlError(Exception):
    """The database URL (or the file that should hold it) cannot be used. The message never holds a password."""


def read_database_url_file(path: Path) -> str:
    """The database URL kept in ``path`` (its first non-empty line; a trailing newline is fine), so that the
    password is in neither the command line, the process environment nor server.json."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_URL_FILE + 1)
    except OSError as ex:
        raise DatabaseUrlError(f"the database URL file {path} cannot be read: {ex.strerror or ex}") from None
    if len(data) > MAX_URL_FILE:
        raise DatabaseUrlError(f"the database URL file {path} is too large to hold a URL") from None
    try:
        lines = [line.strip() for line in data.decode("utf-8").splitlines() if line.strip()]
    except UnicodeDecodeError:
        raise DatabaseUrlError(f"the database URL file {path} is not UTF-8 text") from None
    if not lines:
        raise DatabaseUrlError(f"the database URL file {path} is empty; write the URL on its first line")
    return lines[0]


def masked_url(url: str) -> str:
    """``url`` fit to print: the password replaced by ***; an URL that cannot be parsed shows only its scheme."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        scheme = url.split("://", 1)[0] if "://" in url else ""
        return f"{scheme}://***" if scheme.isidentifier() or "+" in scheme else "***"


def redact(text: str, url: str) -> str:
    """``text`` with ``url`` masked wherever it appears: the URL as given and as SQLAlchemy renders it (as
    Alembic and the drivers show it) become ``masked_url(url)``; its password, percent-encoded as given or
    decoded, becomes ***."""
    from urllib.parse import unquote

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not url:
        return text
    urls = {url}
    passwords: set[str] = set()
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        parsed = None
    if parsed is not None and parsed.password:
        rendered = parsed.render_as_string(hide_password=False)
        urls |= {rendered, rendered.replace("%", "%%")}
        passwords.add(str(parsed.password))
    rest = url.split("://", 1)[-1]
    if "@" in rest:  # as SQLAlchemy reads it: user[:password]@host, the password up to the first '@'
        userinfo = rest.split("@", 1)[0]
        if ":" in userinfo:
            raw = userinfo.split(":", 1)[1]
            passwords |= {raw, unquote(raw), raw.replace("%", "%%")}
    masked = masked_url(url)
    for secret in sorted(urls, key=len, reverse=True):
        text = text.replace(secret, masked)
    for secret in sorted((p for p in passwords if p), key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str = ""  # empty: sqlite in data_dir
    session_ttl: timedelta = timedelta(hours=8)
    challenge_ttl: timedelta = timedelta(minutes=5)
    tsa_url: str = ""  # empty: the built-in TSA
    revocation: str = "soft-fail"
    max_chunk_size: int = 16 << 20
    max_threads: int = 4096  # worker threads for blocking work (database, files, certificate checks)
    # Connections (open ones count, idle keep-alive and live event streams too) and requests handled at once
    # per process; more get 503 and the client retries. A thousand experts each keep a connection for their
    # edits and one for their live stream. Kept below max_threads (see server/app.py _lifespan).
    max_concurrency: int = 4000
    # Requests doing database or signature work at once (server/lanes.py). One upload step at a time
    # measured best in the deadline rush (probe p99 112 ms against 211 ms with 2 and 432 ms with 4,
    # same throughput): the writers serialise on the database anyway, and every extra thread competes
    # for the GIL with the event loop. Statement checks, which may wait for CRL/OCSP servers, have
    # their own lane so that they never hold up the upload steps.
    upload_lane: int = 1
    verify_lane: int = 2
    byte_workers: int = 2  # threads hashing and writing upload bytes
    # Once started, move every object of start-up out of the garbage collector's reach (gc.freeze; set by
    # `run`). Otherwise each full collection walks the whole heap of imported libraries and caches with every
    # thread stopped: 95–620 ms per collection in a deadline rush on two loaded cores, the probe's p99.
    freeze_heap: bool = False
    lock_timeout: float = 30.0  # seconds a request may wait for a database lock before it gets 503 server.busy
    # --- operations (docs/operations.md) ---
    # A command telling whether the clock is synchronised (exit 0 yes, 1 no, else unknown; server/timesync.py);
    # empty: ask timedatectl, else chronyc.
    clock_check_command: tuple[str, ...] = ()
    deadline_watch_poll: float = 5.0  # seconds between checks for passed deadlines (server/tenders/deadlines.py)
    # /metrics: with a token, scrapers send it as a Bearer token from anywhere; without, only a direct
    # loopback peer (no forwarding header, so not through a proxy) may read it.
    metrics_token: str = ""
    access_log: bool = True  # one JSON line per request on the "bidclient.access" logger
    # The largest bid the platform expects, bytes: the health endpoint reports "degraded" below twice this
    # much free disk in the data directory.
    largest_expected_bid: int = 2 << 30
    # Rate limits (server/ratelimit.py): attempts per window, per identity and per network address;
    # 0 turns a limit off. Per address is high by default: a trading centre's bidders may share a NAT.
    rate_window: float = 60.0
    login_per_identity: int = 30
    login_per_address: int = 600
    upload_start_per_identity: int = 60
    upload_start_per_address: int = 1200
    # Reverse proxies (addresses or CIDR networks) whose X-Forwarded-For is believed (server/tls.py).
    trusted_proxies: tuple[str, ...] = ()
    # --- experts (docs/experts.md) ---
    # An expert who served for the same tenderer within this many days before an evaluation is not drawn.
    expert_recent_service_days: int = 180
    # Invitations by e-mail: empty smtp_host sends none (invitations stay in the app).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_from: str = "bidclient@localhost"
    smtp_starttls: bool = False
    expert_mail_poll: float = 5.0  # seconds between mailer rounds (retries, unanswered invitations)
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or os.environ.get(DATABASE_URL_ENV, "") or \
            f"sqlite:///{(self.data_dir / 'bidclient.sqlite3').resolve()}"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def upload_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def trust_dir(self) -> Path:
        return self.data_dir / "trust"
