"""The demo opens the app ready to sign in: the sign-in dialog shows the demo enterprise's dongle chosen."""

from __future__ import annotations


def test_preferred_dongle_is_preselected_when_tokens_are_listed(qtbot, window, pki) -> None:  # type: ignore[no-untyped-def]
    dialog = window.open_sign_in()
    dialog.prefer_token("ent-a-ec")  # before the listing arrives: applied when it does
    qtbot.waitUntil(lambda: not dialog.busy and dialog.key_combo.count() > 0, timeout=60_000)
    assert "token=ent-a-ec" in str(dialog.key_combo.currentData())
    assert "ent-a-ec" in dialog.key_combo.currentText()
    dialog.prefer_token("ent-b")  # after it: applied at once
    assert "token=ent-b" in str(dialog.key_combo.currentData())
