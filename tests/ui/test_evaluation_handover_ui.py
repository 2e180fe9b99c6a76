"""The hand-over on real widgets against a live server over loopback: the host's Opening workspace shows, per
opened bid and seated expert, who holds what, and hands the bids over with the host's SoftHSM dongle; the
expert's documents view gets them from the platform with the expert's SoftHSM dongle, verified, and lists
them with no folder to open."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QPushButton

from bidclient.evaluation import desk
from bidclient.evaluation.session import EvaluationApi
from bidclient.protocol.evaluation_session import Phase, SessionCreateIn
from bidclient.signin import sign_in
from tests.opening_helpers import identity_of, login, session_for
from tests.prompters import PinPrompter
from tests.server.conftest import RunningServer, start_server
from tests.server.test_evaluation_handover import _definition, _opened
from tests.server.test_opening import Opening
from tests.ui.evaluation_ui_helpers import init_server, shot
from ui import pdf_viewer
from ui.context import AppContext
from ui.evaluation.documents_view import DocumentsView
from ui.opening.common import table_texts
from ui.opening.workspace import HANDOVER, OpeningWorkspace

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def server(tmp_path: Path, pki: Any) -> Iterator[RunningServer]:
    data = tmp_path / "server"
    init_server(data, pki)
    running = start_server(data, "")
    try:
        yield running
    finally:
        running.stop()


def _context(tmp_path: Path, name: str, server: RunningServer, pki: Any, who: str) -> AppContext:
    context = AppContext(QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat))
    prompter = PinPrompter(lambda _r: pki.user_pin, confirm=True)
    context.pin_source = prompter  # type: ignore[assignment]  (answers the PIN and the confirmation)
    context.set_session(sign_in(server.url, pki.party(who).signing_uri, prompter))
    return context


def _seal_with_pdf(session: Any, folder: Path, out: Path, *, tender_id: str, opening_cert: Any,
                   forms: dict[str, Any], version: int = 1) -> Path:
    """As tests.opening_helpers.seal_bid, with a real (readable) PDF for the reader and the screenshots."""
    from bidclient.sealing import TenderTarget, seal
    from tests.bidclient.test_bid_project import make_pdf

    (folder / "tech").mkdir(parents=True, exist_ok=True)
    make_pdf(folder / "tech" / "proposal.pdf", pages=3, text=f"technical proposal {folder.name}")
    seal(folder, out, session=session, target=TenderTarget(tender_id, version, [opening_cert]), forms=forms)
    return out


def _click(qtbot: Any, button: QPushButton) -> None:
    qtbot.waitUntil(button.isEnabled, timeout=30_000)
    qtbot.mouseClick(button, LEFT)


def test_the_host_hands_over_in_the_opening_workspace_and_the_expert_gets_the_bids(
        qtbot: Any, tmp_path: Path, ui_env: Path, server: RunningServer, pki: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tests.server.test_opening.seal_bid", _seal_with_pdf)
    o = Opening(server, pki, tmp_path, bidders=("ent-a", "ent-b", "ent-c"))
    monkeypatch.setenv("BIDCLIENT_TRUST", ":".join([str(pki.trust_dir), str(pki.crl_dir), str(o.third.ca_pem)]))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    _opened(o)
    ids = {}
    for who in ("centre-1", "centre"):
        with session_for(pki, o.third, who) as s:
            ids[who] = identity_of(s)
        assert server.admin("grant", "--identity", ids[who], "--role", "expert") == 0
    with session_for(pki, o.third, "agency") as s:
        agency, _ = login(server.url, s)
    sid = EvaluationApi(agency).create(SessionCreateIn(tender_id=o.tender, experts=list(ids.values()),
                                                       definition=_definition(o))).id
    expert = _context(tmp_path, "expert", server, pki, "centre-1")
    # The app's check-in registers the dongle's encryption certificate with the session.
    expert_client = expert.client()
    assert expert_client is not None and expert.session is not None
    desk.check_in_and_declare(expert_client, sid, ids["centre-1"], expert.session.certificate_sha256,
                              expert.pin_source, conflict=False, detail="")  # type: ignore[arg-type]
    from cryptography.hazmat.primitives import serialization

    from crypto import cms_sign

    with session_for(pki, o.third, "centre") as s:
        client, _ = login(server.url, s)
        sign = (lambda signer: lambda data: cms_sign.sign_detached(data, signer))(s.signer())
        EvaluationApi(client).check_in(sid, ids["centre"], sign)
        EvaluationApi(client).declare(sid, ids["centre"], sign, conflict=False, detail="")
        pem = s.encryption_certificate.public_bytes(serialization.Encoding.PEM).decode()  # type: ignore[union-attr]
        client.request("PUT", f"/api/v1/evaluation/sessions/{sid}/encryption-certificate", json={"certificate": pem})
    EvaluationApi(agency).advance(sid, Phase.ELECTION)

    # The host: the Committee page lists every opened bid × seated expert, then hands over.
    host = _context(tmp_path, "host", server, pki, "opener-1")
    ws = OpeningWorkspace(host)
    qtbot.addWidget(ws)
    ws.resize(1280, 800)
    ws.show()
    ws.open_tender(o.tender)
    page = ws.handover_page
    qtbot.waitUntil(lambda: bool(page.sessions) and page.table.rowCount() == 3, timeout=30_000)
    ws.tabs.setCurrentIndex(HANDOVER)
    rows = table_texts(page.table)
    assert [r[2:] for r in rows if r[3]] == [["waiting", "waiting"], ["waiting", "waiting"],
                                             ["not opened: not handed over", "not opened: not handed over"]]
    assert page.hand_over_button.accessibleName() and page.table.accessibleName()
    _click(qtbot, page.hand_over_button)
    qtbot.waitUntil(lambda: "4 key envelope(s) handed over" in page.note.text(), timeout=60_000)
    qtbot.waitUntil(lambda: [r[2:] for r in table_texts(page.table)][:2] == [["handed over"] * 2] * 2,
                    timeout=30_000)
    assert ws.error_view.message is None
    assert not page.hand_over_button.isEnabled()  # nothing is missing any more
    shot(ws, "opening-handover")

    # The expert: "Get the bids from the platform" lists both opened bids, verified; no folder to open.
    view = DocumentsView()
    qtbot.addWidget(view)
    view.attach(expert)
    view.resize(1200, 700)
    view.show()
    view.load_session(EvaluationApi(expert_client).get(sid))
    assert "Get the bids from the platform" in view.bid_state.text()
    progress: list[tuple[int, int]] = []
    _click(qtbot, view.fetch_button)
    assert view.fetch_task is not None
    view.fetch_task.signals.progress.connect(lambda d, t: progress.append((d, t)))
    qtbot.waitUntil(lambda: view.fetch_task is None, timeout=60_000)
    assert "2 bid(s) received and verified" in view.fetch_state.text()
    assert set(view.bid_documents) == {o.submissions["ent-a"], o.submissions["ent-b"]}
    from tests.bidclient.test_bid_project import make_pdf

    with qtbot.waitSignal(view.bid_viewer.rendered, timeout=30_000):
        view.bid.setCurrentIndex(view.bid.findData(o.submissions["ent-b"]))
    assert [view.bid_files.itemText(n) for n in range(view.bid_files.count())] == ["tech/proposal.pdf"]
    with qtbot.waitSignal(view.tender_viewer.rendered, timeout=30_000):
        view.set_tender_files([make_pdf(tmp_path / "招标文件.pdf", pages=3, text="tender")])
    shot(view, "evaluation-bids-from-platform")
    # Opened again later (another session of the app), the bids are listed from the local folder at once.
    again = DocumentsView()
    qtbot.addWidget(again)
    again.attach(expert)
    again.load_session(EvaluationApi(expert_client).get(sid))
    qtbot.waitUntil(lambda: len(again.bid_documents) == 2, timeout=30_000)
    view.bid_viewer.close_document()
    view.tender_viewer.close_document()
    assert pdf_viewer.pdfium_pool().waitForDone(30_000)
    ws.controller.shutdown()
