"""zh_CN covers every string of the desktop app, the committed .qm is the compiled .ts, and the shipped
CJK font has a glyph for every character the translation uses (otherwise Qt draws empty boxes)."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtGui import QFont, QRawFont

from ui.app import CJK_FONT, install_cjk_font
from ui.languages import TRANSLATIONS

ROOT = Path(__file__).resolve().parents[2]
TS = TRANSLATIONS / "bidclient_zh_CN.ts"
QM = TRANSLATIONS / "bidclient_zh_CN.qm"


def _messages(path: Path) -> list[tuple[str, str, str | None, str | None]]:
    out = []
    for context in ET.parse(path).getroot().iter("context"):  # noqa: S314 (our own .ts files)
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            out.append((name, message.findtext("source") or "", translation.text, translation.get("type")))
    return out


def test_every_source_string_is_translated_in_zh_cn() -> None:
    messages = _messages(TS)
    assert len(messages) > 100
    untranslated = [(c, s) for c, s, text, kind in messages if not text or kind in ("unfinished", "obsolete",
                                                                                      "vanished")]
    assert untranslated == []
    for context, source, text, _kind in messages:
        assert text is not None
        assert set(re.findall(r"\{\w+\}", source)) == set(re.findall(r"\{\w+\}", text)), (context, source)
        assert ("&" in source) == ("&" in text), (context, source)  # keyboard accelerators kept


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} (PySide6) is needed to check the translations")
    return found


def test_ts_file_holds_every_string_in_the_code(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    files = list((ROOT / "ui").rglob("*.py"))  # as update.sh: every ui package
    sources = sorted(str(p.relative_to(ROOT)) for p in files)
    subprocess.run([_tool("pyside6-lupdate"), "-no-obsolete", "-locations", "none", *sources, "-ts", str(fresh)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    in_code = {(c, s) for c, s, _t, _k in _messages(fresh)}
    in_ts = {(c, s) for c, s, _t, _k in _messages(TS)}
    assert in_code - in_ts == set(), "run resources/translations/update.sh and translate the new strings"
    assert in_ts - in_code == set(), "the .ts holds strings no longer in the code; run update.sh"


def test_committed_qm_is_the_compiled_ts(tmp_path: Path) -> None:
    compiled = tmp_path / "zh_CN.qm"
    subprocess.run([_tool("pyside6-lrelease"), "-silent", str(TS), "-qm", str(compiled)], check=True,
                   capture_output=True, timeout=120)
    assert compiled.read_bytes() == QM.read_bytes(), "run resources/translations/update.sh"


def test_shipped_font_draws_every_character_of_the_translation(qapp) -> None:  # type: ignore[no-untyped-def]
    family = install_cjk_font(qapp)
    assert family == "Droid Sans Fallback"
    assert family in qapp.font().families()
    raw = QRawFont(str(CJK_FONT), 12)
    assert raw.isValid()
    text = "".join(t or "" for _c, _s, t, _k in _messages(TS))
    needed = {ch for ch in text if ord(ch) > 0x2E7F}  # CJK and full-width punctuation
    missing = sorted(ch for ch in needed if not raw.supportsCharacter(ord(ch)))
    assert missing == []
    assert QFont(family).exactMatch()
