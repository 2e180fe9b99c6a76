#!/usr/bin/env python3
"""The longest event-loop stall of the desktop app while it seals a large bid on a worker thread.

    python3 benchmarks/ui_event_loop.py [--size 1GiB] [--interval-ms 5] [--workdir DIR] [--runs 1]

A QApplication runs offscreen with a QTimer firing every ``--interval-ms``; each tick records the time
since the previous one. Meanwhile bidclient.sealing.seal runs on a ui.workers.Task (the way the app
runs it: PKCS#12 key opened with crypto.key_access.open_key on the worker, progress reported through
the task's signal to a progress bar). A stall is a gap between ticks: the GUI could not paint or
react for that long. The goal is a maximum gap of 50 ms or less.

The same seal also runs without Qt on the main thread first (the reference), so the cost of keeping
the GUI alive shows as the difference in seal time. Speed is reported, not asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from seal_vs_openssl import PASSWORD, PASSWORD_ENV, human_size, make_material, parse_size  # noqa: E402

GOAL_MS = 50.0
STALL_REPORT_MS = 20.0
STALLS: list[tuple[float, float]] = []  # (seconds after the seal started, gap in ms) of gaps over 20 ms


def _target(opener_cert: Path):  # type: ignore[no-untyped-def]
    from cryptography import x509

    from bidclient import sealing

    cert = x509.load_pem_x509_certificate(opener_cert.read_bytes())
    return sealing.TenderTarget(tender_id="BENCH-UI", tender_version=1, opening_certificates=[cert])


def seal_once(bid_dir: Path, out: Path, p12: Path, opener_cert: Path, *, progress=None, cancel=None) -> float:  # type: ignore[no-untyped-def]
    """Open the key and seal; returns the wall time in seconds."""
    from bidclient import sealing
    from crypto.key_access import open_key
    from crypto.pin import pin_from_source_spec

    if out.exists():
        out.unlink()
    start = time.perf_counter()
    with open_key(str(p12), pin_from_source_spec(f"env:{PASSWORD_ENV}")) as session:
        sealing.seal(bid_dir, out, session=session, target=_target(opener_cert), progress=progress, cancel=cancel)
    return time.perf_counter() - start


def seal_in_app(bid_dir: Path, out: Path, p12: Path, opener_cert: Path, interval_ms: int) -> tuple[float, list[float]]:
    """Seal on a Task inside a running QApplication; returns (seal seconds, tick gaps in ms)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QProgressBar

    from ui.workers import Task, TaskContext, start

    app = QApplication.instance() or QApplication([sys.argv[0]])
    bar = QProgressBar()
    bar.setRange(0, 1000)
    bar.show()
    gaps: list[float] = []
    last = [0.0]
    result: dict[str, object] = {}
    began = time.perf_counter()

    def tick() -> None:
        now = time.perf_counter()
        if last[0]:
            gaps.append((now - last[0]) * 1000)
            if gaps[-1] > STALL_REPORT_MS:
                STALLS.append((last[0] - began, gaps[-1]))
        last[0] = now

    total = sum(p.stat().st_size for p in bid_dir.rglob("*") if p.is_file())

    def job(ctx: TaskContext) -> float:
        return seal_once(bid_dir, out, p12, opener_cert,
                         progress=lambda done: ctx.progress(done * 1000 // max(total, 1), 1000),
                         cancel=ctx.cancelled)

    task = Task(job, name="bench-seal")
    task.signals.progress.connect(lambda done, _total: bar.setValue(done))
    task.signals.succeeded.connect(lambda seconds: result.setdefault("seconds", seconds))
    task.signals.failed.connect(lambda error: result.setdefault("error", error))
    task.signals.finished.connect(app.quit)
    timer = QTimer()
    timer.setInterval(interval_ms)
    timer.timeout.connect(tick)
    timer.start()
    QTimer.singleShot(0, lambda: start(task))
    app.exec()
    timer.stop()
    bar.close()
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return float(result["seconds"]), gaps  # type: ignore[arg-type]


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, default=1 << 30, help="size of the bid's big file (default 1GiB)")
    parser.add_argument("--interval-ms", type=int, default=5, help="timer interval (default 5 ms)")
    parser.add_argument("--runs", type=int, default=1, help="sealings inside the app (default 1)")
    parser.add_argument("--workdir", type=Path, help="where to put the bid and the sealed files (default: a temp dir)")
    args = parser.parse_args(argv)

    os.environ[PASSWORD_ENV] = PASSWORD
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-ui-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print(f"making a {human_size(args.size)} bid in {work} …", flush=True)
        m = make_material(work / "material", args.size)
        out = work / "bid.sealed"
        reference = seal_once(m.bid_dir, out, m.bidder_p12, m.opener_cert)
        print(f"reference seal without Qt:   {reference:8.2f} s", flush=True)
        all_gaps: list[float] = []
        times: list[float] = []
        for _ in range(args.runs):
            seconds, gaps = seal_in_app(m.bid_dir, out, m.bidder_p12, m.opener_cert, args.interval_ms)
            times.append(seconds)
            all_gaps.extend(gaps)
            print(f"seal on a worker in the app: {seconds:8.2f} s ({len(gaps)} timer ticks)", flush=True)
        worst = max(all_gaps, default=0.0)
        print(f"timer interval {args.interval_ms} ms: max gap {worst:.1f} ms, p99 {percentile(all_gaps, 99):.1f} ms, "
              f"p50 {statistics.median(all_gaps) if all_gaps else 0:.1f} ms; "
              f"seal time in app / reference = {statistics.median(times) / reference:.2f}")
        for at, gap in STALLS:
            print(f"  stall of {gap:5.1f} ms starting {at:6.2f} s into the seal")
        print(f"goal: max gap ≤ {GOAL_MS:.0f} ms: {'met' if worst <= GOAL_MS else 'NOT met'}")
        return 0
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
