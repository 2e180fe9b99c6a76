"""The fonts every PDF embeds: Droid Sans Fallback for CJK, Bitstream Vera for Latin.

Droid Sans Fallback (resources/fonts, Apache-2.0, TrueType outlines) has the CJK ideographs and
full-width punctuation but no ASCII glyphs at all — it is a fallback face. Latin letters, digits and ASCII
punctuation are therefore drawn in Bitstream Vera, the TrueType face reportlab itself ships (reportlab/fonts,
Bitstream Vera licence). Text is split into runs by which face has the glyph (``runs``). reportlab embeds
both as subsets (only the glyphs used), so every viewer shows the form exactly as printed with no font
installed; ``pdffonts`` lists them ``emb yes``.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas

from forms.errors import RenderError

__all__ = ["FONT_NAME", "LATIN_FONT_NAME", "cjk_font", "draw_text", "font_path", "latin_font", "runs"]

FONT_NAME = "DroidSansFallback"
LATIN_FONT_NAME = "BitstreamVera"
_FONT_FILE = "DroidSansFallbackFull.ttf"
_LATIN_FILE = "Vera.ttf"  # found on reportlab's own font search path
_lock = threading.Lock()


def font_path() -> Path:
    """resources/fonts/ beside the forms package (the same layout in a checkout and in the bundle)."""
    return Path(__file__).resolve().parent.parent / "resources" / "fonts" / _FONT_FILE


def _register(name: str, file: str) -> TTFont:
    with _lock:
        if name not in pdfmetrics.getRegisteredFontNames():
            try:
                pdfmetrics.registerFont(TTFont(name, file))
            except (OSError, TTFError) as ex:
                raise RenderError(f"the font {file} cannot be loaded: {ex}", code="pdf.font_missing") from ex
        font = pdfmetrics.getFont(name)
        assert isinstance(font, TTFont)
        return font


def cjk_font() -> str:
    """Register the CJK face with reportlab once (it takes about a second) and return its name."""
    _register(FONT_NAME, str(font_path()))
    return FONT_NAME


def latin_font() -> str:
    _register(LATIN_FONT_NAME, _LATIN_FILE)
    return LATIN_FONT_NAME


@functools.lru_cache(maxsize=4096)
def _face_for(char: str) -> str:
    code = ord(char)
    if code in _register(FONT_NAME, str(font_path())).face.charToGlyph:
        return FONT_NAME
    if code in _register(LATIN_FONT_NAME, _LATIN_FILE).face.charToGlyph:
        return LATIN_FONT_NAME
    return FONT_NAME  # neither has it: the CJK face draws its missing-glyph box


def runs(text: str) -> list[tuple[str, str]]:
    """``text`` as (font name, substring) runs, each drawable in one face."""
    out: list[tuple[str, str]] = []
    for char in text:
        face = _face_for(char)
        if out and out[-1][0] == face:
            out[-1] = (face, out[-1][1] + char)
        else:
            out.append((face, char))
    return out


def draw_text(canvas: Canvas, x: float, y: float, value: str, size: float, *, centred: bool = False) -> None:
    """Draw ``value`` (Chinese, Latin or both, e.g. "价格 30%") on a reportlab canvas at (x, y), each run
    in the face that has its glyphs; registers both faces."""
    cjk_font()
    latin_font()
    pieces = runs(value)
    if centred:
        x -= sum(pdfmetrics.stringWidth(run, face, size) for face, run in pieces) / 2
    for face, run in pieces:
        canvas.setFont(face, size)
        canvas.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, face, size)
