"""`bidclient login`/`whoami`/`logout` as a user runs them, against a real server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bidclient.cli.main", *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)


def test_login_whoami_logout(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = pki.softhsm_env()
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["BIDCLIENT_NO_KEYRING"] = "1"
    env.pop("BIDCLIENT_SERVER", None)
    party = pki.party("ent-a-ec")
    done = _run(["login", "--server", live_server.url, "--key", party.signing_uri], env)
    assert done.returncode == 0, done.stderr
    assert "91110108MA01B2C3D0" in done.stdout and "bidder" in done.stdout
    sessions = tmp_path / "config" / "bidclient" / "sessions.json"
    assert oct(os.stat(sessions).st_mode & 0o777) == "0o600"
    assert pki.user_pin not in sessions.read_text()
    done = _run(["whoami"], env)  # the server was remembered
    assert done.returncode == 0, done.stderr
    assert "uscc:91110108MA01B2C3D0" in done.stdout
    assert _run(["logout"], env).returncode == 0
    done = _run(["whoami"], env)
    assert done.returncode == 3
    assert "[auth.not_logged_in]" in done.stderr and "Traceback" not in done.stderr


def test_login_with_untrusted_certificate_fails_cleanly(live_server, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = pki.softhsm_env()
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["BIDCLIENT_NO_KEYRING"] = "1"
    done = _run(["login", "--server", live_server.url, "--key", pki.party("bad-rogue").signing_uri], env)
    assert done.returncode == 1
    assert "[auth.certificate_untrusted_root]" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "config" / "bidclient" / "sessions.json").exists()


def test_login_says_how_the_server_checked_revocation(live_server, pki_no_addresses, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.server.test_auth import _trust_no_address_pki

    _trust_no_address_pki(live_server, pki_no_addresses)
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), BIDCLIENT_NO_KEYRING="1", BIDCLIENT_LANG="en")
    pin = f"file:{pki_no_addresses.pin_file}"
    good = pki_no_addresses.party("ent-b").signing_p12
    done = _run(["login", "--server", live_server.url, "--key", str(good), "--pin-source", pin], env)
    assert done.returncode == 0, done.stderr
    assert ("revocation (checked by the server): not revoked according to the CRL of bidclient Dev EC Issuing CA 1 "
            "issued ") in done.stdout
    assert ("CA bidclient Dev EC Issuing CA 1: not revoked according to the CRL of bidclient Dev EC Root CA"
            in done.stdout)
    revoked = pki_no_addresses.party("bad-revoked-crl").signing_p12
    done = _run(["login", "--server", live_server.url, "--key", str(revoked), "--pin-source", pin], env)
    assert done.returncode == 1
    assert "error [auth.certificate_revoked]: The server refused the certificate: it has been revoked." in done.stderr
    assert "according to the CRL of bidclient Dev EC Issuing CA 1" in done.stderr
    assert "bidclient login --key" not in done.stderr and "Traceback" not in done.stderr
