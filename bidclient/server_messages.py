"""Error codes and messages of the server client: the connection, signing in, the server's general refusals,
live updates.

One domain's entries of the catalogue that bidclient.errors.describe reads (see docs/architecture.md,
"Errors per domain"). Imports nothing of the project but bidclient.i18n, so any module may raise these
codes without an import cycle.
"""

from __future__ import annotations

from bidclient.i18n import _


def messages() -> dict[str, tuple[str, str]]:
    """code -> (headline, hint), translated at call time."""
    return {
        "auth.certificate_revoked": (_("The server refused the certificate: it has been revoked."),
                                     _("Sign in with another certificate; ask your CA for a new one.")),
        "auth.certificate_expired": (_("The server refused the certificate: it has expired."),
                                     _("Renew the certificate with your CA, then sign in with the new one.")),
        "auth.certificate_not_yet_valid": (_("The server refused the certificate: it is not valid yet."),
                                           _("Check this computer's clock, or wait until the certificate is "
                                             "valid.")),
        "auth.certificate_untrusted_root": (_("The server refused the certificate: it was not issued by a CA the "
                                              "platform trusts."),
                                            _("Use a certificate from a CA on the platform's trust list.")),
        "auth.certificate_revocation_unknown": (_("The server could not check whether the certificate has been "
                                                  "revoked."),
                                                _("Try again later; if it repeats, tell the platform's "
                                                  "operator.")),
        "request.rate_limited": (_("The server refused: too many attempts in a short time; nothing was changed."),
                                 _("Wait the time named above, then try again. If you did not try this often, "
                                   "tell the platform's operator.")),
        "live.forbidden": (_("You may not follow these live updates."),
                           _("Only its participants may follow it: sign in with the dongle of a participant.")),
        "live.channel_unknown": (_("The server has no live updates of this kind."),
                                 _("Update bidclient: the server may be newer or older than this client.")),
        "live.channel_not_found": (_("There are no live updates for this item: it does not exist on the server."),
                                   _("Check the tender or opening number and try again.")),
        "live.channel_invalid": (_("The name of the live channel is not valid."),
                                 _("Use <kind>:<id>, for example tender:T-2026-001.")),
        "live.cursor_invalid": (_("The position to resume live updates from is not valid."),
                                _("Start following again from the beginning; nothing is lost.")),
        "server.busy": (_("The server is too busy to take the request right now; nothing was changed."),
                        _("Send it again in a moment: an interrupted upload resumes where it stopped.")),
        "server.internal": (_("The server failed; the request was not applied."),
                            _("Try again; if it repeats, tell the platform's operator.")),
        "net.insecure_http": (_("The server address is plain HTTP to another computer; nothing was sent."),
                              _("Use the server's https:// address. Only on a network you fully trust, pass "
                                "--insecure-http.")),
        "net.tls_untrusted": (_("The server's certificate was not issued by a trusted CA; nothing was sent."),
                              _("Check the server address. If the platform uses its own CA, get its certificate "
                                "from the operator and pass --ca-file.")),
        "net.tls_expired": (_("The server's certificate has expired; nothing was sent."),
                            _("Check the computer's clock, then tell the platform's operator.")),
        "net.tls_hostname_mismatch": (_("The server's certificate is for another address; nothing was sent."),
                                      _("Use the address named in the platform's certificate, or tell its "
                                        "operator.")),
        "net.tls_pin_mismatch": (_("The server's certificate is not the pinned one; nothing was sent."),
                                 _("Do not trust this connection. If the platform changed its certificate, "
                                   "confirm the new fingerprint with its operator and pass --pin-sha256.")),
        "net.tls_failed": (_("No secure connection to the server could be made; nothing was sent."),
                           _("Check the server address (https://) and the network.")),
        "net.ca_file_unreadable": (_("The CA file could not be used."),
                                   _("Give a PEM file with the platform's CA certificates (--ca-file).")),
        "auth.required": (_("The server did not accept the login or session."),
                          _("Sign in again with your dongle (in the app: Sign in; on the "
                            "command line: bidclient login --key KEY).")),
        "auth.session_expired": (_("The server did not accept the login or session."),
                                 _("Sign in again with your dongle (in the app: Sign in; on"
                                   " the command line: bidclient login --key KEY).")),
        "auth.session_invalid": (_("The server did not accept the login or session."),
                                 _("Sign in again with your dongle (in the app: Sign in; on"
                                   " the command line: bidclient login --key KEY).")),
        "auth.not_logged_in": (_("The server did not accept the login or session."),
                               _("Sign in again with your dongle (in the app: Sign in; on "
                                 "the command line: bidclient login --key KEY).")),
        "auth.challenge_invalid": (_("The sign-in challenge expired or was already used."),
                                   _("Sign in again.")),
        "auth.signature_invalid": (_("The server could not verify the sign-in signature."),
                                   _("Sign in again; if it repeats, check that the "
                                     "certificate on the dongle belongs to its key.")),
        "auth.forbidden": (_("Your account may not do this."),
                           _("Sign in with an account that has the role named above.")),
        "metrics.forbidden": (_("Your account may not do this."),
                              _("Sign in with an account that has the role named above.")),
        "net.unreachable": (_("The server cannot be reached."),
                            _("Check the network and the server address; your work is kept "
                              "and can be resumed.")),
        "net.bad_response": (_("The server's answer could not be read."),
                             _("Try again; if it repeats, tell the platform's operator.")),
        "net.response_too_large": (_("The server's answer could not be read."),
                                   _("Try again; if it repeats, tell the platform's "
                                     "operator.")),
        "server.unhealthy": (_("The server reports a problem with its database, storage or "
                               "clock."),
                             _("Try again; if it repeats, tell the platform's operator.")),
        "request.invalid": (_("The server refused the request as not valid."),
                            _("Update bidclient: the server may be newer or older than this"
                              " client.")),
        "usage.no_server": (_("No server is named."),
                            _("Pass --server URL, set BIDCLIENT_SERVER, or sign in once "
                              "with --server.")),
    }
