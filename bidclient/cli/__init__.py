"""The `bidclient` command line."""
