"""Importing this module registers the workspaces the app ships (see ui.workspaces)."""

# isort: skip_file
# The order of the imports is the order of the workspaces in the role switcher.

from __future__ import annotations

# Registers role "bidder" (bid preparation), replacing the placeholder ui.bidder_home registers.
import ui.bidder.workspace
# Registers role "agency" (the evaluation committee's draw).
import ui.agency.workspace
# Registers role "opening" (the hosts' opening terminal and the hall display).
import ui.opening.workspace
# Registers role "committee" (the opening committee's members: key ceremony, remedy at the opening).
import ui.committee.workspace
# Registers role "expert" (invitations to committees, the expert's own record, the evaluation sessions).
import ui.evaluation.workspace
# Registers role "supervisor" (the read-only live view of evaluation sessions).
import ui.supervisor.workspace
# Registers role "admin" (the expert pool: table, status changes, CSV import and export, specialties).
import ui.admin.workspace  # noqa: F401
