"""The inner bid package: a ZIP of the bid's files with a signed manifest (docs/formats/sealed-bid.md).

No cryptography here: signing and verification come in as callables, so the package format is
testable on its own. ``writer.write_package`` streams a folder into a package; ``reader.open_package``
treats a package as hostile input and extracts it only when every check passes.
"""
