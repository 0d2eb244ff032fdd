"""Where the two cores go during the load test: the CPU of each family of processes, from /proc.

`loadtest/run.sh` runs this beside locust. It samples every process of the machine twice a second until
it is stopped (SIGTERM or SIGINT), then writes JSON: for each family (granian, postgres, locust, worker,
other) the CPU seconds and the cores it used (CPU seconds over wall seconds), and how busy the whole
machine was (core.bench_import.CpuByFamily: a process that ends keeps the CPU last seen).
"""
from __future__ import annotations

import json
import signal
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.bench_import import CpuByFamily  # noqa: E402


def _machine() -> tuple[int, int]:
    """Busy and total CPU ticks of the whole machine so far (/proc/stat; idle and iowait are not busy)."""
    with open("/proc/stat") as f:
        ticks = [int(v) for v in f.readline().split()[1:]]
    return sum(ticks) - ticks[3] - ticks[4], sum(ticks)


class Sampler(CpuByFamily):
    """CPU by family from the moment it is made, with the wall time and the machine's busy share."""

    def __init__(self):
        self.started, self.machine = time.monotonic(), _machine()
        super().__init__()

    def result(self) -> dict:
        """{"seconds", "busy_percent", "cpu_seconds": {family: s}, "cores": {family: cores}} since it was made."""
        self.poll()
        seconds = time.monotonic() - self.started
        used = self.seconds()
        busy, total = _machine()
        return {"seconds": round(seconds, 1),
                "busy_percent": round(100 * (busy - self.machine[0]) / max(1, total - self.machine[1])),
                "cpu_seconds": {name: round(value, 2) for name, value in used.items()},
                "cores": {name: round(value / seconds, 2) for name, value in used.items()}}


def main(out: str) -> None:
    """Sample until stopped, then write the figures to `out`."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_args: stop.set())
    sampler = Sampler()
    while not stop.wait(0.5):
        sampler.poll()
    Path(out).write_text(json.dumps(sampler.result()))


if __name__ == "__main__":
    main(sys.argv[1])
