"""One opening followed by the workspace: its view (bidclient.opening_host.HostView), reloaded when a live
event of its channel arrives, and the host's actions, each a ui.workers.Task calling a core service.

Pages and the hall display listen to ``view_changed`` and ask ``actions()`` what the state allows; they
hold no flow logic. Reloads are coalesced: an event that arrives while one runs makes exactly one more,
so a burst of events costs two requests, and nothing polls — only a 1-second timer re-evaluates the
countdown on the server clock without touching the network.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from bidclient import opening_host as oh
from bidclient.api_client import ApiClient
from bidclient.live import ConnectionState
from bidclient.signin import signed_in_fingerprint
from ui.context import AppContext
from ui.live_adapter import LiveChannel
from ui.workers import Task, TaskContext, start

# A PIN dialog closed without a PIN, a question answered no, a job cancelled: nothing was done, by choice.
CANCELLED = frozenset({"token.pin_cancelled", "crypto.cancelled", "opening.cancelled", "handover.cancelled",
                       "job.cancelled"})


class OpeningController(QObject):
    view_changed = Signal(object)  # HostView
    tick = Signal()  # once a second: the countdown and the time-dependent actions
    busy_changed = Signal(bool)  # an action runs
    failed = Signal(object)  # an exception of a load or an action, for the ErrorView
    succeeded = Signal(str, object)  # the action's name and its result
    declined = Signal(str)  # the action's name: the person cancelled (no PIN, said no); nothing was done
    live_state = Signal(object)  # ConnectionState
    tender_changed = Signal(str)

    def __init__(self, context: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.tender_id = ""
        self.view: oh.HostView | None = None
        self.live: LiveChannel | None = None
        self.live_connection: ConnectionState = ConnectionState.OFFLINE
        self.action: Task | None = None
        self.action_name = ""
        self._load: Task | None = None
        self._again = False
        self._generation = 0
        self._closed = False  # shut down: nothing is loaded or followed until a tender is chosen again
        self.loads = 0  # completed loads (tests: the view followed an event)
        self.clock = QTimer(self)
        self.clock.setInterval(1000)
        self.clock.timeout.connect(self.tick)
        self.clock.start()
        context.session_changed.connect(self._session_changed)  # a bound slot: disconnected when deleted

    def _session_changed(self, _session: object) -> None:
        self.set_tender(self.tender_id)  # as the new person (or nobody): their part, their actions

    # --- the clock ---

    def now(self) -> datetime:
        client = self.context.client()
        return client.server_now() if client is not None else datetime.now(UTC)

    def countdown(self) -> oh.Countdown | None:
        return oh.countdown(self.view, self.now()) if self.view is not None else None

    def actions(self) -> oh.HostActions:
        if self.view is None or self.action is not None:
            return oh.HostActions()
        return oh.actions(self.view, self.now())

    @property
    def busy(self) -> bool:
        return self.action is not None

    # --- following one opening ---

    def set_tender(self, tender_id: str) -> None:
        """Follow ``tender_id`` (empty: none): load it, then follow its live channel."""
        self._stop_live()
        self._generation += 1
        self._closed = False
        self.tender_id = tender_id.strip()
        self.view = None
        self.view_changed.emit(None)
        self.tender_changed.emit(self.tender_id)
        if self.tender_id and self.context.client() is not None:
            self.refresh()

    def refresh(self) -> None:
        """Load the opening again (coalesced with a load already running)."""
        client = self.context.client()
        session = self.context.session
        if client is None or session is None or not self.tender_id or self._closed:
            return
        if self._load is not None:
            self._again = True
            return
        self._again = False
        tender, me, generation = self.tender_id, session.account.identity_key, self._generation
        task = Task(lambda _ctx: oh.load_view(client, tender, me), name="opening-load")
        task.signals.succeeded.connect(lambda view: self._loaded(generation, view))
        task.signals.failed.connect(lambda ex: self._load_failed(generation, ex))
        task.signals.finished.connect(self._load_done)
        self._load = start(task)

    def _loaded(self, generation: int, view: oh.HostView) -> None:
        if generation != self._generation:
            return
        self.view = view
        self.loads += 1
        if self.live is None:
            self._start_live()
        self.view_changed.emit(view)

    def _load_failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self.failed.emit(error)

    def _load_done(self) -> None:
        self._load = None
        if self._again:
            self.refresh()

    def _start_live(self) -> None:
        client = self.context.client()
        if client is None:
            return
        live = LiveChannel(client, f"opening:{self.tender_id}", parent=self)
        live.received.connect(lambda _event: self.refresh())
        live.state_changed.connect(self._live_state)
        live.failed.connect(self.failed)
        self.live = live
        live.start()

    def _live_state(self, state: ConnectionState) -> None:
        reconnected = state is ConnectionState.CONNECTED and self.live_connection is not ConnectionState.CONNECTED
        self.live_connection = state
        self.live_state.emit(state)
        if reconnected and self.view is not None:
            self.refresh()  # events missed meanwhile arrive anyway; this makes the clock offset fresh too

    def _stop_live(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live.deleteLater()
            self.live = None
        self.live_connection = ConnectionState.OFFLINE
        self.live_state.emit(ConnectionState.OFFLINE)

    def shutdown(self) -> None:
        """Stop following (the app quits): loads still under way are dropped, the live channel is closed.
        Choosing a tender again follows it anew."""
        self._generation += 1
        self._again = False
        self._closed = True
        self._stop_live()

    def resume(self) -> None:
        """Load again, and follow again after a shutdown."""
        self._closed = False
        self.refresh()

    # --- actions ---

    def run(self, name: str, job: Callable[[ApiClient, TaskContext], Any]) -> Task | None:
        """Run one action on a worker with the signed-in client; reload when it ends (success or not: a
        refusal such as opening.state_conflict means the opening moved on). One action at a time."""
        client = self.context.client()
        if client is None or self.action is not None or not self.tender_id:
            return None
        task = Task(lambda ctx: job(client, ctx), name=f"opening-{name}")
        task.signals.succeeded.connect(lambda result: self.succeeded.emit(name, result))
        task.signals.failed.connect(lambda error: self._action_failed(name, error))
        task.signals.finished.connect(self._action_done)
        self.action, self.action_name = task, name
        self.busy_changed.emit(True)
        return start(task)

    def _action_failed(self, name: str, error: BaseException) -> None:
        if getattr(error, "code", "") in CANCELLED:
            self.declined.emit(name)  # not an error: the person chose not to go on
        else:
            self.failed.emit(error)

    def _action_done(self) -> None:
        self.action, self.action_name = None, ""
        self.busy_changed.emit(False)
        self.refresh()

    def cancel(self) -> None:
        if self.action is not None:
            self.action.cancel()

    @property
    def step(self) -> int:
        """The step of the opening as last shown: what every host action says it decided on."""
        return self.view.opening.step if self.view is not None else 0

    def certificate_sha256(self) -> Callable[[], str]:
        """For a job (it may look at the plugged-in dongles): the SHA-256 of the certificate the host signed in
        with; after a restart, the one signing certificate of the host's identity on the plugged-in dongles."""
        session = self.context.session

        def fingerprint() -> str:
            return signed_in_fingerprint(session) if session is not None else ""

        return fingerprint
