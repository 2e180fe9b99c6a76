"""Importing this module registers the workspaces the app ships (see ui.workspaces)."""

from __future__ import annotations

# Registers role "bidder" (bid preparation), replacing the placeholder ui.bidder_home registers.
import ui.bidder.workspace

# Registers role "supervisor" (the read-only live view of evaluation sessions).
import ui.supervisor.workspace  # noqa: F401
