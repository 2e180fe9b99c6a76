"""Run-time language switching: Qt translators for the widgets, and the core's catalog for error texts.

Widgets translate with ``self.tr`` and re-read their texts in ``retranslate()`` when Qt sends
QEvent.LanguageChange (which installing or removing a translator does). English is the source
language, so it needs no .qm. The choice is remembered in QSettings.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QObject, QSettings, QTranslator, Signal

from ui.context import SETTING_LANGUAGE

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
TRANSLATIONS = RESOURCES / "translations"
LANGUAGES = ("en", "zh_CN")
# Each language names itself, so a user who cannot read the current one still finds theirs.
LANGUAGE_NAMES = {"en": "English", "zh_CN": "中文（简体）"}


def qm_path(language: str) -> Path:
    return TRANSLATIONS / f"bidclient_{language}.qm"


def system_language() -> str:
    return "zh_CN" if QLocale.system().name().startswith("zh") else "en"


class LanguageManager(QObject):
    changed = Signal(str)

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._translator: QTranslator | None = None
        self.language = "en"

    def initial_language(self) -> str:
        """The language chosen in the app before, else BIDCLIENT_LANG (as the command line reads it; how
        ``BIDCLIENT_LANG=zh_CN scripts/demo`` starts a fresh app in Chinese), else the system's."""
        saved = str(self._settings.value(SETTING_LANGUAGE, "") or "")
        if saved in LANGUAGES:
            return saved
        given = os.environ.get("BIDCLIENT_LANG", "").strip()
        if given in LANGUAGES:
            return given
        return system_language()

    def set_language(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"unsupported language {language!r}")
        app = QCoreApplication.instance()
        assert app is not None
        if self._translator is not None:
            app.removeTranslator(self._translator)
            self._translator = None
        # The core's messages (bidclient.errors.describe) follow the same choice.
        os.environ["BIDCLIENT_LANG"] = language
        if language != "en":
            translator = QTranslator(self)
            if not translator.load(str(qm_path(language))):
                raise FileNotFoundError(f"translation {qm_path(language)} is missing or unreadable")
            app.installTranslator(translator)
            self._translator = translator
        # Qt posts the LanguageChange; deliver it now so every widget is retranslated on return.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
        self.language = language
        self._settings.setValue(SETTING_LANGUAGE, language)
        self.changed.emit(language)
