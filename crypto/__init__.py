"""Cryptographic core of bidclient: tokens, trust, CMS. Imports nothing from the project."""
