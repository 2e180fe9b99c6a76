"""Each main screen rendered in zh_CN (offscreen). Set BIDCLIENT_SCREENSHOTS_DIR=docs/screenshots to
refresh the pictures the user guide shows; otherwise they go to a temporary folder and are only checked."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget

from crypto.pin import PinRequest
from tests.ui.test_main_window import _session
from ui.main_window import MainWindow
from ui.pin_dialog import PinDialog


def _save(widget: QWidget, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    QApplication.processEvents()  # let layouts settle after the last text change
    assert widget.grab().save(str(path))
    return path


def _distinct_colours(path: Path) -> int:
    image = QImage(str(path))
    step = max(1, image.width() // 200)
    return len({image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), 4)})


def test_screenshots_of_each_main_screen_in_zh_cn(qtbot, window: MainWindow, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = Path(os.environ.get("BIDCLIENT_SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    window.languages.set_language("zh_CN")
    assert window.file_menu.title() == "文件(&F)"  # retranslated synchronously
    session = _session("北京示例建设工程有限公司")
    window.context.set_session(session)
    shots = [_save(window, folder, "main-window")]

    signin = window.open_sign_in()
    qtbot.waitUntil(lambda: signin.key_combo.count() > 0 and not signin.busy, timeout=60_000)
    signin.select_token(pki.party("ent-a").token_label or "ent-a")
    signin.server_edit.setText("https://ggzy.example.gov.cn")
    shots.append(_save(signin, folder, "sign-in"))
    signin.close()

    doctor = window.open_doctor()
    qtbot.waitUntil(lambda: doctor.doctor.report is not None and not doctor.doctor.busy, timeout=60_000)
    item = doctor.doctor.find_token_item(pki.party("ent-a").token_label or "ent-a")
    assert item is not None
    doctor.doctor.tokens_tree.setCurrentItem(item.child(0))
    shots.append(_save(doctor, folder, "ca-doctor"))

    pin = PinDialog(PinRequest("ent-a-rsa", "0001", count_low=True, final_try=True), window)
    qtbot.addWidget(pin)
    pin.show()
    shots.append(_save(pin, folder, "pin-dialog"))

    for shot in shots:
        assert shot.stat().st_size > 5000
        assert _distinct_colours(shot) > 20  # text was drawn, not a blank window
