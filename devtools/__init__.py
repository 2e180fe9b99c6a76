"""Developer and demonstration tools: a demo PKI with SoftHSM dongles (``pki``), its OCSP/CRL server
(``ocsp``) and the one-command demonstration (``demo``, ``demo_env``).

Not part of the product: this folder is left out of the wheel (pyproject's package discovery) and of the
desktop bundle (build.spec), no product package imports it (tests/test_layering.py), and its commands
are run from a source checkout with ``scripts/bidclient-dev`` (``python -m devtools``), never by
``bidclient``. See docs/development.md.
"""
