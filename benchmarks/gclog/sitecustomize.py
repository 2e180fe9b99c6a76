"""Benchmark instrumentation, not product code: log the server's garbage collections.

    python3 benchmarks/deadline_rush.py --server-pythonpath benchmarks/gclog

Python imports ``sitecustomize`` at start-up from its path, so the server process (and each of its worker
processes) logs every collection longer than 10 ms and every full one, one line each, to
``$BENCH_GC_LOG_DIR/gc-<pid>.log`` (default /tmp): wall time, generation, duration, objects collected and,
for a full one, the modules loaded, the objects left in the oldest generation and the frozen ones. A
callback only: it adds no work to a collection except for the count after a full one.
"""

from __future__ import annotations

import gc
import os
import sys
import time
from typing import Any

_out = open(os.path.join(os.environ.get("BENCH_GC_LOG_DIR", "/tmp"), f"gc-{os.getpid()}.log"), "a",
            buffering=1, encoding="utf-8")
_started = [0.0]


def _log(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _started[0] = time.perf_counter()
        return
    ms = (time.perf_counter() - _started[0]) * 1000
    generation = info["generation"]
    if ms > 10 or generation == 2:
        extra = (f" mods={len(sys.modules)} old={len(gc.get_objects(2))} frozen={gc.get_freeze_count()}"
                 if generation == 2 else "")
        _out.write(f"{time.time():.3f} gen{generation} {ms:.1f}ms collected={info['collected']}{extra}\n")


gc.callbacks.append(_log)
