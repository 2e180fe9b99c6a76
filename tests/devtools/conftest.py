from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo folder for the bidder, opening and evaluation demos, as a user runs them one after the other
    (`scripts/demo`, then `--opening`, then `--evaluation`): the demo PKI and its SoftHSM dongles, the slow
    part, are made by the first and reused by the others, as scripts/demo reuses them. The tests carry
    ``xdist_group("demo")`` so that they run in one worker (scripts/test uses ``--dist loadgroup``)."""
    return tmp_path_factory.mktemp("shared-demo") / "demo"
