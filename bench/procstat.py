"""CPU time from /proc (Linux): of the gunicorn workers, of the PostgreSQL backends that
serve them, and of the whole machine, so that a run can say how many milliseconds of CPU
a request cost and what else was using the machine meanwhile."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def parse_stat(text: str) -> tuple[int, int, int]:
    """(pid, parent pid, user + system CPU in clock ticks) from a /proc/<pid>/stat line.
    The command name (field 2) is in parentheses and may hold spaces or parentheses, so
    the fields are counted from the last ')'."""
    pid = int(text.split(" ", 1)[0])
    rest = text[text.rindex(")") + 2 :].split()
    # rest[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return pid, int(rest[1]), int(rest[11]) + int(rest[12])


def parse_machine(text: str) -> tuple[int, int]:
    """(busy, total) clock ticks of all CPUs from /proc/stat's first line; idle and
    waiting for I/O count as not busy."""
    fields = [int(v) for v in text.splitlines()[0].split()[1:]]
    # user nice system idle iowait irq softirq steal (guest time is inside user)
    total = sum(fields[:8])
    idle = fields[3] + fields[4]
    return total - idle, total


def cpu_seconds(pid: int) -> float | None:
    try:
        return parse_stat((PROC / str(pid) / "stat").read_text())[2] / TICKS
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return None


def children(parent: int) -> list[int]:
    found = []
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                pid, ppid, _ = parse_stat((entry / "stat").read_text())
            except (FileNotFoundError, ProcessLookupError, ValueError):
                continue
            if ppid == parent:
                found.append(pid)
    return sorted(found)


def machine() -> tuple[int, int]:
    return parse_machine((PROC / "stat").read_text())


@dataclass
class Snapshot:
    workers: dict[int, float]
    backends: dict[int, float]
    machine_busy: int
    machine_total: int


def take(worker_pids: list[int], backend_pids: list[int]) -> Snapshot:
    def cpu_of(pids):
        return {pid: s for pid in pids if (s := cpu_seconds(pid)) is not None}

    busy, total = machine()
    return Snapshot(cpu_of(worker_pids), cpu_of(backend_pids), busy, total)


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two snapshots by the processes in ``after`` (one that
    started in between counts from zero; one that ended in between is lost)."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def machine_cores_busy(before: Snapshot, after: Snapshot, cores: int) -> float:
    """How many cores were busy on average between the snapshots."""
    total = after.machine_total - before.machine_total
    if total <= 0:
        return 0.0
    return cores * (after.machine_busy - before.machine_busy) / total
