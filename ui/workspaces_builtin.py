"""Importing this module registers the workspaces the app ships (see ui.workspaces)."""

from __future__ import annotations

import ui.bidder_home  # noqa: F401  (registers role "bidder")
