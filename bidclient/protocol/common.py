"""Canonical JSON: the exact bytes that are hashed or signed, the same on client and server."""

from __future__ import annotations

import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """UTF-8 JSON with sorted keys and no insignificant whitespace (stable bytes for signing)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
