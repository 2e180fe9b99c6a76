"""Shared fixtures: the dev PKI (CAs, parties, CRLs, SoftHSM tokens) and its loopback OCSP/CRL server.

The PKI is generated once per test session (a few seconds). ``SOFTHSM2_CONF`` is set for the whole
session to the PKI's own token directory, so nothing touches /var/lib/softhsm; a test that needs a
private token of its own sets SOFTHSM2_CONF with ``monkeypatch.setenv`` to its own tmp directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from devtools.ocsp import PkiServer
from devtools.pki import DevPki, generate


@pytest.fixture(autouse=True)
def private_user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own config and data folders and no keyring: nothing is read from or left in the
    user's real ones (a server CA pinned there by one test run was refused by the next run's server on the
    same loopback port). A fixture or test that needs a folder of its own sets these again."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("BIDCLIENT_NO_KEYRING", "1")


@pytest.fixture(scope="session")
def pki_server() -> Iterator[PkiServer]:
    """The loopback server named in the dev certificates' OCSP and CRL URLs (started first, so
    its port can be written into the certificates)."""
    server = PkiServer(port=0).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory, pki_server: PkiServer) -> Iterator[DevPki]:
    """The dev PKI, with SOFTHSM2_CONF pointing at its tokens for the session.

    Parties: pki.party("ent-a"), "ent-a-ec", "ent-b", "expert-1", "opener-1", and the bad ones
    "bad-expired", "bad-not-yet-valid", "bad-revoked-crl", "bad-revoked-ocsp", "bad-wrong-usage",
    "bad-rogue" (see docs/formats/dev-pki.md). Token user PIN: pki.user_pin ("12345678").
    """
    directory = tmp_path_factory.mktemp("devpki") / "pki"
    generated = generate(directory, port=pki_server.port)
    pki_server.attach(generated)
    previous = os.environ.get("SOFTHSM2_CONF")
    assert generated.softhsm_conf is not None
    os.environ["SOFTHSM2_CONF"] = str(generated.softhsm_conf)
    yield generated
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture
def pki_server_down(pki: DevPki, pki_server: PkiServer) -> Iterator[PkiServer]:
    """The OCSP/CRL server answering 503 to everything for the duration of one test."""
    pki_server.online = False
    try:
        yield pki_server
    finally:
        pki_server.online = True


@pytest.fixture(scope="session")
def pki_no_addresses(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    """A second dev PKI whose CAs put no CRL distribution point and no OCSP address in the certificates
    they issue (revocation is known only from their CRLs in ``crl_dir``). Software keys only (PKCS#12
    files, no SoftHSM tokens); its CA names differ from ``pki``'s, so both can be trusted together."""
    directory = tmp_path_factory.mktemp("devpki-no-addresses") / "pki"
    return generate(directory, softhsm=False, revocation_addresses=False)
