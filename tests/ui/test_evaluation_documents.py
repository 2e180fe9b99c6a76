"""The tender and a bid side by side in the expert's session: the opened bid's folder is read with the
bidder's criterion → page links (its manifest.json), a link jumps to its page, and the reader finds text."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from bidclient.bidpackage.manifest import Link
from bidclient.evaluation.desk import bid_documents
from bidclient.protocol.evaluation_session import Phase, SessionOut
from tests.bidclient.test_bid_project import make_pdf
from tests.bidclient.test_bidpackage import write
from tests.server.evaluation_helpers import definition
from tests.ui.evaluation_ui_helpers import shot
from ui import pdf_viewer
from ui.evaluation.documents_view import DocumentsView


def test_a_bid_s_links_jump_to_their_page_and_the_reader_finds_text(qtbot: Any, tmp_path: Path) -> None:
    src = tmp_path / "bid"
    (src / "tech").mkdir(parents=True)
    make_pdf(src / "tech" / "proposal.pdf", pages=5, text="technical proposal")
    make_pdf(src / "letter.pdf", pages=1, text="bid letter")
    data, _manifest = write(src, links=[Link(criterion="tech", file="tech/proposal.pdf", page=4),
                                        Link(criterion="service", file="letter.pdf", page=1)])
    opened = tmp_path / "opened"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:  # the bid as handed over after the opening
        archive.extractall(opened)
    tender = make_pdf(tmp_path / "招标文件.pdf", pages=3, text="tender")
    session = SessionOut(id="S-1", tender_id="T-1", phase=Phase.READING, chair=None, created_by="uscc:x",
                         reserves_needed=0, members=[], definition=definition(), your_role="expert",
                         server_time=datetime.now(UTC))
    view = DocumentsView()
    qtbot.addWidget(view)
    view.resize(1200, 700)
    view.show()
    try:
        view.load_session(session)
        assert "Get the bids from the platform" in view.bid_state.text()
        view.set_tender_files([tender])
        qtbot.waitUntil(lambda: view.tender_viewer.page == 1, timeout=30_000)
        documents = bid_documents(opened)  # what the page's job returns for the folder chosen
        assert [p.name for p in documents.files] == ["letter.pdf", "proposal.pdf"]
        view.set_bid_documents("bid-a", documents)
        qtbot.waitUntil(lambda: view.bid_viewer.page == 1, timeout=30_000)
        texts = [view.links.item(n).text() for n in range(view.links.count())]
        assert sorted(texts) == ["service → letter.pdf, page 1", "tech → proposal.pdf, page 4"]
        # The link jumps to the page of the file that answers the criterion.
        view.links.itemClicked.emit(view.links.item(texts.index("tech → proposal.pdf, page 4")))
        qtbot.waitUntil(lambda: view.bid_viewer.path is not None and view.bid_viewer.path.name == "proposal.pdf"
                        and view.bid_viewer.page == 4, timeout=30_000)
        shot(view, "evaluation-documents")
        # Search: the next page holding the text, wrapping round; a miss says so.
        viewer = view.bid_viewer
        qtbot.keyClicks(viewer.find_edit, "proposal page 2")
        qtbot.keyClick(viewer.find_edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: viewer.page == 2, timeout=30_000)
        viewer.find_edit.clear()
        with qtbot.waitSignal(viewer.found, timeout=30_000) as found:
            qtbot.keyClicks(viewer.find_edit, "no such words")
            qtbot.keyClick(viewer.find_edit, Qt.Key.Key_Return)
        assert found.args == ["no such words", 0] and viewer.find_result.text() == "Not found"
        assert viewer.page == 2
    finally:
        view.tender_viewer.close_document()
        view.bid_viewer.close_document()
        assert pdf_viewer.pdfium_pool().waitForDone(30_000)
