"""API and file schemas shared by the client and the server (pydantic v2). No I/O here."""
