"""Errors a user can meet, mapped once to a stable code, a translated message and an exit status.

Every exception family of the project (crypto.errors, bidclient.bidpackage.errors, BidclientError)
is turned into a UserMessage here, at the boundary; nothing deeper prints or exits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bidclient.i18n import _

EXIT_OK = 0
EXIT_FAILED = 1  # invalid, untrusted, tampered or failed
EXIT_USAGE = 2
EXIT_KEY_UNAVAILABLE = 3  # no token, wrong PIN, locked


class BidclientError(Exception):
    """An error of the application core with a stable code."""

    code = "bidclient.error"
    exit_status = EXIT_FAILED

    def __init__(self, message: str, *, code: str | None = None, exit_status: int | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        # The status follows the code unless the raiser says otherwise, so that e.g. a missing input
        # file is a usage error (2) wherever it is detected.
        self.exit_status = exit_status if exit_status is not None else _exit_status_for(self.code)

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.code


class UsageError(BidclientError):
    code = "usage.invalid"
    exit_status = EXIT_USAGE


@dataclass(frozen=True)
class UserMessage:
    code: str
    headline: str  # translated: what happened
    hint: str  # translated: what to do next
    detail: str  # specifics (file names, subjects), from the raising code
    exit_status: int

    def render(self) -> str:
        lines = [f"{_('error')} [{self.code}]: {self.headline}"]
        if self.detail and self.detail != self.headline:
            lines.append(f"  {self.detail}")
        if self.hint:
            lines.append(f"  {self.hint}")
        return "\n".join(lines)


def _catalog() -> dict[str, tuple[str, str]]:
    """code -> (headline, hint), translated at call time: the codes that belong to no one domain (usage,
    files, configuration, internal errors). A domain's codes go into its own messages module (below)."""
    return {
        "config.unknown_time_zone": (_("The time zone is not known."),
                                     _("Give an IANA time zone name such as Asia/Shanghai or UTC.")),
        "job.cancelled": (_("The work was cancelled; nothing of it was left behind."), ""),
        "usage.invalid": (_("The command is not valid."), _("Run 'bidclient --help'.")),
        "io.input_missing": (_("The input file does not exist."), _("Check the path.")),
        "io.output_exists": (_("The output already exists."),
                             _("Choose another output path, or remove the existing one.")),
        "io.error": (_("A file could not be read or written."), _("Check the path and permissions.")),
        "bidclient.error": (_("The operation failed."),
                            _("Read the detail above.")),
        "bidclient.internal": (_("An unexpected error occurred; this is a bug in bidclient."),
                               _("Please report it with the detail above.")),
    }


Catalogue = Callable[[], Mapping[str, tuple[str, str]]]
_registered: list[Catalogue] = []


def _domain_catalogues() -> tuple[Catalogue, ...]:
    """Each domain's own codes and messages, kept next to the domain. Each module imports only
    bidclient.i18n, so this lookup takes part in no import cycle."""
    from bidclient import (
        audit_messages,
        bid_messages,
        committee_messages,
        crypto_messages,
        evaluation_messages,
        experts_messages,
        forms_messages,
        opening_messages,
        server_messages,
        submission_messages,
        tender_messages,
    )
    from bidclient.bidpackage import messages as sealed_bid_messages

    return (_catalog, crypto_messages.messages, committee_messages.messages, sealed_bid_messages.messages,
            bid_messages.messages, forms_messages.messages, tender_messages.messages,
            submission_messages.messages, server_messages.messages, audit_messages.messages,
            evaluation_messages.messages, opening_messages.messages, experts_messages.messages)


def register_catalogue(catalogue: Catalogue) -> Catalogue:
    """Add the codes and messages of a part outside the product (the developer tools, devtools/)."""
    if catalogue not in _registered:
        _registered.append(catalogue)
    return catalogue


def catalogues() -> tuple[Catalogue, ...]:
    """Every catalogue: the product's domains, then the registered ones. A code belongs to exactly one
    (tests/bidclient/test_error_catalogue.py)."""
    return (*_domain_catalogues(), *_registered)


def catalogue() -> dict[str, tuple[str, str]]:
    """Every known code -> (headline, hint), translated now."""
    merged: dict[str, tuple[str, str]] = {}
    for source in catalogues():
        merged.update(source())
    return merged


def _unknown(error: BaseException) -> tuple[str, str]:
    """For a code no catalogue knows, which the tests allow only for a server newer than this client: a
    message that suits every audience, never one domain's advice to another."""
    status = getattr(error, "status", None)
    if isinstance(status, int) and status >= 400:  # an HTTP answer (bidclient.api_client.ApiError)
        return _("The server refused the request."), _("Read the detail above; nothing was changed.")
    return _("The operation failed."), _("Read the detail above.")


def _exit_status_for(code: str) -> int:
    if code.startswith("token."):
        return EXIT_KEY_UNAVAILABLE
    if code.startswith("usage.") or code in ("io.input_missing", "io.output_exists"):
        return EXIT_USAGE
    return EXIT_FAILED


def describe(error: BaseException) -> UserMessage:
    """The user-facing message for any error of the project."""
    code = getattr(error, "code", None)
    if not isinstance(code, str):
        if isinstance(error, OSError):
            code = "io.error"
            detail = f"{error.filename or ''}: {error.strerror or error}".strip(": ")
        else:
            code = "bidclient.internal"
            detail = f"{type(error).__name__}: {error}"
    else:
        detail = str(error.args[0]) if error.args else ""
    headline, hint = catalogue().get(code) or _unknown(error)
    status = getattr(error, "exit_status", None)
    if not isinstance(status, int):
        status = _exit_status_for(code)
    return UserMessage(code=code, headline=headline, hint=hint, detail=detail, exit_status=status)
