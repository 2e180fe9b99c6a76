"""Importing this module registers the workspaces the app ships (see ui.workspaces)."""

from __future__ import annotations

# Registers role "bidder" (bid preparation), replacing the placeholder ui.bidder_home registers.
import ui.bidder.workspace

# Registers role "opening" (the hosts' opening terminal and the hall display).
import ui.opening.workspace  # noqa: F401
