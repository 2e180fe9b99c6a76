"""The desktop side of live updates: events from a real server arrive as signals on the GUI thread, and the
status-bar indicator follows the connection (live, then reconnecting/offline when the server goes away)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QMainWindow

import tests.server.conftest as server_fixtures
from bidclient.api_client import ApiClient
from bidclient.live import ConnectionState
from bidclient.protocol.live import LiveEventOut
from tests.server.conftest import start_server
from tests.server.live_helpers import publish
from tests.server.submission_helpers import login, make_tender
from ui.live_adapter import ConnectionIndicator, LiveChannel

# The server tests' fixtures: a real server data directory (SQLite here) with the dev PKI trusted.
backend = server_fixtures.backend
pg_cluster = server_fixtures.pg_cluster
server_data = server_fixtures.server_data


@pytest.mark.parametrize("backend", ["sqlite"])
def test_indicator_and_events_follow_a_real_server(qtbot, server_data: Path, pki) -> None:  # type: ignore[no-untyped-def]
    server = start_server(server_data, "")
    window = QMainWindow()
    qtbot.addWidget(window)
    indicator = ConnectionIndicator()
    window.statusBar().addPermanentWidget(indicator)
    window.show()
    assert indicator.text() == "● Offline"
    channel = f"tender:{make_tender(server_data)}"
    token = login(server.url, pki, "ent-a").client.token
    live = LiveChannel(ApiClient(server.url, token=token), channel, backoff=(0.1, 0.3), offline_after=2)
    live.state_changed.connect(indicator.set_state)
    received: list[tuple[int, bool]] = []
    app_thread = QApplication.instance().thread()  # type: ignore[union-attr]
    live.received.connect(lambda ev: received.append((ev.seq, QThread.currentThread() is app_thread)))
    try:
        live.start()
        qtbot.waitUntil(lambda: indicator.state is ConnectionState.CONNECTED, timeout=20000)
        assert indicator.text() == "● Live"
        assert "Connected" in indicator.toolTip()
        with qtbot.waitSignal(live.received, timeout=20000) as got:
            publish(server_data, channel, "test.note", {"n": 1})
        assert isinstance(got.args[0], LiveEventOut) and got.args[0].payload == {"n": 1}
        assert received == [(1, True)]  # delivered on the GUI thread
        server.stop()
        qtbot.waitUntil(lambda: indicator.state is ConnectionState.OFFLINE, timeout=20000)
        assert indicator.text() == "● Offline"
        assert live.last_seq == 1
    finally:
        live.stop()
        server.stop()
    assert not live.is_running()
