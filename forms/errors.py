"""The errors forms/ raises. Each carries a stable ``code`` the application maps to a translated message.

Token and key errors (wrong PIN, locked token...) raised by a crypto.keys.Signer during signing are not
wrapped: they keep their crypto.errors codes, so the PIN dialog can react to them.
"""

from __future__ import annotations


class FormsError(Exception):
    """Base of every error raised by forms/."""

    code = "forms.error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.code


class AmountError(FormsError, ValueError):
    """An amount in figures or in Chinese capital numerals (大写) is malformed or out of range.

    ``code`` is amount.invalid_figures, amount.invalid_words or amount.out_of_range.
    """

    code = "amount.invalid"


class RenderError(FormsError):
    """A form could not be rendered to PDF (the output file is not written)."""

    code = "pdf.render_failed"


class PdfMalformed(FormsError):
    """A PDF to sign or verify cannot be read (not a PDF, truncated, encrypted...)."""

    code = "pdf.malformed"


class PdfSignError(FormsError):
    """Signing a PDF failed for a reason other than the key (those keep their crypto.errors codes)."""

    code = "pdf.sign_failed"
