"""Error codes and messages of tokens and keys, trust, CMS, timestamps (the codes of crypto.errors).

One domain's entries of the catalogue that bidclient.errors.describe reads (see docs/architecture.md,
"Errors per domain"). Imports nothing of the project but bidclient.i18n, so any module may raise these
codes without an import cycle.
"""

from __future__ import annotations

from bidclient.i18n import _


def messages() -> dict[str, tuple[str, str]]:
    """code -> (headline, hint), translated at call time."""
    return {
        "token.module_load_failed": (_("A PKCS#11 module could not be loaded."),
                                     _("Check the module path, or install your CA's driver.")),
        "token.not_present": (_("The token (dongle) was not found."),
                              _("Insert the dongle and run 'bidclient keys' to see what is available.")),
        "token.key_not_found": (_("The key was not found."),
                                _("Name a key by a pkcs11: URI shown by 'bidclient keys', "
                                  "or a PKCS#12 file.")),
        "token.key_ambiguous": (_("More than one key matches."),
                                _("Add object= or id= to the pkcs11: URI to choose one.")),
        "token.encryption_key_ambiguous": (_("Several encryption keys on the token belong to the signer."),
                                           _("Name yours with --enc-key KEY (one of the URIs above, as "
                                             "'bidclient keys' lists them).")),
        "token.no_paired_encryption_key": (_("No encryption key on the token belongs to the signer."),
                                           _("Name your encryption key with --enc-key KEY: its pkcs11: URI "
                                             "from 'bidclient keys', or its PKCS#12 file.")),
        "token.pin_incorrect": (_("The PIN is incorrect."),
                                _("It was not retried. Check the PIN before trying again: "
                                  "too many wrong PINs lock the token.")),
        "token.pin_locked": (_("The token is locked after too many wrong PINs."),
                             _("Unblock it with your CA's tool or service desk.")),
        "token.pin_cancelled": (_("No PIN was given."),
                                _("Enter the PIN when asked, or use --pin-source file:PATH or env:NAME.")),
        "token.pin_source_unavailable": (_("The PIN source could not be read."),
                                         _("Check the file or environment variable named by "
                                           "the pin source.")),
        "token.mechanism_unsupported": (_("The key or token cannot perform this operation."),
                                        _("Use a key of another type, or another token.")),
        "token.pin_invalid": (_("The token does not accept the new PIN."),
                              _("Choose a PIN of the length and characters your CA allows; the PIN was not changed.")),
        "token.key_file": (_("The key file could not be opened."),
                           _("Check the file and its password.")),
        "token.invalid_uri": (_("The pkcs11: URI is not valid."),
                              _("Copy a URI shown by 'bidclient keys' (RFC 7512).")),
        "token.error": (_("The token reported an error."), _("Reconnect the dongle and try again.")),
        "trust.expired": (_("The certificate has expired."), _("Renew the certificate with your CA.")),
        "trust.not_yet_valid": (_("The certificate is not yet valid."),
                                _("Check the computer's clock, or wait until the certificate's start date.")),
        "trust.revoked": (_("The certificate has been revoked."), _("Contact the issuing CA.")),
        "trust.untrusted_root": (_("The certificate was not issued by a trusted CA."),
                                 _("Add the CA to the trust list (--trust) if it is recognised.")),
        "trust.wrong_key_usage": (_("The certificate may not be used for this purpose."),
                                  _("Use the signing certificate to sign and the encryption certificate "
                                    "to encrypt.")),
        "trust.revocation_unknown": (_("The revocation status could not be checked."),
                                     _("Check the network connection to the CA, or update the CRLs.")),
        "trust.no_trust_list": (_("No trust list is configured."),
                                _("Get the platform's trust list: in the app, sign in and accept the offer to get "
                                  "it; on the command line, run 'bidclient trust sync', or pass --trust with CA "
                                  "certificates.")),
        "trust.fingerprint_mismatch": (_("The server now presents another CA than the fingerprint you confirmed."),
                                       _("Nothing was changed. Sign in again and compare the fingerprint shown "
                                         "with the one the platform publishes.")),
        "trust.invalid": (_("The certificate is not valid."), ""),
        "trust.list_invalid": (_("The trust list could not be read."),
                               _("Give --trust CA certificates and CRLs (PEM or DER), or folders of them.")),
        "trust.server_ca_changed": (_("The server presents another CA than the one pinned on first use."),
                                    _("Nothing was changed. Confirm the new fingerprint with the server's "
                                      "operator, then pass --accept-ca FINGERPRINT.")),
        "trust.list_signature_invalid": (_("The server's trust list is not validly signed by the server."),
                                         _("Nothing was changed. Do not trust this connection; tell the "
                                           "server's operator.")),
        "trust.list_malformed": (_("The server's trust list is damaged."), _("Nothing was changed. Try again later.")),
        "trust.list_rollback": (_("The server sent an older trust list than the one installed."),
                                _("Nothing was changed. A replayed list could bring back a removed CA; tell the "
                                  "server's operator.")),
        "cert.unreadable": (_("The certificate file could not be read."),
                            _("Give an X.509 certificate in PEM or DER form.")),
        "cms.malformed": (_("The file is damaged or not of the expected kind."),
                          _("Run 'bidclient inspect' on it to see what it is.")),
        "cms.not_a_recipient": (_("This file was not encrypted for your key."),
                                _("Use the key of one of the recipients listed by 'bidclient inspect'.")),
        "cms.decryption_failed": (_("Decryption failed: the file is damaged or was altered, "
                                    "or the key is wrong."),
                                  _("Nothing was written. Obtain an intact copy of the file.")),
        "cms.signature_invalid": (_("The signature is not valid: the file or the signature was altered."),
                                  _("Do not trust this file.")),
        "cms.signer_key_mismatch": (_("The signing key does not belong to its certificate."),
                                    _("Check that the token holds the right certificate for this key.")),
        "cms.unsupported_algorithm": (_("The file uses an algorithm bidclient does not support."),
                                      _("Ask the sender to encrypt with AES (CBC or GCM) and to sign with "
                                        "SHA-256 or stronger, with RSA or EC (P-256/P-384/P-521) keys.")),
        "crypto.cancelled": (_("The operation was cancelled; nothing was written."), ""),
        "crypto.error": (_("A cryptographic operation failed."),
                         _("Read the detail above; nothing was written.")),
        "trust.error": (_("The certificate is not valid."),
                        ""),
        "timestamp.error": (_("No valid timestamp could be obtained from the time-stamping "
                              "authority."),
                            _("Check the TSA address and the network connection.")),
        "timestamp.http_status": (_("No valid timestamp could be obtained from the "
                                    "time-stamping authority."),
                                  _("Check the TSA address and the network connection.")),
        "timestamp.rejected": (_("No valid timestamp could be obtained from the "
                                 "time-stamping authority."),
                               _("Check the TSA address and the network connection.")),
        "timestamp.bad_response": (_("No valid timestamp could be obtained from the "
                                     "time-stamping authority."),
                                   _("Check the TSA address and the network connection.")),
        "timestamp.unreachable": (_("The time-stamping authority cannot be reached."),
                                  _("Check the TSA address and the network connection.")),
        "timestamp.imprint_mismatch": (_("The time-stamping authority's answer does not "
                                         "match the request."),
                                       _("Do not use this timestamp; try again, and tell "
                                         "the TSA's operator if it repeats.")),
        "timestamp.nonce_mismatch": (_("The time-stamping authority's answer does not match"
                                       " the request."),
                                     _("Do not use this timestamp; try again, and tell the "
                                       "TSA's operator if it repeats.")),
        "token.bad_signature": (_("The token made a signature that does not verify."),
                                _("Nothing was written. Check that the certificate on the "
                                  "token belongs to its key, then try again.")),
        "token.not_logged_in": (_("The token is not logged in."),
                                _("Reconnect the dongle and try again.")),
        "token.session_closed": (_("The connection to the token was closed."),
                                 _("Reconnect the dongle and try again.")),
        "token.pin_expired": (_("The token's PIN has expired and must be changed."),
                              _("Change the PIN with your CA's tool, then try again.")),
    }
