"""Translation of user-visible strings (CLI and core). The desktop app uses Qt's .ts/.qm files.

Catalogs are gettext .po files in resources/locale/<lang>/bidclient.po, read directly (no compile
step), so translators use their usual tools. English is the source language.
"""

from __future__ import annotations

import ast
import os
from functools import cache
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
SUPPORTED = ("en", "zh_CN")


def current_language() -> str:
    """The language from BIDCLIENT_LANG, else the POSIX locale variables; English by default."""
    for var in ("BIDCLIENT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if not value:
            continue
        if value.startswith("zh"):
            return "zh_CN"
        return "en"
    return "en"


def _unquote(text: str) -> str:
    return str(ast.literal_eval(text))


@cache
def catalog(language: str) -> dict[str, str]:
    """msgid -> msgstr for a language (empty for English or a missing catalog)."""
    path = RESOURCES / "locale" / language / "bidclient.po"
    if language == "en" or not path.is_file():
        return {}
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None

    def flush() -> None:
        if msgid is not None and msgstr is not None:
            key, value = "".join(msgid), "".join(msgstr)
            if key and value:
                entries[key] = value

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("msgid "):
            flush()
            msgid, msgstr = [_unquote(line[6:])], None
            current = msgid
        elif line.startswith("msgstr "):
            msgstr = [_unquote(line[7:])]
            current = msgstr
        elif line.startswith('"') and current is not None:
            current.append(_unquote(line))
    flush()
    return entries


def _(message: str) -> str:
    """Translate ``message`` into the current language."""
    return catalog(current_language()).get(message, message)
