"""The bid forms (投标函, 开标一览表, priced lines) as the bidder app edits them: the types and the amount
rules of ``forms``, named here so that the desktop app reaches ``forms`` only through the core
(ui → bidclient → forms)."""

from __future__ import annotations

from forms.amounts import format_figures, parse_figures, to_capital
from forms.errors import AmountError
from forms.model import PRICE_LINE_COLUMNS, WORDS_SUFFIX, FormDef, Issue, PriceLine

__all__ = ["PRICE_LINE_COLUMNS", "WORDS_SUFFIX", "AmountError", "FormDef", "Issue", "PriceLine", "format_figures",
           "parse_figures", "to_capital"]
