"""The Opening workspace (开标): the hosts' opening terminal, the supervisors' read-only view, and the hall
display (see ui/opening/workspace.py)."""
