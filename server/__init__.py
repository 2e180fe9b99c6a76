"""The bidclient server component (FastAPI). Imports bidclient.protocol and crypto, never ui."""
