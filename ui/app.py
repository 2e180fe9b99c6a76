"""The desktop application: ``main(argv) -> int`` (wired to ``bidclient`` with no arguments).

Start-up: high-DPI policy, the shipped CJK font registered and added to the app font's families (these
machines have no CJK font; Qt would draw boxes), the language from QSettings (zh_CN or en), then the
main window.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import QApplication

from ui.context import AppContext
from ui.languages import RESOURCES, LanguageManager
from ui.main_window import MainWindow

CJK_FONT = RESOURCES / "fonts" / "DroidSansFallbackFull.ttf"
ORGANIZATION = "bidclient"
APPLICATION = "bidclient"


def install_cjk_font(app: QGuiApplication) -> str | None:
    """Register the shipped CJK font and append it to the application font's families (a fallback
    after the platform's default face). Returns its family name, None if it could not be loaded."""
    font_id = QFontDatabase.addApplicationFont(str(CJK_FONT))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        return None
    font = QFont(app.font())
    current = list(font.families()) or [font.family()]
    if families[0] not in current:
        font.setFamilies([*current, families[0]])
        app.setFont(font)
    return families[0]


DEMO_TOKEN_ENV = "BIDCLIENT_DEMO_TOKEN"  # noqa: S105 - names a dongle, not a secret


def create_application(argv: Sequence[str]) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication(list(argv))
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("bidclient")
    return app


def build_main_window(app: QApplication, settings: QSettings, language: str | None = None) -> MainWindow:
    """Everything main() does except the event loop (tests use it with their own settings)."""
    install_cjk_font(app)
    languages = LanguageManager(settings, app)
    languages.set_language(language or languages.initial_language())
    context = AppContext(settings, app)
    return MainWindow(context, languages)


def start_demo_sign_in(window: MainWindow) -> bool:
    """scripts/demo: open ready to sign in as the demo enterprise (its dongle preselected, the address of
    the server the demo started filled in). False when the app was not started by the demo."""
    demo_token = os.environ.get(DEMO_TOKEN_ENV, "")
    if not demo_token or window.context.session is not None:
        return False
    QTimer.singleShot(0, lambda: window.open_sign_in().prefer_token(demo_token))
    return True


def main(argv: Sequence[str] | None = None) -> int:
    app = create_application(sys.argv if argv is None else argv)
    window = build_main_window(app, QSettings())
    window.fit_to_screen()
    window.show()
    start_demo_sign_in(window)
    smoke_ms = os.environ.get("BIDCLIENT_SMOKE_QUIT_AFTER_MS", "")
    if smoke_ms.isdigit():  # packaging smoke check (scripts/build-bundle): show the loop ran, then quit

        def smoke_quit() -> None:
            print(f"smoke: {window.windowTitle()} | fonts: {', '.join(app.font().families())}", flush=True)
            app.quit()

        QTimer.singleShot(int(smoke_ms), smoke_quit)
    return int(app.exec())


if __name__ == "__main__":
    sys.exit(main())
