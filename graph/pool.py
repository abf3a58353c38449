"""Worker processes for /sparql, so that a query past its deadline is really stopped.

pyoxigraph cannot interrupt a running query, and a thread cannot be killed; a process can. Each
worker opens the store read-only (several processes may) and answers one job at a time over a
socket pair. On a timeout the worker is killed and a fresh one started in its place; the client
gets :class:`QueryTimeout`. Workers are started as ``python -m tradekg.graph.worker`` rather than
forked (the server is multi-threaded) or spawned by multiprocessing (which re-imports the
caller's main module, whatever script that is).
"""

from __future__ import annotations

import queue
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from .errors import StoreError, TradeKGError
from .worker import Answer, Job

STARTUP_S = 60.0  # a worker's start (interpreter, imports, opening the store) is not the query's time


class QueryTimeout(TradeKGError):
    """A query ran past the configured wall-clock limit and was stopped."""


class PoolBusy(TradeKGError):
    """Every worker stayed busy for the whole timeout."""


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen
    conn: Connection
    ready: bool = False
    started: float = field(default_factory=time.monotonic)


class QueryPool:
    """A fixed number of query worker processes over one store folder, started on first use
    (so an app that serves only JSON starts no processes)."""

    forwards = False

    def __init__(self, path: Path, size: int, timeout_s: float):
        self.path, self.size, self.timeout_s = path, size, timeout_s
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self.killed = 0  # workers stopped on a timeout (for tests and logs)

    def warm_up(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        for _ in range(self.size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        parent, child = socket.socketpair()
        with child:
            process = subprocess.Popen([sys.executable, "-m", "tradekg.graph.worker", str(child.fileno()),
                                        str(self.path)], pass_fds=[child.fileno()], stdin=subprocess.DEVNULL)
        w = _Worker(process, Connection(parent.detach()))
        with self._lock:
            self._all.add(w)
        return w

    def _stop(self, w: _Worker) -> None:
        with self._lock:
            self._all.discard(w)
        w.process.kill()
        w.process.wait(timeout=5)
        w.conn.close()

    def _await_ready(self, w: _Worker) -> None:
        if w.ready:
            return
        if not w.conn.poll(STARTUP_S):
            raise StoreError(f"a query worker did not start within {STARTUP_S:.0f} s")
        hello: Answer = w.conn.recv()
        if not hello.ok:
            raise StoreError(hello.message)
        w.ready = True

    def run(self, job: Job) -> Answer:
        """The job's answer, or QueryTimeout after ``timeout_s`` of waiting for a worker plus running."""
        self.warm_up()
        deadline = time.monotonic() + self.timeout_s
        try:
            w = self._idle.get(timeout=self.timeout_s)
        except queue.Empty:
            raise PoolBusy(f"all {self.size} query workers stayed busy for {self.timeout_s:g} s; "
                           "try again later") from None
        healthy = False
        try:
            self._await_ready(w)
            w.conn.send(job)
            if not w.conn.poll(max(deadline - time.monotonic(), 0.0)):
                self.killed += 1
                raise QueryTimeout(f"the query ran longer than the {self.timeout_s:g} s limit and was stopped; "
                                   "narrow it (LIMIT, more specific patterns) or ask for a longer timeout")
            answer = w.conn.recv()
            healthy = True
            return answer
        except (EOFError, OSError) as e:
            raise StoreError(f"a query worker failed: {e}") from e
        finally:
            if not healthy:  # timed out, died or misbehaved: replace it
                self._stop(w)
                w = self._start()
            self._idle.put(w)

    def refresh(self) -> None:
        """Replace every idle worker (after an update: read-only handles see the store as it was opened)."""
        if not self._started:
            return
        for _ in range(self.size):
            try:
                w = self._idle.get(timeout=self.timeout_s)
            except queue.Empty:
                break
            self._stop(w)
            self._idle.put(self._start())

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
        for w in workers:
            self._stop(w)
