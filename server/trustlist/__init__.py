"""The published, signed trust list (the CA certificates and CRLs the server validates against)."""
