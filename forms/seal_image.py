"""The visible part of a PDF signature: a red round company seal over the signer's name and the time.

The seal is drawn as vectors (crisp at any zoom) in the way a Chinese company seal looks: a red ring, the
enterprise name along the upper arc, a five-pointed star, an optional inscription (e.g. 投标专用章) below.
A scanned seal image (PNG/JPEG with transparency) can be used instead. The appearance is a one-page PDF
of exactly the signature box's size that pyHanko imports as the signature field's appearance.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PIL import Image, UnidentifiedImageError
from reportlab.lib import colors
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from forms._layout import draw_text
from forms.errors import RenderError
from forms.fonts import cjk_font, runs

__all__ = ["SEAL_RED", "SealAppearance", "draw_company_seal", "draw_personal_seal", "render_appearance"]

SEAL_RED = colors.Color(0.85, 0.05, 0.08)
MAX_IMAGE_BYTES = 5 << 20
MAX_IMAGE_SIDE = 4000


@dataclass(frozen=True)
class SealAppearance:
    """What the signature box shows. ``seal_image`` (a file) replaces the drawn seal when given."""

    seal_name: str  # the enterprise name on the drawn seal
    signer_name: str
    signed_at: datetime
    reason: str = ""
    inscription: str = ""  # e.g. 投标专用章, under the star
    seal_image: Path | None = None
    signed_at_text: str | None = None  # the time as printed (zone named), else signed_at with its offset
    style: str = "company"  # "company": the round enterprise seal; "personal": a square name seal (法人章)


def draw_company_seal(canvas: Canvas, cx: float, cy: float, radius: float, name: str, *,
                      inscription: str = "", color: colors.Color = SEAL_RED) -> None:
    """Draw a round company seal centred at (cx, cy)."""
    cjk_font()
    canvas.saveState()
    canvas.setStrokeColor(color)
    canvas.setFillColor(color)
    canvas.setLineWidth(radius * 0.055)
    canvas.circle(cx, cy, radius * 0.95, stroke=1, fill=0)
    _star(canvas, cx, cy, radius * 0.28)
    chars = [c for c in name.strip() if not c.isspace()][:30]
    if chars:
        # The name runs clockwise over the top, spanning more of the ring the longer it is.
        span = min(250.0, 20.0 + 16.0 * len(chars))
        size = min(radius * 0.30, 2 * math.pi * radius * 0.7 * span / 360 / max(len(chars), 1) * 0.95)
        text_radius = radius * 0.95 - radius * 0.08 - size * 0.85
        step = span / max(len(chars) - 1, 1)
        start = 90 + span / 2 if len(chars) > 1 else 90
        for index, char in enumerate(chars):
            angle = math.radians(start - index * step)
            canvas.saveState()
            canvas.translate(cx + text_radius * math.cos(angle), cy + text_radius * math.sin(angle))
            canvas.rotate(math.degrees(angle) - 90)
            draw_text(canvas, 0, -size * 0.35, char, size, centred=True)
            canvas.restoreState()
    if inscription.strip():
        size = radius * 0.17
        draw_text(canvas, cx, cy - radius * 0.62, inscription.strip()[:12], size, centred=True)
    canvas.restoreState()


def personal_seal_text(name: str) -> list[str]:
    """The characters of a square name seal, in reading order (right column first, top to bottom):
    a two-character name reads 某某之印, three characters 某某某印, four characters the name itself."""
    chars = [c for c in name.strip() if not c.isspace()]
    if len(chars) == 2:
        return [*chars, "之", "印"]
    if len(chars) == 3:
        return [*chars, "印"]
    return chars[:4] if len(chars) == 4 else chars[:12]


def draw_personal_seal(canvas: Canvas, cx: float, cy: float, half: float, name: str, *,
                       color: colors.Color = SEAL_RED) -> None:
    """Draw a square name seal (法定代表人章) of side ``2 * half`` centred at (cx, cy)."""
    cjk_font()
    chars = personal_seal_text(name)
    canvas.saveState()
    canvas.setStrokeColor(color)
    canvas.setFillColor(color)
    canvas.setLineWidth(half * 0.08)
    canvas.rect(cx - half * 0.92, cy - half * 0.92, half * 1.84, half * 1.84, stroke=1, fill=0)
    if len(chars) == 4:
        size = half * 0.72
        # Right column top to bottom, then the left column: the traditional reading order.
        for index, char in enumerate(chars):
            column = 1 if index < 2 else 0
            row = index % 2
            x = cx - half * 0.42 + column * half * 0.84
            y = cy + half * 0.42 - row * half * 0.84 - size * 0.36
            draw_text(canvas, x, y, char, size, centred=True)
    elif chars:
        size = min(half * 0.9, half * 1.6 / max(len(chars), 1) * 1.6)
        draw_text(canvas, cx, cy - size * 0.36, "".join(chars), min(size, half * 1.7 / len(chars)), centred=True)
    canvas.restoreState()


def _star(canvas: Canvas, cx: float, cy: float, outer: float) -> None:
    inner = outer * 0.382
    path = canvas.beginPath()
    for point in range(10):
        r = outer if point % 2 == 0 else inner
        angle = math.radians(90 + point * 36)
        x, y = cx + r * math.cos(angle), cy + r * math.sin(angle)
        if point == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def _load_image(path: Path) -> ImageReader:
    """A seal image file is untrusted: bounded size and dimensions, decoded once before use."""
    try:
        data = path.read_bytes() if path.stat().st_size <= MAX_IMAGE_BYTES else None
    except OSError as ex:
        raise RenderError(f"cannot read the seal image {path}: {ex.strerror}", code="pdf.seal_image") from None
    if data is None:
        raise RenderError(f"the seal image {path} is larger than {MAX_IMAGE_BYTES >> 20} MiB", code="pdf.seal_image")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ("PNG", "JPEG"):
                raise RenderError(f"the seal image {path} is not PNG or JPEG", code="pdf.seal_image")
            if max(probe.size) > MAX_IMAGE_SIDE:
                raise RenderError(f"the seal image {path} is larger than {MAX_IMAGE_SIDE} pixels",
                                  code="pdf.seal_image")
            image = probe.convert("RGBA")
    except RenderError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as ex:
        raise RenderError(f"the seal image {path} cannot be read: {ex}", code="pdf.seal_image") from None
    return ImageReader(image)


def render_appearance(appearance: SealAppearance, width: float, height: float) -> bytes:
    """A one-page PDF of ``width`` × ``height`` points: signer, time and reason, the seal on top."""
    font = cjk_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), initialFontName=font, pageCompression=1)
    canvas.setFillColor(colors.black)
    when = appearance.signed_at_text or f"{appearance.signed_at:%Y-%m-%d %H:%M:%S %z}"
    lines = [f"签名人：{appearance.signer_name}", f"时间：{when}"]
    if appearance.reason:
        lines.append(f"原因：{appearance.reason}")
    size = min(8.0, height / 12)
    for number, line in enumerate(reversed(lines)):
        draw_text(canvas, 2, 3 + number * size * 1.3, _fit(line, width - 4, size), size)
    radius = min(width, height) / 2 - 2
    if appearance.seal_image is not None:
        image = _load_image(appearance.seal_image)
        canvas.drawImage(image, width / 2 - radius, height / 2 - radius, 2 * radius, 2 * radius, mask="auto",
                         preserveAspectRatio=True, anchor="c")
    elif appearance.style == "personal":
        canvas.setFillAlpha(0.9)
        canvas.setStrokeAlpha(0.9)
        draw_personal_seal(canvas, width / 2, height / 2 + size, min(radius, height / 2 - 2 * size) * 0.8,
                           appearance.seal_name)
    else:
        canvas.setFillAlpha(0.9)
        canvas.setStrokeAlpha(0.9)
        draw_company_seal(canvas, width / 2, height / 2, radius, appearance.seal_name,
                          inscription=appearance.inscription)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _fit(line: str, width: float, size: float) -> str:
    """Cut ``line`` to fit ``width`` (an ellipsis marks the cut)."""
    def measure(value: str) -> float:
        return sum(pdfmetrics.stringWidth(run, face, size) for face, run in runs(value))

    if measure(line) <= width:
        return line
    while line and measure(line + "…") > width:
        line = line[:-1]
    return line + "…"
