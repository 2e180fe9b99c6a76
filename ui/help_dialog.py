"""Help → the user guide and "What happens at the opening", rendered from local Markdown files in a
QTextBrowser (setMarkdown). Only files shipped with the app are shown — never text from a server — and
links are not followed into the app: a web address opens in the system browser."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

ROOT = Path(__file__).resolve().parent.parent
GUIDE = "guide"
OPENING = "opening"


def help_file(page: str, language: str) -> Path:
    """The page in ``language`` if a translation exists, else the English one."""
    base = ROOT / "docs" / "user-guide.md" if page == GUIDE else ROOT / "resources" / "help" / "opening.md"
    if language and language != "en":
        translated = base.with_name(f"{base.stem}.{language}{base.suffix}")
        if translated.is_file():
            return translated
    return base


class HelpDialog(QDialog):
    def __init__(self, page: str, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("helpDialog")
        self.page = page
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("helpBrowser")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._link)
        # Not a standard button: QDialogButtonBox resets those to Qt's own (untranslated) texts.
        buttons = QDialogButtonBox(self)
        self.close_button = buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(820, 640)
        self.show_page(page, language)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._title()
        super().changeEvent(event)

    def _title(self) -> None:
        self.close_button.setText(self.tr("Close"))
        self.setWindowTitle(self.tr("User guide") if self.page == GUIDE else self.tr("What happens at the opening"))

    def show_page(self, page: str, language: str) -> None:
        self.page = page
        self.path = help_file(page, language)
        self._title()
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            text = self.tr("The help file {path} is missing from this installation.").format(path=self.path)
        self.browser.setSearchPaths([str(self.path.parent)])  # the guide's screenshots
        self.browser.setMarkdown(text)

    def follow_language(self, language: str) -> None:
        """The app's language changed: show the page in it (when translated), as if opened now."""
        self.show_page(self.page, language)

    def _link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)
        elif url.hasFragment() and not url.path():
            self.browser.scrollToAnchor(url.fragment())
