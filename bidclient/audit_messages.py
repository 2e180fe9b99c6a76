"""Error codes and messages of the audit trail export and its verification.

One domain's entries of the catalogue that bidclient.errors.describe reads (see docs/architecture.md,
"Errors per domain"). Imports nothing of the project but bidclient.i18n, so any module may raise these
codes without an import cycle.
"""

from __future__ import annotations

from bidclient.i18n import _


def messages() -> dict[str, tuple[str, str]]:
    """code -> (headline, hint), translated at call time."""
    return {
        "audit.tampered": (_("The audit trail is not intact."),
                           _("The problems are listed above. Keep the file as evidence and tell the supervisor.")),
        "audit.malformed": (_("The file is not an audit trail export."),
                            _("Export it with: bidclient audit export -o FILE.")),
    }
