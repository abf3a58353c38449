"""Memory of a server and everything it started, read from /proc (Linux): for the benchmarks' memory lines."""

from __future__ import annotations

import os
from pathlib import Path


def family(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    pids, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            children = [int(c) for c in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()]
        except OSError:
            children = []
        pids += children
        frontier += children
    return pids


def memory_of(pid: int) -> tuple[float, float]:
    """RSS and PSS in MB of ``pid`` and all its descendants (PSS counts shared pages once)."""
    rss = pss = 0
    for p in family(pid):
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            pass
    return rss / 1024, pss / 1024


def server_started_here(port: int) -> int | None:
    """The pid of the `tradekg serve --port PORT` this process started, if there is one."""
    try:
        children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
    except OSError:
        return None
    for child in children:
        try:
            argv = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"serve" in argv and str(port).encode() in argv:
            return int(child)
    return None
