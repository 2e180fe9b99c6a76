"""The demo environment: a demo PKI with SoftHSM dongles, the embedded server running with demo data,
and a published demo tender whose deadline is soon.

The server runs as its own program (`bidclient-server run`), as it would in production; neither this
package nor the product's core imports the server package.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from bidclient.api_client import ApiClient
from bidclient.errors import BidclientError
from bidclient.i18n import _
from bidclient.timefmt import format_time
from crypto import cms_sign, token_worker
from crypto.key_access import open_key
from crypto.pin import PinSource, pin_from_source_spec
from devtools import pki as devpki

DEMO_TENDER_ID = "DEMO-2026-001"
DEMO_PORT = 8765
AGENCY = "opener-1"  # the demo agency also holds the tender's opening certificate
BIDDERS = ("ent-a", "ent-b")

Log = Callable[[str], None]


def _port_free(port: int) -> bool:
    """True if the server can listen on ``port``. Like the server (uvicorn), allow binding over the
    TIME_WAIT connections a server stopped a moment ago leaves behind: otherwise re-running the demo soon
    after quitting would move it to another port for no reason."""
    with socket.socket() as s:
        if sys.platform != "win32":  # on Windows SO_REUSEADDR would allow stealing a port in use
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


PID_FILE = "server.pid"


def _stop_stale_server(data: Path, server_dir: Path) -> None:
    """Stop a server an earlier demo run on this folder left running (its demo was killed), so its port
    and its database are free again. Only a process whose command line names this folder's server is
    touched."""
    pid_file = data / PID_FILE
    try:
        pid = int(pid_file.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        cmdline = []  # gone (or no /proc): nothing of ours to stop
    if any(arg.endswith((b"bidclient-server", b"server.cli")) for arg in cmdline) and \
            os.fsencode(str(server_dir)) in cmdline:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)
        for _i in range(100):
            if not Path(f"/proc/{pid}").exists():
                break
            time.sleep(0.1)
    with contextlib.suppress(OSError):
        pid_file.unlink()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_command() -> list[str]:
    """The server's own program, ``bidclient-server``, installed beside this Python (the virtualenv's
    bin/ or Scripts/ folder) or on PATH."""
    here = Path(sys.executable).parent
    found = shutil.which("bidclient-server", path=str(here)) or shutil.which("bidclient-server")
    if found is None:
        raise BidclientError("bidclient-server is not installed; install the project with its [server] extra "
                             "(scripts/bootstrap.sh does)", code="demo.server_missing")
    return [found]


OPENING_ROLES = {"centre-1": "opening_staff", "supervisor-1": "supervisor"}


def party_identity(pki: devpki.DevPki, name: str) -> str:
    """The account identity (uscc:… or person:…) of a demo party's signing certificate."""
    from bidclient.certfiles import load_certificate
    from crypto.identity import identity_of

    return identity_of(load_certificate(pki.party(name).signing_cert)).key


def grant_role(env: DemoEnvironment, identity: str, role: str) -> None:
    """What the server's administrator does: ``bidclient-server admin grant`` (nothing changes when the
    identity holds the role already)."""
    _server_cli("admin", "grant", "--data", str(env.server_dir), "--identity", identity, "--role", role)


def _server_cli(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*server_command(), *args], capture_output=True, text=True,
                          check=False, timeout=120)
    if done.returncode != 0:
        raise BidclientError(f"bidclient-server {args[0]} failed: {done.stderr.strip()}", code="demo.server_failed")
    return done


