"""Asking for a PIN on the terminal. The PIN goes to the token and is dropped; never echoed or kept."""

from __future__ import annotations

import getpass
import sys

from bidclient.i18n import _
from crypto.errors import PinCancelled
from crypto.pin import PinRequest, PinSource, pin_from_source_spec


def terminal_pin_source(request: PinRequest) -> str | None:
    if not sys.stdin.isatty():
        raise PinCancelled(f"a PIN is needed for {request.token_label!r} but there is no terminal to ask on; "
                           "use --pin-source file:PATH or env:NAME")
    if request.final_try:
        print(_("Warning: one more wrong PIN will lock this token."), file=sys.stderr)
    elif request.count_low:
        print(_("Warning: a wrong PIN was entered before; few tries remain."), file=sys.stderr)
    if request.for_file:
        label = _("Password for {name}: ").format(name=request.token_label)
    else:
        label = _("PIN for token {name}: ").format(name=request.token_label)
    try:
        pin = getpass.getpass(label)
    except (EOFError, KeyboardInterrupt):
        return None
    return pin or None


def pin_source_for(spec: str | None) -> PinSource:
    """--pin-source if given, else the terminal."""
    if spec:
        if not (spec.startswith("file:") or spec.startswith("env:")):
            from bidclient.errors import UsageError

            raise UsageError(f"--pin-source must be file:PATH or env:NAME, not {spec!r}")
        return pin_from_source_spec(spec)
    return terminal_pin_source
