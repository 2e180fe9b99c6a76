"""Importing this module registers the workspaces the app ships (see ui.workspaces)."""

from __future__ import annotations

# Registers role "bidder" (bid preparation), replacing the placeholder ui.bidder_home registers.
import ui.bidder.workspace

# isort: split
# Registers role "agency" (the committee draw), after the bidder's: the switcher lists roles in this order.
import ui.agency.workspace  # noqa: F401
