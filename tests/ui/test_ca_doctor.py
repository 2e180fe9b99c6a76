"""The CA doctor with the dev PKI's SoftHSM tokens: modules, statuses in plain words, the self-test, PIN."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PySide6.QtCore import Qt

from bidclient.signin_check import TRUSTED, assess
from crypto.trust import TrustList
from tests.ui.conftest import answer_pin, open_pin_dialogs
from ui.ca_doctor import ROLE_PAIR, CaDoctorDialog
from ui.cert_status import explain
from ui.main_window import MainWindow


def _open_doctor(qtbot, window: MainWindow) -> CaDoctorDialog:  # type: ignore[no-untyped-def]
    dialog = window.open_doctor()
    qtbot.waitUntil(lambda: dialog.doctor.report is not None and not dialog.doctor.busy, timeout=60_000)
    return dialog


def _status(dialog: CaDoctorDialog, token_label: str) -> list[tuple[str, str, str]]:
    item = dialog.doctor.find_token_item(token_label)
    assert item is not None, f"token {token_label} not listed"
    return [(item.child(i).text(0), item.child(i).text(1), item.child(i).text(2)) for i in range(item.childCount())]


@pytest.fixture
def doctor(qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> CaDoctorDialog:  # type: ignore[no-untyped-def]
    # A vendor module that is configured but missing: the doctor must name it and say why it failed.
    monkeypatch.setenv("BIDCLIENT_PKCS11_MODULES", "/opt/missing-ca/libvendor-pkcs11.so")
    return _open_doctor(qtbot, window)


def test_doctor_lists_modules_loaded_and_failed(doctor: CaDoctorDialog) -> None:
    tree = doctor.doctor.modules_tree
    rows = {tree.topLevelItem(i).text(0): tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount())}
    softhsm = [status for name, status in rows.items() if "softhsm" in name]
    assert softhsm and softhsm[0].startswith("Loaded")
    missing = [status for name, status in rows.items() if "libvendor-pkcs11.so" in name]
    assert missing and missing[0].startswith("Failed to load:")


def test_doctor_shows_each_certificate_status_in_plain_words(doctor: CaDoctorDialog, pki) -> None:  # type: ignore[no-untyped-def]
    good = _status(doctor, "ent-a-rsa")
    assert [row[0].split(":")[0] for row in good] == ["Signing certificate", "Encryption certificate"] or \
        sorted(row[0].split(":")[0] for row in good) == ["Encryption certificate", "Signing certificate"]
    assert all(row[1].startswith("Trusted") for row in good)
    expectations = {
        "bad-expired": ("Expired on", "Renew the certificate"),
        "bad-rogue": ("Issued by a CA that is not on the platform's trust list", "recognises"),
        "bad-revoked-crl": ("Revoked", "Do not use this dongle"),
        "bad-revoked-ocsp": ("Revoked", "Do not use this dongle"),
        "bad-not-yet-valid": ("Not valid yet", "date and time"),
    }
    for label, (status, step) in expectations.items():
        rows = _status(doctor, pki.party(label).token_label or label)
        assert rows, label
        assert rows[0][1].startswith(status), (label, rows)
        assert step in rows[0][2], (label, rows)
    # bad-wrong-usage holds only an encryption certificate: listed as such, no signing pair to misuse.
    wrong = _status(doctor, pki.party("bad-wrong-usage").token_label or "bad-wrong-usage")
    assert [row[0].split(":")[0] for row in wrong] == ["Encryption certificate"]


def test_doctor_details_show_the_selected_certificate(qtbot, doctor: CaDoctorDialog) -> None:  # type: ignore[no-untyped-def]
    item = doctor.doctor.find_token_item("bad-expired")
    assert item is not None
    doctor.doctor.tokens_tree.setCurrentItem(item.child(0))
    text = doctor.doctor.details.toPlainText()
    assert "Valid until:" in text and "expired" in text
    assert item.child(0).data(0, ROLE_PAIR).assessment.kind == "expired"


@pytest.mark.parametrize("party", ["ent-a", "ent-b"])
def test_one_click_test_passes_with_one_pin_entry(qtbot, doctor: CaDoctorDialog, pki, party: str) -> None:  # type: ignore[no-untyped-def]
    label = pki.party(party).token_label or party
    item = doctor.doctor.find_token_item(label)
    assert item is not None
    doctor.doctor.tokens_tree.setCurrentItem(item)
    assert doctor.doctor.test_button.isEnabled()
    opened: list[object] = []
    doctor.doctor.pin_source.dialog_opened.connect(opened.append)
    qtbot.mouseClick(doctor.doctor.test_button, Qt.MouseButton.LeftButton)
    pin_dialog = answer_pin(qtbot, pki.user_pin)
    assert pin_dialog.pin_edit.text() == ""  # wiped after use
    qtbot.waitUntil(lambda: doctor.doctor.last_test is not None, timeout=60_000)
    result = doctor.doctor.last_test
    assert result is not None and result.passed, result.error
    assert [s.name for s in result.steps] == ["sign", "verify", "encrypt", "decrypt"]
    assert doctor.doctor.test_result.text().startswith("Test passed")
    assert len(opened) == 1


def test_wrong_pin_is_reported_and_never_retried(qtbot, doctor: CaDoctorDialog, pki) -> None:  # type: ignore[no-untyped-def]
    label = pki.party("bad-not-yet-valid").token_label or "bad-not-yet-valid"
    opened: list[tuple[bool, str]] = []  # (count_low, warning shown) per dialog opened
    doctor.doctor.pin_source.dialog_opened.connect(
        lambda d: opened.append((d.request.count_low, d.warning.text())))

    def run_test(pin: str) -> None:
        item = doctor.doctor.find_token_item(label)
        assert item is not None
        doctor.doctor.tokens_tree.setCurrentItem(item)
        doctor.doctor.last_test = None
        qtbot.mouseClick(doctor.doctor.test_button, Qt.MouseButton.LeftButton)
        answer_pin(qtbot, pin)
        qtbot.waitUntil(lambda: doctor.doctor.last_test is not None, timeout=60_000)

    run_test("00000000")
    assert len(opened) == 1  # the wrong PIN was not retried, not even once
    assert doctor.doctor.error_view.message is not None
    assert doctor.doctor.error_view.message.code == "token.pin_incorrect"
    assert doctor.doctor.error_view.headline.isVisible()
    assert doctor.doctor.test_result.text().startswith("Test failed")
    assert not open_pin_dialogs()

    # Next time the token reports the earlier failure, and the dialog warns about it.
    run_test(pki.user_pin)
    assert len(opened) == 2
    assert opened[0] == (False, "")
    assert opened[1][0] and "wrong PIN was entered" in opened[1][1]
    # Signing now works; the token has no encryption certificate, which the test says plainly.
    result = doctor.doctor.last_test
    assert result is not None and [s.name for s in result.steps] == ["sign", "verify"]
    assert doctor.doctor.error_view.message is not None
    assert doctor.doctor.error_view.message.code == "token.key_not_found"


def test_cancelling_the_pin_stops_the_test(qtbot, doctor: CaDoctorDialog, pki) -> None:  # type: ignore[no-untyped-def]
    item = doctor.doctor.find_token_item(pki.party("ent-b").token_label or "ent-b")
    assert item is not None
    doctor.doctor.tokens_tree.setCurrentItem(item)
    qtbot.mouseClick(doctor.doctor.test_button, Qt.MouseButton.LeftButton)
    answer_pin(qtbot, None)
    qtbot.waitUntil(lambda: doctor.doctor.last_test is not None, timeout=60_000)
    assert doctor.doctor.error_view.message is not None
    assert doctor.doctor.error_view.message.code == "token.pin_cancelled"


def _ca_and_leaf(days_left: int, tmp_path: Path
                 ) -> tuple[x509.Certificate, x509.Certificate, x509.CertificateRevocationList]:
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Expiry Test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now - dt.timedelta(days=10)).not_valid_after(now + dt.timedelta(days=900))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Soon Expiring Ltd")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - dt.timedelta(days=300))
            .not_valid_after(now + dt.timedelta(days=days_left, hours=2))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
            .sign(ca_key, hashes.SHA256()))
    crl = (x509.CertificateRevocationListBuilder().issuer_name(ca_name).last_update(now - dt.timedelta(hours=1))
           .next_update(now + dt.timedelta(days=7)).sign(ca_key, hashes.SHA256()))
    return ca, leaf, crl


@pytest.mark.parametrize(("days", "level"), [(12, 15), (25, 30), (80, 90), (200, 0)])
def test_expiry_warnings_at_90_30_15_days(qapp, tmp_path: Path, days: int, level: int) -> None:  # type: ignore[no-untyped-def]
    ca, leaf, crl = _ca_and_leaf(days, tmp_path)
    assessment = assess(leaf, TrustList.of([ca], [crl]), "signing")
    assert assessment.kind == TRUSTED
    assert assessment.days_left == days
    assert assessment.warning_level == level
    status, step = explain(assessment)
    if level:
        assert f"expires in {days} days" in status
        assert "Renew only after the opening of" in step
    else:
        assert status.startswith("Trusted: valid until") and step == "Nothing to do."
    # Without the CA's CRL its revocation is not known (the certificate names no CRL or OCSP address).
    unchecked = assess(leaf, TrustList.of([ca]), "signing")
    assert unchecked.kind == TRUSTED and not unchecked.revocation_checked
    status, step = explain(unchecked)
    assert status.startswith("Trusted as far as known") and step != "Nothing to do."


# --- issue 9 point 8: say only what was checked --------------------------------------------------------


def _select_pair(doctor: CaDoctorDialog, token_label: str, index: int = 0) -> None:
    item = doctor.doctor.find_token_item(token_label)
    assert item is not None
    doctor.doctor.tokens_tree.setCurrentItem(item.child(index))


def _run_test(qtbot, doctor: CaDoctorDialog, pki, token_label: str) -> None:  # type: ignore[no-untyped-def]
    item = doctor.doctor.find_token_item(token_label)
    assert item is not None
    doctor.doctor.tokens_tree.setCurrentItem(item)
    doctor.doctor.last_test = None
    qtbot.mouseClick(doctor.doctor.test_button, Qt.MouseButton.LeftButton)
    answer_pin(qtbot, pki.user_pin)
    qtbot.waitUntil(lambda: doctor.doctor.last_test is not None and not doctor.doctor.busy, timeout=60_000)


def test_a_certificate_whose_ocsp_answer_is_missing_is_not_nothing_to_do(qtbot, window: MainWindow, pki,  # type: ignore[no-untyped-def]
                                                                          pki_server_down) -> None:
    # rsa-ca's OCSP responder is down: bad-revoked-ocsp (revoked only in OCSP) cannot be called trusted.
    doctor = _open_doctor(qtbot, window)
    rows = _status(doctor, pki.party("bad-revoked-ocsp").token_label or "bad-revoked-ocsp")
    assert rows[0][1].startswith("Trusted as far as known"), rows
    assert "revocation could not be fully checked" in rows[0][1]
    assert rows[0][2] != "Nothing to do."
    _select_pair(doctor, pki.party("bad-revoked-ocsp").token_label or "bad-revoked-ocsp")
    assert "Warning: a revocation source could not be used" in doctor.doctor.details.toPlainText()


def test_details_say_how_revocation_was_checked_and_name_attributes(qtbot, doctor: CaDoctorDialog, pki) -> None:  # type: ignore[no-untyped-def]
    _select_pair(doctor, pki.party("ent-b").token_label or "ent-b")
    text = doctor.doctor.details.toPlainText()
    assert "Revocation: not revoked according to the CRL of bidclient Dev EC Issuing CA 1 issued " in text
    assert "Revocation: CA bidclient Dev EC Issuing CA 1: not revoked according to the CRL of bidclient Dev EC " \
        "Root CA" in text
    _select_pair(doctor, pki.party("ent-a-ec").token_label or "ent-a-ec")
    text = doctor.doctor.details.toPlainText()
    assert "serialNumber=91110108MA01B2C3D0" in text
    assert "2.5.4." not in text


def test_the_self_test_does_not_promise_the_opening_when_trust_was_not_checked(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow, pki, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDCLIENT_TRUST", "")  # and no trust folder in the private config: no trust list
    doctor = _open_doctor(qtbot, window)
    label = pki.party("ent-a").token_label or "ent-a"
    _run_test(qtbot, doctor, pki, label)
    assert doctor.doctor.last_test is not None and doctor.doctor.last_test.passed
    text = doctor.doctor.test_result.text()
    assert "can open it at the opening" not in text and not text.startswith("Test passed")
    assert "whether the platform accepts its certificates could not be fully checked" in text
    assert "no trust list is configured" in text


def test_the_test_result_goes_away_when_another_dongle_is_chosen(qtbot, doctor: CaDoctorDialog, pki) -> None:  # type: ignore[no-untyped-def]
    tested = pki.party("ent-a").token_label or "ent-a"
    _run_test(qtbot, doctor, pki, tested)
    assert doctor.doctor.test_result.text().startswith("Test passed")
    other = doctor.doctor.find_token_item(pki.party("ent-b").token_label or "ent-b")
    doctor.doctor.tokens_tree.setCurrentItem(other)
    assert doctor.doctor.test_result.text() == ""
    _select_pair(doctor, tested)  # back to the tested dongle (one of its certificates): its result again
    assert doctor.doctor.test_result.text().startswith("Test passed")
