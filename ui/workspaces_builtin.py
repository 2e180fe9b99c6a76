"""Importing this module registers the workspaces the app ships (see ui.workspaces)."""

from __future__ import annotations

# Registers role "bidder" (bid preparation), replacing the placeholder ui.bidder_home registers.
import ui.bidder.workspace

# Registers role "committee" (the opening committee's members: key ceremony, remedy at the opening).
import ui.committee.workspace  # noqa: F401
