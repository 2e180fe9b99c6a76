"""Workspaces: one QWidget per role (bidder now; opening and evaluation later), chosen in the main window.

How to add a workspace
----------------------
1. Write a ``QWidget`` subclass in its own module under ``ui/`` (e.g. ``ui/bidder/workspace.py``). Its
   constructor takes ``(context: ui.context.AppContext, parent: QWidget | None)``. From the context it
   gets ``settings`` (QSettings), ``session`` / ``client()`` (the signed-in ApiClient, or None) and the
   ``session_changed`` signal; ``context.pin_source`` is the app's QtPrompter for token work on workers
   (see ui.workers.Task). It must not block the GUI thread, must give every interactive child an
   accessible name, show server text with ``Qt.PlainText``, and re-read its texts on
   ``QEvent.LanguageChange`` (translate with ``self.tr``; then run ``resources/translations/update.sh``
   and translate the new strings in the .ts file).
2. Register it at import time of its module, and import that module in ``ui/workspaces_builtin.py``::

       register_workspace(WorkspaceSpec(
           role="bidder",
           title=lambda: QCoreApplication.translate("Workspaces", "Bidder"),
           factory=BidderWorkspace,
       ))

   Registering the same role again replaces the earlier widget (so the bid-preparation workspace
   replaces the placeholder by registering ``"bidder"``). Roles appear in the switcher in registration
   order; the window shows the last one used (QSettings ``ui/role``).
3. Optional hooks the main window calls when present: ``workspace_activated()`` when the user switches
   to it, and ``can_close() -> bool`` before the app quits (return False to keep work from being lost).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from ui.context import AppContext

WorkspaceFactory = Callable[[AppContext, QWidget | None], QWidget]


@dataclass(frozen=True)
class WorkspaceSpec:
    role: str  # stable id, stored in QSettings: "bidder", "opening", "evaluation"
    title: Callable[[], str]  # translated at call time, so a language switch renames it
    factory: WorkspaceFactory


_REGISTRY: dict[str, WorkspaceSpec] = {}


def register_workspace(spec: WorkspaceSpec) -> None:
    _REGISTRY[spec.role] = spec


def registered_workspaces() -> list[WorkspaceSpec]:
    return list(_REGISTRY.values())


def unregister_workspace(role: str) -> None:
    _REGISTRY.pop(role, None)
