"""CPU time from /proc (Linux): of the gunicorn workers, of the PostgreSQL backends that
serve them, and of the whole machine, so that a run can say how many milliseconds of CPU
a request cost and what else was using the machine meanwhile.

A backend that ends during a run takes its CPU with it from /proc: each worker's
connection is replaced after ``CONN_MAX_AGE`` (production's 60 s), so in a run of a few
minutes several do. Their CPU is not lost, though: the postmaster waits for each of its
children, and the kernel adds a waited-for child's CPU to its parent's ``cutime`` and
``cstime``. So a snapshot also reads the postmaster's children (every one, not only
the client backends) and that sum, and ``database_spent`` adds what the children that
ended in between spent in between. What they spent may include an autovacuum worker's
or a parallel worker's that ended in the run: PostgreSQL's CPU all the same."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
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


def parse_reaped(text: str) -> int:
    """The CPU (user + system, clock ticks) of the children this process has waited for,
    from a /proc/<pid>/stat line: fields 16 and 17 (cutime, cstime)."""
    rest = text[text.rindex(")") + 2 :].split()
    return int(rest[13]) + int(rest[14])


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


def reaped_seconds(pid: int) -> float | None:
    """The CPU seconds of the children ``pid`` has waited for (0 when it has none)."""
    try:
        return parse_reaped((PROC / str(pid) / "stat").read_text()) / TICKS
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return None


def parent_of(pid: int) -> int | None:
    try:
        return parse_stat((PROC / str(pid) / "stat").read_text())[1]
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
    # The postmaster (the backends' parent), what its waited-for children spent, and
    # each of its living children's CPU; None and empty when no backend was given.
    postmaster: int | None = None
    reaped: float | None = None
    postmaster_children: dict[int, float] = field(default_factory=dict)


def take(
    worker_pids: list[int], backend_pids: list[int], postmaster: int | None = None
) -> Snapshot:
    """Each process's CPU now. The postmaster is the first backend's parent unless given
    (pass the first snapshot's to the second, whose backends may all be new)."""

    def cpu_of(pids):
        return {pid: s for pid in pids if (s := cpu_seconds(pid)) is not None}

    if postmaster is None:
        postmaster = next((p for pid in backend_pids if (p := parent_of(pid))), None)
    reaped = kids = None
    if postmaster is not None:
        # The sum first: a child that ends between the two reads is then in neither
        # snapshot's living children, and counted whole in the next snapshot's sum.
        reaped = reaped_seconds(postmaster)
        kids = cpu_of(children(postmaster))
    busy, total = machine()
    return Snapshot(
        cpu_of(worker_pids), cpu_of(backend_pids), busy, total, postmaster, reaped, kids or {}
    )


def spent(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two snapshots by the processes in ``after`` (one that
    started in between counts from zero; one that ended in between is lost here:
    ``database_spent`` finds PostgreSQL's)."""
    return sum(value - before.get(pid, 0.0) for pid, value in after.items())


def ended_spent(before: Snapshot, after: Snapshot) -> float:
    """CPU seconds spent between two snapshots by the postmaster's children that ended
    between them: what the postmaster reaped in between, less what those children had
    spent by the first snapshot (children that started and ended in between count
    whole). 0 when either snapshot has no postmaster, or a different one."""
    if (
        before.postmaster is None
        or before.postmaster != after.postmaster
        or before.reaped is None
        or after.reaped is None
    ):
        return 0.0
    gone = before.postmaster_children.keys() - after.postmaster_children.keys()
    already = sum(before.postmaster_children[pid] for pid in gone)
    return max(0.0, after.reaped - before.reaped - already)


def database_spent(before: Snapshot, after: Snapshot) -> float:
    """PostgreSQL's CPU seconds between two snapshots: the backends living at the second
    (from zero for those that started in between) and every child of the postmaster
    that ended in between."""
    return spent(before.backends, after.backends) + ended_spent(before, after)


def machine_cores_busy(before: Snapshot, after: Snapshot, cores: int) -> float:
    """How many cores were busy on average between the snapshots."""
    total = after.machine_total - before.machine_total
    if total <= 0:
        return 0.0
    return cores * (after.machine_busy - before.machine_busy) / total