def _start_server_cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([*server_command(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish_server_cli(process: subprocess.Popen[str], what: str) -> None:
    try:
        _out, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise BidclientError(f"bidclient-server {what} did not finish", code="demo.server_failed") from None
    if process.returncode != 0:
        raise BidclientError(f"bidclient-server {what} failed: {err.strip()}", code="demo.server_failed")


def _server_cli_at_once(commands: list[list[str]]) -> None:
    """Several server commands that do not depend on each other, run side by side (each is a program start
    of a second or more; their database writes queue on SQLite's lock)."""
    started = [(_start_server_cli(*args), args[0]) for args in commands]
    failure: BidclientError | None = None
    for process, what in started:
        try:
            _finish_server_cli(process, what)
        except BidclientError as ex:
            failure = failure or ex
    if failure is not None:
        raise failure


@dataclass
class DemoEnvironment:
    data: Path
    pki: devpki.DevPki
    server_dir: Path
    url: str
    process: subprocess.Popen[bytes] | None
    pin_source: PinSource
    tender_id: str = DEMO_TENDER_ID

    def sign_with(self, party: str) -> Callable[[bytes], bytes]:
        uri = self.pki.party(party).signing_uri
        assert uri is not None

        def sign(data: bytes) -> bytes:
            with open_key(uri, self.pin_source) as session:
                return cms_sign.sign_detached(data, session.signer())

        return sign

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.process is not None:
            with contextlib.suppress(OSError):
                (self.data / PID_FILE).unlink()
        self.process = None


def prepare(data: Path, log: Log, *, deadline_in: timedelta = timedelta(minutes=30),
            port: int = DEMO_PORT, publish: bool = True) -> DemoEnvironment:
    """Create (or reuse) the PKI and server data under ``data``, start the server on ``port`` (another
    free one if a program holds it), sync its trust list into the demo's configuration, publish the
    tender (unless ``publish`` is False: the opening demo publishes its own). The returned environment's
    ``url`` is where the server really is: hand it to the app."""
    data = data.resolve()
    # The demo's own configuration (pinned server CA, session, trust list): a new demo folder has a new
    # server CA, which must not collide with what a real server or an earlier demo pinned.
    os.environ["XDG_CONFIG_HOME"] = str(data / "config")
    # Its trust list too: the demo server's CAs must never be written into a trust folder the user (or a
    # test run) configured with BIDCLIENT_TRUST, nor another PKI's CAs of the same names read with them.
    os.environ.pop("BIDCLIENT_TRUST", None)
    server_dir = data / "server"
    # A new server's keys are made while the PKI is: the two do not depend on each other.
    init = None if (server_dir / "server.json").is_file() else \
        _start_server_cli("init", "--data", str(server_dir), "--name", "bidclient demo server")
    pki_dir = data / "pki"
    if (pki_dir / devpki.INDEX_NAME).is_file():
        pki = devpki.load(pki_dir)
        log(_("using the demo PKI in {dir}").format(dir=pki_dir))
    else:
        pki = devpki.generate(pki_dir)
        log(_("generated the demo PKI (3 CAs; enterprise, agency, opening and expert dongles) in {dir}").format(
            dir=pki_dir))
    if pki.softhsm_conf is not None:
        os.environ["SOFTHSM2_CONF"] = str(pki.softhsm_conf)
    token_worker.shutdown_all()  # SoftHSM reads SOFTHSM2_CONF when it is loaded
    if init is not None:
        _finish_server_cli(init, "init")
        trust = [str(p) for p in sorted(pki.trust_dir.glob("*.pem"))]
        crls = [str(p) for p in sorted(pki.crl_dir.glob("*"))]
        grants = [(f"uscc:{pki.party(AGENCY).uscc}", role) for role in ("agency", "opening_staff")]
        grants += [(party_identity(pki, name), role) for name, role in OPENING_ROLES.items()
                   if name in pki.parties]  # the opening demo's people (a PKI made before has none)
        _server_cli_at_once([["admin", "trust-add", "--data", str(server_dir), *trust, *crls],
                             *(["admin", "grant", "--data", str(server_dir), "--identity", identity, "--role", role]
                               for identity, role in grants)])
        log(_("initialised the embedded server (SQLite) in {dir}").format(dir=server_dir))
    _stop_stale_server(data, server_dir)
    ours = _ca_sha256(server_dir)
    for attempt in range(2):
        # The port can be taken between the check and the server's bind (another demo starting at the same
        # moment): the server then exits, and the demo starts it again on a port nobody holds.
        port = port if attempt == 0 and _port_free(port) else _free_port()
        url = f"http://127.0.0.1:{port}"
        with open(data / "server.log", "ab") as log_file:
            process = subprocess.Popen([*server_command(), "run", "--data", str(server_dir),
                                        "--port", str(port)], stdout=log_file, stderr=subprocess.STDOUT)
        (data / PID_FILE).write_text(str(process.pid), encoding="ascii")
        env = DemoEnvironment(data, pki, server_dir, url, process, pin_from_source_spec(f"file:{pki.pin_file}"))
        try:
            _wait_healthy(url, process, ours)
            break
        except BidclientError:
            env.stop()
            if attempt == 1:
                raise
    try:
        log(_("the server is running at {url}").format(url=url))
        _provision_trust(env, log)
        if publish:
            _publish_demo_tender(env, log, deadline_in)
    except BaseException:
        env.stop()
        raise
    return env


def _provision_trust(env: DemoEnvironment, log: Log) -> None:
    """Install the demo server's trust list as the demo's client trust list (what 'bidclient trust sync'
    does). The demo started this server itself, so its CA is pinned without asking."""
    from bidclient.config import config_dir
    from bidclient.trust_sync import sync_trust_list

    result = sync_trust_list(ApiClient(env.url), trust_dir=config_dir() / "trust",
                             accept_ca_sha256=_server_ca_fingerprint(env.server_dir))
    log(_("installed the server's trust list (serial {serial}, {certs} CA certificates) in {dir}").format(
        serial=result.serial, certs=result.certificates, dir=result.trust_dir))


def _server_ca_fingerprint(server_dir: Path) -> str | None:
    """The demo server's CA fingerprint read from its own folder (a new demo server, same URL, new CA)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    for path in sorted(server_dir.rglob("ca.pem")):  # server/keys.py writes keys/ca.pem
        with contextlib.suppress(ValueError, OSError):
            cert = x509.load_pem_x509_certificate(path.read_bytes())
            if cert.subject == cert.issuer:
                return cert.fingerprint(hashes.SHA256()).hex()
    return None


def _ca_sha256(server_dir: Path) -> str:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    return x509.load_pem_x509_certificate((server_dir / "keys" / "ca.pem").read_bytes()).fingerprint(
        hashes.SHA256()).hex()


def _wait_healthy(url: str, process: subprocess.Popen[bytes], ca_sha256: str) -> None:
    """Until the demo's own server answers at ``url``: another program answering on that port (another
    demo's server) is not taken for it."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BidclientError("the demo server stopped at start-up; see server.log", code="demo.server_failed")
        with contextlib.suppress(requests.RequestException, ValueError, KeyError, TypeError):
            if requests.get(url + "/api/v1/health", timeout=2).ok:
                answer = requests.get(url + "/api/v1/server/certificates", timeout=2)
                if answer.ok and answer.json()["ca_sha256"] == ca_sha256:
                    return
        time.sleep(0.2)
    raise BidclientError("the demo server did not start within a minute", code="demo.server_failed")


def demo_tender_draft(pki: devpki.DevPki, deadline: datetime) -> dict[str, Any]:
    agency = pki.party(AGENCY)
    assert agency.encryption_cert is not None
    stamp = deadline.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    opening = (deadline + timedelta(minutes=5)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "tender_id": DEMO_TENDER_ID,
        "title": "示例市政务服务中心办公设备采购项目",
        "procurement_kind": "goods",
        "agency": {"name": agency.organization or "示例招标代理有限公司", "uscc": agency.uscc},
        "lots": [{"id": "1", "name": "台式计算机及显示器", "budget": "1500000.00"}],
        "forms": [
            {"id": "bid_letter", "name": "投标函", "fields": [
                {"name": "bidder_name", "label": "投标人名称", "type": "text", "required": True},
                {"name": "total_price", "label": "投标总价", "type": "money", "required": True},
                {"name": "validity_days", "label": "投标有效期", "type": "duration_days", "required": True}]},
            {"id": "price_schedule", "name": "开标一览表", "fields": [
                {"name": "total_price", "label": "投标总价", "type": "money", "required": True},
                {"name": "delivery_days", "label": "交货期", "type": "duration_days", "required": True}]},
        ],
        "scoring": {"method": "comprehensive", "criteria": [
            {"id": "price", "name": "价格", "weight": 30, "score_range": {"min": 0, "max": 100},
             "kind": "objective", "price": True, "formula": "cn-87-art55"},
            {"id": "tech", "name": "技术方案", "weight": 40, "score_range": {"min": 0, "max": 40},
             "kind": "subjective"},
            {"id": "service", "name": "售后服务", "weight": 20, "score_range": {"min": 0, "max": 20},
             "kind": "subjective"},
            {"id": "credit", "name": "企业信誉", "weight": 10, "score_range": {"min": 0, "max": 10},
             "kind": "objective"},
        ]},
        "bid_deadline": stamp,
        "opening_time": opening,
        "opening_certificates": [agency.encryption_cert.read_text()],
    }


def tender_document(path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from forms.fonts import cjk_font, draw_text

    pdf = canvas.Canvas(str(path), pagesize=A4, initialFontName=cjk_font())  # no unembedded Helvetica
    draw_text(pdf, 72, 780, "招标文件（示例）", 16)  # the CJK face has no Latin glyphs: runs in each face
    y = 740
    for line in ("项目名称：示例市政务服务中心办公设备采购项目", "采购方式：公开招标",
                 "评标方法：综合评分法（价格权重 30%）", "投标文件须加密递交，截止时间以平台服务器时间为准。"):
        draw_text(pdf, 72, y, line, 11)
        y -= 22
    pdf.save()
    return path


def _publish_demo_tender(env: DemoEnvironment, log: Log, deadline_in: timedelta) -> None:
    """Reuse an open demo tender, else publish a new one (a passed deadline cannot be moved)."""
    from bidclient import tender_package as tp

    client = ApiClient(env.url)
    for item in tp.list_tenders(client).tenders:
        if item.tender_id.startswith(DEMO_TENDER_ID) and \
                item.bid_deadline > client.server_now() + timedelta(minutes=2):
            env.tender_id = item.tender_id
            log(_("demo tender {id} is open until {deadline} (server clock)").format(
                id=item.tender_id, deadline=format_time(item.bid_deadline, seconds=True)))
            return
    sign = env.sign_with(AGENCY)
    client.login(sign)
    docs = env.data / "tender-documents"
    docs.mkdir(exist_ok=True)
    pdf = tender_document(docs / "招标文件.pdf")
    entries = [tp.document_entry(pdf)]
    deadline = (client.server_now() + deadline_in).replace(microsecond=0)
    tender_id = f"{DEMO_TENDER_ID}-{deadline:%H%M%S}"
    draft = demo_tender_draft(env.pki, deadline) | {"tender_id": tender_id}
    definition = tp.prepare_definition(draft, entries)
    content, signature = tp.sign_definition(definition, sign)
    tp.upload_documents(client, [pdf], entries)
    tp.publish(client, content, signature)
    env.tender_id = tender_id
    log(_("published demo tender {id}, deadline {deadline} (server clock)").format(
        id=tender_id, deadline=format_time(deadline, seconds=True)))
