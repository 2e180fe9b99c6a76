"""The platform's trust list in the app: offered at the first sign-in, kept in sync afterwards.

Without a trust list nothing signed can be judged, so a tender cannot be fetched. When the user signs in
to a server while this computer has no trust list, the app fetches the server's signed list (nothing is
installed yet), shows the server CA's and the list signer's SHA-256 fingerprints and asks the user to
confirm them against what the platform publishes. Only then is the CA pinned and the list installed
(bidclient.trust_sync, as ``bidclient trust sync`` does), and only if the server still presents that CA.
After that, every sign-in to that server updates the list quietly; a server presenting another CA is
refused and said plainly.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bidclient.api_client import ApiClient
from bidclient.config import default_trust_paths
from bidclient.errors import describe
from bidclient.trust_sync import (
    OfferedTrustList,
    SyncResult,
    grouped,
    offered_trust_list,
    sync_trust_list,
    synced_before,
)
from ui.error_view import plain_label
from ui.workers import Task, start


def trust_list_configured() -> bool:
    """True if a trust list is configured and holds something (BIDCLIENT_TRUST, or the config folder)."""
    for path in default_trust_paths():
        if path.is_file() or (path.is_dir() and any(p.is_file() for p in path.iterdir())):
            return True
    return False


def _two_lines(hex_fingerprint: str) -> str:
    """A SHA-256 fingerprint in groups of four, eight groups a line: the dialog shows it whole."""
    groups = grouped(hex_fingerprint).split(" ")
    return " ".join(groups[:8]) + "\n" + " ".join(groups[8:])


class TrustListDialog(QDialog):
    """Asks the user to confirm the server's fingerprints before its trust list is installed."""

    def __init__(self, offered: OfferedTrustList, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trustListDialog")
        self.setModal(True)
        self.offered = offered
        self.intro = plain_label(self, name="trustIntro")
        self.fingerprints = plain_label(self, name="trustFingerprints")
        self.fingerprints.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprints.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.accept_button = QPushButton(self)
        self.accept_button.setObjectName("acceptTrustList")
        self.accept_button.clicked.connect(self.accept)
        self.later_button = QPushButton(self)
        self.later_button.setObjectName("declineTrustList")
        self.later_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.later_button)
        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QVBoxLayout.SizeConstraint.SetMinimumSize)  # grows with a longer translation
        layout.addWidget(self.intro)
        layout.addWidget(self.fingerprints)
        layout.addLayout(buttons)
        self.retranslate()
        self.resize(620, self.sizeHint().height())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Get the platform's trust list"))
        self.intro.setText(self.tr(
            "This computer has no trust list yet. Without one, bidclient cannot check who signed a tender, so "
            "it cannot fetch tenders.\n\nThe platform {server} offers its trust list ({count} CA "
            "certificates), signed with its server key. Before you accept, compare the fingerprint below "
            "with the one the platform publishes (its web site or the tender announcement). Once accepted, "
            "the list is kept up to date at every sign-in.").format(
            server=self.offered.server, count=self.offered.certificates))
        self.fingerprints.setText(self.tr("Server CA (SHA-256):\n{ca}\n\nTrust list signed by (SHA-256):\n{signer}")
                                  .format(ca=_two_lines(self.offered.server_ca_sha256),
                                          signer=_two_lines(self.offered.signer_sha256)))
        self.fingerprints.setAccessibleName(self.tr("Fingerprints to compare"))
        self.accept_button.setText(self.tr("The fingerprint matches: &get the trust list"))
        self.accept_button.setAccessibleName(self.tr("Get the trust list"))
        self.later_button.setText(self.tr("&Not now"))
        self.later_button.setAccessibleName(self.tr("Do not get the trust list now"))
        layout = self.layout()
        if self.isVisible() and layout is not None:  # another language, other lengths: show every line
            layout.activate()
            self.resize(self.width(), self.heightForWidth(self.width()) if self.hasHeightForWidth()
                        else self.sizeHint().height())


class TrustKeeper(QObject):
    """Owned by the main window: offers the trust list at the first sign-in, syncs it at later ones."""

    status = Signal(str)  # a line for the status bar
    installed = Signal(object)  # SyncResult

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.window = parent
        self.dialog: TrustListDialog | None = None
        self._task: Task | None = None

    @property
    def busy(self) -> bool:
        return self._task is not None

    def signed_in(self, client: ApiClient, *, may_ask: bool = True) -> None:
        """After a sign-in (or, ``may_ask`` False, a session restored at start-up): sync a list installed
        before, or offer one."""
        if synced_before(client.base_url):
            self._run(Task(lambda _ctx: sync_trust_list(client), name="trust-sync"), self._synced, quiet=True)
        elif may_ask and not trust_list_configured():
            self.offer(client)

    def offer(self, client: ApiClient) -> None:
        """Fetch what the server offers (installing nothing) and ask the user to confirm it."""
        self.status.emit(self.tr("Asking {server} for its trust list…").format(server=client.base_url))
        self._run(Task(lambda _ctx: offered_trust_list(client), name="trust-offer"),
                  lambda offered: self._ask(client, offered), quiet=False)

    def _run(self, task: Task, on_success: object, *, quiet: bool) -> None:
        if self._task is not None:
            return
        task.signals.succeeded.connect(on_success)
        task.signals.failed.connect(lambda error: self._failed(error, quiet))
        task.signals.finished.connect(self._done)
        self._task = start(task)

    def _done(self) -> None:
        self._task = None

    def _ask(self, client: ApiClient, offered: OfferedTrustList) -> None:
        self.status.emit("")
        dialog = TrustListDialog(offered, self.window)
        self.dialog = dialog

        def answered(result: int) -> None:
            self.dialog = None
            if result != QDialog.DialogCode.Accepted:
                self.status.emit(self.tr("No trust list: tenders cannot be fetched until you get it (File menu)."))
                return
            fingerprint = offered.server_ca_sha256
            self._run(Task(lambda _ctx: sync_trust_list(client, expect_ca_sha256=fingerprint),
                           name="trust-install"), self._synced, quiet=False)

        dialog.finished.connect(answered)
        dialog.open()

    def _synced(self, result: SyncResult) -> None:
        self.status.emit(self.tr("Trust list of {server} installed (serial {serial}, {count} CA "
                                 "certificates).").format(server=result.server, serial=result.serial,
                                                          count=result.certificates))
        self.installed.emit(result)

    def _failed(self, error: BaseException, quiet: bool) -> None:
        message = describe(error)
        if quiet and message.code.startswith("net."):
            self.status.emit(self.tr("The trust list could not be updated now; the installed one is used."))
            return
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Trust list"), message.headline,
                          QMessageBox.StandardButton.Ok, self.window)
        box.setObjectName("trustListError")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(f"{message.hint}\n[{message.code}] {message.detail}".strip())
        box.open()
        self.status.emit(message.headline)


__all__ = ["TrustKeeper", "TrustListDialog", "trust_list_configured"]
