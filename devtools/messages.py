"""The developer tools' error codes and messages, registered with the product's lookup
(bidclient.errors.register_catalogue) when the developer command line starts."""

from __future__ import annotations

from bidclient.errors import register_catalogue
from bidclient.i18n import _


def messages() -> dict[str, tuple[str, str]]:
    return {
        "demo.server_failed": (_("The demo server could not be started."),
                               _("Read server.log in the demo folder; stop any earlier demo still running, then "
                                 "run scripts/demo again.")),
        "demo.server_missing": (_("The server program (bidclient-server) is not installed."),
                                _("Run scripts/demo, which installs the project with its server; or "
                                  "pip install -e '.[server]'.")),
        "demo.pki_outdated": (_("The demo folder's PKI was made before the opening demo: it has no dongles for "
                                "the opening's people."),
                              _("Start the demo on a new folder (--data NEW_DIR, or BIDCLIENT_DEMO_DIR with "
                                "scripts/demo), or delete the old demo folder.")),
        "demo.unexpected": (_("The demo saw the server do something it must never do."),
                            _("Report it with the demo's output and server.log in the demo folder.")),
    }


def register() -> None:
    register_catalogue(messages)
