"""The supervisor's workspace: a read-only live view of the evaluation sessions and their audit trail."""
