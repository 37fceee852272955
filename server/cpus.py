"""Keeps each server worker process on a CPU of its own (Linux only).

A query is handed from the event loop to a query thread and its answer back: two wake-ups of a
sleeping thread, which cost more than a small query itself when the threads sit on different
CPUs (on a 2-CPU virtual machine, ~100 us of CPU for an empty round trip, against ~20 us on one
CPU). Workers therefore take different CPUs; the executor lets a query that runs long use any.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path


def claim_cpu() -> tuple[int, frozenset[int]] | None:
    """Pin this process to a CPU no sibling worker holds; the CPU and all CPUs it may use.

    None where affinity is not supported or there is only one CPU to use.
    """
    if not hasattr(os, "sched_setaffinity"):
        return None
    allowed = frozenset(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    # Siblings start together: choose and pin under a lock their parent's id names.
    with open(lock_path(os.getppid()), "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        taken = [cpu for pid in _siblings() for cpu in _pinned_cpu(pid, allowed)]
        cpu = min(sorted(allowed), key=lambda c: (taken.count(c), c))
        os.sched_setaffinity(0, {cpu})
    return cpu, allowed


def lock_path(supervisor: int) -> Path:
    """The file the workers of one supervisor choose their CPUs under (it removes it)."""
    return Path(tempfile.gettempdir()) / f"skillsgap-cpus-{supervisor}.lock"


def _siblings() -> list[int]:
    parent = os.getppid()
    try:
        children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children if int(pid) != os.getpid()]


def _pinned_cpu(pid: int, allowed: frozenset[int]) -> list[int]:
    """The CPU a sibling is pinned to (none if it may use several)."""
    try:
        cpus = os.sched_getaffinity(pid)
    except OSError:
        return []
    return list(cpus) if len(cpus) == 1 and cpus <= allowed else []
