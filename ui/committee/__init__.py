"""The opening committee member's workspace (ui/committee/workspace.py)."""
