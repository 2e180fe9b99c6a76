"""Live updates in the desktop app: the core's EventFollower on a thread of its own, as Qt signals, and a
connection-state indicator for the status bar.

Usage::

    live = LiveChannel(api_client, "opening:O-1", after=last_seq_handled)
    live.received.connect(on_event)           # LiveEventOut, on the GUI thread, in order, each once
    indicator = ConnectionIndicator()
    live.state_changed.connect(indicator.set_state)
    window.statusBar().addPermanentWidget(indicator)
    live.start()
    ...
    live.stop()                            # before the window closes

The follower blocks on the network for as long as the channel is followed, so it gets a QThread rather
than a slot of the shared thread pool (which runs the short tasks of ui.workers).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QLabel, QWidget

from bidclient.api_client import ApiClient
from bidclient.live import ConnectionState, EventFollower


class _FollowerThread(QThread):
    received = Signal(object)  # LiveEventOut
    state_changed = Signal(object)  # ConnectionState
    failed = Signal(object)  # the exception that ended following (e.g. ApiError live.forbidden)

    def __init__(self, follower_args: dict[str, object], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.follower = EventFollower(on_event=self.received.emit, on_state=self.state_changed.emit,
                                      **follower_args)  # type: ignore[arg-type]

    def run(self) -> None:
        try:
            self.follower.run()
        except Exception as ex:  # reported as a signal; the GUI thread shows it
            self.failed.emit(ex)


class LiveChannel(QObject):
    """One followed channel. Signals are delivered on the GUI thread (queued across threads)."""

    received = Signal(object)  # LiveEventOut
    state_changed = Signal(object)  # ConnectionState
    failed = Signal(object)

    def __init__(self, client: ApiClient, channel: str, *, after: int = 0, parent: QObject | None = None,
                 **options: object) -> None:
        super().__init__(parent)
        self._thread = _FollowerThread({"client": client.sibling(), "channel": channel, "after": after,
                                        **options}, self)
        self._thread.received.connect(self.received)
        self._thread.state_changed.connect(self.state_changed)
        self._thread.failed.connect(self.failed)

    @property
    def last_seq(self) -> int:
        """The last event delivered: save it to resume from there next time."""
        return self._thread.follower.last_seq

    def start(self) -> None:
        self._thread.start()

    def stop(self, wait_ms: int = 5000) -> None:
        self._thread.follower.stop()
        self._thread.wait(wait_ms)

    def is_running(self) -> bool:
        return self._thread.isRunning()


class ConnectionIndicator(QLabel):
    """A small status-bar label: connected / reconnecting / offline, with a tooltip saying what it means."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state: ConnectionState | None = None
        self.setObjectName("liveConnectionIndicator")
        self.set_state(ConnectionState.OFFLINE)

    @Slot(object)
    def set_state(self, state: ConnectionState) -> None:
        self.state = state
        if state is ConnectionState.CONNECTED:
            self.setText("● " + self.tr("Live"))
            self.setToolTip(self.tr("Connected: updates arrive as they happen."))
            colour = "#2e7d32"
        elif state is ConnectionState.RECONNECTING:
            self.setText("● " + self.tr("Reconnecting…"))
            self.setToolTip(self.tr("The connection dropped; reconnecting. Nothing is missed: every update "
                                    "arrives once the connection is back."))
            colour = "#f9a825"
        else:
            self.setText("● " + self.tr("Offline"))
            self.setToolTip(self.tr("No connection to the server; still trying. Updates missed meanwhile "
                                    "arrive once it is back."))
            colour = "#c62828"
        self.setStyleSheet(f"QLabel#liveConnectionIndicator {{ color: {colour}; }}")
        self.setAccessibleName(self.text().removeprefix("● "))
