"""PIN policy: who supplies a PIN, and what they are told when asked.

PINs are passed straight to the token login and dropped. They are never logged, stored, cached
or put in a keyring. A wrong PIN is never retried automatically: the PinSource is asked once per
operation and a failure propagates to the caller.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from crypto.errors import PinCancelled, TokenError


class PinPolicy(enum.Enum):
    PROMPT = "prompt"  # ask the PinSource
    PIN_PAD = "pin_pad"  # protected authentication path: the reader's keypad
    NONE = "none"  # token needs no login


@dataclass(frozen=True)
class PinRequest:
    """What the user is told when asked for a PIN."""

    token_label: str
    token_serial: str
    count_low: bool = False  # a wrong PIN was entered since the last success
    final_try: bool = False  # one more wrong PIN locks the token
    for_file: bool = False  # a PKCS#12 password rather than a token PIN


# Returns the PIN, or None when the user cancels.
PinSource = Callable[[PinRequest], str | None]


def pin_from_source_spec(spec: str) -> PinSource:
    """A PinSource from ``file:PATH`` or ``env:NAME`` (the CLI's ``--pin-source``), or an RFC 7512
    ``pin-source`` value (a file path or ``file:`` URI)."""
    if spec.startswith("env:"):
        name = spec[4:]

        def from_env(_request: PinRequest) -> str | None:
            value = os.environ.get(name)
            if value is None:
                raise TokenError(f"environment variable {name} holding the PIN is not set",
                                 code="token.pin_source_unavailable")
            return value

        return from_env
    path_text = spec[5:] if spec.startswith("file:") else spec
    if path_text.startswith("//"):
        path_text = path_text[2:]
    path = Path(path_text)

    def from_file(_request: PinRequest) -> str | None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as ex:
            raise TokenError(f"cannot read the PIN file {path}: {ex.strerror}",
                             code="token.pin_source_unavailable") from None
        return text.rstrip("\r\n")

    return from_file


def cancelled(request: PinRequest) -> str | None:
    """A PinSource that always cancels (for non-interactive runs without a pin source)."""
    raise PinCancelled(f"a PIN is needed for token {request.token_label!r} and none was given")
