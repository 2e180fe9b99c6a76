"""Shared parts of the evaluation UI tests: a server on loopback that can be stopped and started again at the
same address, the expert of the dev PKI's SoftHSM token (expert-1) signed in, and a SessionsPage in a
window driven as the expert drives it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn
from cryptography import x509
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QLineEdit

from bidclient.signin import SignedIn, sign_in
from crypto.identity import identity_of
from server.cli import main as server_main
from tests.prompters import PinPrompter
from tests.server.conftest import RunningServer
from tests.server.pgcluster import free_port
from tests.server.startup import make_app, wait_until_healthy
from ui.context import AppContext
from ui.pin_bridge import QtPrompter


def init_server(data: Path, pki: Any) -> None:
    assert server_main(["init", "--data", str(data)]) == 0
    trust = [str(p) for p in sorted(Path(pki.trust_dir).glob("*.pem"))]
    crls = [str(p) for p in sorted(Path(pki.crl_dir).glob("*"))]
    assert server_main(["admin", "trust-add", "--data", str(data), *trust, *crls]) == 0


def serve(data: Path, port: int | None = None) -> RunningServer:
    """The server of ``data`` on loopback, at ``port`` (to come back at the same address) or a free one."""
    port = port or free_port()
    server = uvicorn.Server(uvicorn.Config(make_app(data, ""), host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True, name=f"server-{port}")
    thread.start()
    url = f"http://127.0.0.1:{port}"
    wait_until_healthy(url, timeout=90)
    return RunningServer(url, data, "", server, thread)


def token_identity(pki: Any) -> str:
    cert = x509.load_pem_x509_certificate(Path(pki.party("expert-1").signing_cert).read_bytes())
    return identity_of(cert).key


def token_sign_in(url: str, pki: Any) -> SignedIn:
    """expert-1 signs in with its SoftHSM token (after the expert role was granted: roles are read at login)."""
    return sign_in(url, pki.party("expert-1").signing_uri, PinPrompter(lambda _r: pki.user_pin))


@dataclass
class Desk:
    context: AppContext
    page: Any  # SessionsPage


def open_page(qtbot: Any, tmp_path: Path, signed: SignedIn) -> Iterator[Desk]:
    from ui.evaluation.sessions_page import SessionsPage

    context = AppContext(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    page = SessionsPage(context)
    context.pin_source = QtPrompter(page)
    page.retry_interval_ms = 200
    qtbot.addWidget(page)
    page.resize(1300, 850)
    page.show()
    qtbot.waitExposed(page)
    context.set_session(signed)
    try:
        yield Desk(context, page)
    finally:
        page.shutdown()
        qtbot.waitUntil(lambda: not page.busy, timeout=30_000)


def choose_session(qtbot: Any, page: Any, session_id: str) -> None:
    qtbot.waitUntil(lambda: any(page.sessions_list.item(n).data(256) == session_id
                                for n in range(page.sessions_list.count())), timeout=20_000)
    for n in range(page.sessions_list.count()):
        item = page.sessions_list.item(n)
        if item.data(256) == session_id:
            page.sessions_list.itemClicked.emit(item)
    qtbot.waitUntil(lambda: page.session is not None and page.session.id == session_id, timeout=20_000)


def score_editor(page: Any) -> QLineEdit:
    editors = [e for e in page.scoring_grid.table.findChildren(QLineEdit, "scoreEditor") if e.isVisible()]
    assert len(editors) == 1, editors
    return editors[0]


def shot(widget: Any, name: str) -> None:
    """With BIDCLIENT_SCREENSHOTS_DIR set, save ``widget``'s window in zh_CN for the user guide."""
    import os
    import tempfile

    from ui.app import install_cjk_font
    from ui.languages import LanguageManager

    folder = os.environ.get("BIDCLIENT_SCREENSHOTS_DIR")
    if not folder:
        return
    install_cjk_font(QApplication.instance())  # type: ignore[arg-type]  (as the app does at start-up)
    with tempfile.TemporaryDirectory() as scratch:
        languages = LanguageManager(QSettings(str(Path(scratch) / "s.ini"), QSettings.Format.IniFormat))
        languages.set_language("zh_CN")
        QApplication.processEvents()
        assert widget.window().grab().save(str(Path(folder) / f"{name}.png"))
        languages.set_language("en")
        QApplication.processEvents()
