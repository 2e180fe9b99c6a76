"""The application core of bidclient (no Qt): sealed bids, CLI, API client."""

__version__ = "0.1.0"
