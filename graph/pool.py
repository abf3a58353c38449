"""Worker processes for /sparql, so that a query past its deadline, over its memory cap or abandoned
by its client is really stopped.

pyoxigraph cannot interrupt a running query, and a thread cannot be killed; a process can. Each
worker answers one job at a time over a socket pair. Workers come from a *launcher*: over a store
folder they are started as ``python -m tradekg.graph.worker`` (each opens the store read-only);
in memory mode they are forked by a fork server holding the graph in memory, so they share its
pages instead of loading a copy each (see :func:`tradekg.graph.worker.zygote`).

Two lanes, so heavy queries cannot starve light ones. Every query starts as *light*; one still
running after ``heavy_after_s`` becomes *heavy* and needs one of ``heavy`` slots, or it is stopped
with :class:`PoolBusy`. The pool keeps ``heavy + reserved`` workers, so at least ``reserved`` of
them are always free for light queries (which finish within ``heavy_after_s``). A query text seen
to be heavy waits for a heavy slot before taking a worker, instead of holding a light one.

While a job runs the pool polls, in short slices: the answer, the deadline (:class:`QueryTimeout`,
so timeouts land within a slice of the budget), the caller's cancel event (a client that went
away: :class:`QueryCancelled`) and the worker's private memory (:class:`QueryMemoryExceeded`).
A worker that was stopped is replaced in the background, so the caller gets its answer at once.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import queue
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import warnings
from collections import OrderedDict
from concurrent.futures import Executor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from .errors import (PoolBusy, QueryCancelled, QueryCrashed, QueryMemoryExceeded, QueryTimeout,  # noqa: F401
                     StoreError, TradeKGError)  # the query errors live in errors.py; imported here for the pool's callers
from .worker import Answer, Job

STARTUP_S = 60.0  # a worker's start (interpreter, imports, opening the store) is not the query's time
SLICE_S = 0.02    # how often a running job's deadline, cancel event and memory are looked at
MEMORY_EVERY_S = 0.1
# the event loop's fast path (QueryPool.run_async): how long an answer is awaited there before a thread takes
# over the waiting, and what it sends and reads itself (a socket buffer's worth, so neither side blocks for long)
FAST_WAIT_S = 0.05
INLINE_QUERY_CHARS = 64 * 1024
INLINE_ANSWER_BYTES = 256 * 1024


@dataclass(frozen=True)
class Limits:
    """What the pool allows a query: time, memory and lane sizes (from the API's settings)."""

    timeout_s: float = 30.0
    heavy: int = 2                  # queries that may run longer than heavy_after_s at once
    reserved: int = 1               # workers kept for light queries on top of those
    heavy_after_s: float = 1.0      # a query still running after this is heavy
    memory_mb: int = 1024           # private memory a worker may add while answering (0 = no cap)


@dataclass(eq=False)
class _Worker:
    pid: int
    conn: Connection
    process: subprocess.Popen | None = None
    generation: int = 0
    ready: bool = False
    baseline: int = 0               # private bytes when ready
    started: float = field(default_factory=time.monotonic)

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.process is not None:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self.conn.close()


class Launcher(Protocol):
    def start(self) -> _Worker: ...

    def close(self) -> None: ...


class ExecLauncher:
    """Workers as fresh interpreters over a store folder (each opens it read-only)."""

    def __init__(self, path: Path, memory_mb: int):
        self.path, self.memory_mb = path, memory_mb

    def start(self) -> _Worker:
        parent, child = socket.socketpair()
        with child:
            process = subprocess.Popen([sys.executable, "-m", "tradekg.graph.worker", str(child.fileno()),
                                        str(self.path), str(self.memory_mb)],
                                       pass_fds=[child.fileno()], stdin=subprocess.DEVNULL)
        return _Worker(process.pid, Connection(parent.detach()), process)

    def close(self) -> None:
        pass


class ForkLauncher:
    """Workers forked from a fork server that holds the in-memory graph (memory mode).

    The fork server itself is forked from the calling process at once, so call this where the
    graph was just loaded and before the web server starts its threads (a later call, after a
    rebuild, forks from a threaded process: safe here, because the child only forks again and
    queries the graph no thread had yet touched)."""

    def __init__(self, db: Any, memory_mb: int):
        from .worker import zygote

        self._lock = threading.Lock()
        self.control, theirs = socket.socketpair()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads: see the docstring
            pid = os.fork()
        if pid == 0:
            try:
                self.control.close()
                zygote(db, theirs, memory_mb)
            finally:
                os._exit(0)
        theirs.close()
        self.pid = pid

    def start(self) -> _Worker:
        ours, theirs = socket.socketpair()
        with self._lock, theirs:
            try:
                socket.send_fds(self.control, [b"w"], [theirs.fileno()])
                reply = self.control.recv(4)
            except OSError as e:
                ours.close()
                raise StoreError(f"the query fork server is gone: {e}") from e
        if len(reply) != 4:
            ours.close()
            raise StoreError("the query fork server is gone")
        return _Worker(struct.unpack("!i", reply)[0], Connection(ours.detach()))

    def apply(self, changes: list[tuple]) -> bool:
        """Have the fork server apply ``changes`` (:func:`tradekg.graph.worker.replay`) to its copy of the graph,
        so that the workers it forks from now on see them; False when it did not."""
        data = pickle.dumps(changes)
        with self._lock:
            try:
                self.control.sendall(b"u" + struct.pack("!Q", len(data)) + data)
                reply = self.control.recv(4, socket.MSG_WAITALL)
            except OSError:
                return False
        return len(reply) == 4 and struct.unpack("!i", reply)[0] == 0

    def close(self) -> None:
        self.control.close()  # the fork server exits when its control socket closes
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def private_bytes(pid: int) -> int:
    """Memory the process has of its own (pages it wrote or that are not shared with its parent)."""
    total = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1]) * 1024
    except (OSError, ValueError):
        return 0
    return total


def _waiting_bytes(w: _Worker) -> int:
    """The size of the message waiting on ``w``'s socket, read from its header without taking it off: the
    framing of :mod:`multiprocessing.connection` (a 4-byte big-endian length; -1 and an 8-byte length past
    2 GB). 0 when the worker closed its end (reading then says so)."""
    peek = socket.socket(fileno=w.conn.fileno())
    try:
        header = peek.recv(12, socket.MSG_PEEK | socket.MSG_DONTWAIT)
    except OSError:
        return 0
    finally:
        peek.setblocking(True)  # as the Connection reads it (a socket made under a default timeout is non-blocking)
        peek.detach()  # the descriptor stays the Connection's
    if len(header) < 4:
        return 0
    size = struct.unpack("!i", header[:4])[0]
    if size == -1:
        return struct.unpack("!Q", header[4:12])[0] if len(header) >= 12 else 2**63
    return size


class _Idle(queue.LifoQueue):
    """The idle workers, last in, first out: the worker that answered last answers next. Each worker's reads copy
    the pages of the shared graph they touch (reference counts), so a worker that just ran has its pages and
    caches warm; rotating through all of them made a repeated query ~1.4x slower (measures: 17 ms against 12).
    A new worker (one that has answered nothing yet) goes below the others, taken only when they are busy."""

    def _put(self, item: _Worker) -> None:  # Queue's documented hook for the order of its items
        if item.ready:
            self.queue.append(item)
        else:
            self.queue.insert(0, item)


class QueryPool:
    """Query worker processes in two lanes (see the module's description), started on first use
    (so an app that serves only JSON starts no processes)."""

    forwards = False

    def __init__(self, launcher: Launcher | Any, limits: Limits, relaunch: Any = None):
        self.limits = limits
        self.size = limits.heavy + limits.reserved
        self.timeout_s = limits.timeout_s
        self._launcher: Launcher = launcher
        self._relaunch = relaunch          # a new launcher after the store changed (memory mode)
        self._generation = 0
        self._idle = _Idle()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._heavy = threading.BoundedSemaphore(limits.heavy)
        self._heavy_texts: OrderedDict[int, None] = OrderedDict()
        self._started = False
        self._closed = False
        self._retired: list[Launcher] = []
        # counters, for tests and logs
        self.killed = 0       # workers stopped on a timeout
        self.cancelled = 0    # workers stopped because their client went away
        self.over_memory = 0  # workers stopped over the memory cap
        self.refused_heavy = 0

    # -- workers -------------------------------------------------------------------------------
    def warm_up(self) -> None:
        with self._lock:
            if self._closed:  # started again after close (an app whose lifespan runs more than once)
                self._closed = self._started = False
                if self._relaunch is not None:  # the closed fork server is gone: a new one
                    self._launcher, self._retired = self._relaunch(), []
            if self._started:
                return
            self._started = True
        for _ in range(self.size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        with self._lock:
            generation, launcher = self._generation, self._launcher
        w = launcher.start()
        w.generation = generation
        with self._lock:
            self._all.add(w)
        return w

    def _stop(self, w: _Worker) -> None:
        with self._lock:
            self._all.discard(w)
        w.kill()

    def _replace(self, w: _Worker) -> None:
        """Stop ``w`` and put a fresh worker in its place, in the background: the caller's answer
        (a timeout, a cancellation) does not wait for the new process."""
        def work() -> None:
            self._stop(w)
            if not self._closed:
                try:
                    self._idle.put(self._start())
                except TradeKGError:
                    pass  # the next query's wait says that no worker is free
        threading.Thread(target=work, name="tradekg-worker-replace", daemon=True).start()

    def _await_ready(self, w: _Worker) -> None:
        if w.ready:
            return
        if not w.conn.poll(STARTUP_S):
            raise StoreError(f"a query worker did not start within {STARTUP_S:.0f} s")
        hello: Answer = w.conn.recv()
        if not hello.ok:
            raise StoreError(hello.message)
        w.ready = True
        w.baseline = private_bytes(w.pid)

    def _take(self, deadline: float, cancel: threading.Event | None) -> _Worker:
        while True:
            if self._closed:
                raise StoreError("the query workers were shut down (the server is stopping)")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PoolBusy(f"no query worker came free within the {self.timeout_s:g} s limit; "
                               "try again later")
            if cancel is not None and cancel.is_set():
                raise QueryCancelled("the client went away before the query started")
            try:
                w = self._idle.get(timeout=min(remaining, 0.1))
            except queue.Empty:
                continue
            if w.generation != self._generation:  # the store changed since this worker started
                self._replace(w)
                continue
            return w

    # -- lanes ---------------------------------------------------------------------------------
    def _known_heavy(self, text: str) -> bool:
        with self._lock:
            return hash(text) in self._heavy_texts

    def _remember_heavy(self, text: str) -> None:
        with self._lock:
            self._heavy_texts[hash(text)] = None
            self._heavy_texts.move_to_end(hash(text))
            while len(self._heavy_texts) > 1024:
                self._heavy_texts.popitem(last=False)

    def _busy_heavy(self) -> PoolBusy:
        self.refused_heavy += 1
        return PoolBusy(f"{self.limits.heavy} long-running queries are already being answered and this one "
                        f"ran longer than {self.limits.heavy_after_s:g} s, so it was stopped to keep the "
                        "endpoint free for short queries; try again later")

    # -- answering -----------------------------------------------------------------------------
    def run(self, job: Job, cancel: threading.Event | None = None, deadline: float | None = None) -> Answer:
        """The job's answer. ``deadline`` (monotonic) defaults to now + the timeout: pass the
        request's arrival time + timeout so that waiting for a worker counts too."""
        if self._closed:
            raise StoreError("the query workers were shut down")
        self.warm_up()
        deadline = deadline if deadline is not None else time.monotonic() + self.timeout_s
        heavy_slot = False
        if self._known_heavy(job.query):  # straight to the heavy lane: wait for a slot, not a light worker
            while not (heavy_slot := self._heavy.acquire(timeout=min(max(deadline - time.monotonic(), 0), 0.1))):
                if time.monotonic() >= deadline:
                    raise PoolBusy(f"all {self.limits.heavy} slots for long-running queries stayed busy "
                                   f"for the {self.timeout_s:g} s limit; try again later")
                if cancel is not None and cancel.is_set():
                    raise QueryCancelled("the client went away before the query started")
        try:
            return self._answer(job, cancel, deadline, heavy_slot)
        finally:
            if heavy_slot:
                self._heavy.release()

    def _answer(self, job: Job, cancel: threading.Event | None, deadline: float, heavy_slot: bool) -> Answer:
        w = self._take(deadline, cancel)
        try:
            self._await_ready(w)
            w.conn.send(job)
        except (EOFError, OSError) as e:
            self._replace(w)
            raise StoreError(f"a query worker failed: {e}") from e
        return self._supervise(w, job, cancel, deadline, heavy_slot, time.monotonic())

    def _supervise(self, w: _Worker, job: Job, cancel: threading.Event | None, deadline: float, heavy_slot: bool,
                   sent: float) -> Answer:
        """Wait for the answer of the job ``w`` was sent at ``sent``, in slices (the module's description); the
        worker goes back to the idle ones after a good answer, else it is replaced."""
        healthy = took_slot = False
        try:
            light_until = sent + self.limits.heavy_after_s
            next_memory = sent + MEMORY_EVERY_S
            cap = self.limits.memory_mb * 2**20
            peak = 0
            while True:
                now = time.monotonic()
                if self._closed:
                    raise StoreError("the query workers were shut down (the server is stopping)")
                if now >= deadline:
                    self.killed += 1
                    raise QueryTimeout(f"the query ran longer than the {self.timeout_s:g} s limit and was "
                                       "stopped; narrow it (LIMIT, more specific patterns) or ask for a longer "
                                       "timeout")
                if cancel is not None and cancel.is_set():
                    self.cancelled += 1
                    raise QueryCancelled("the client went away; the query was stopped")
                if w.conn.poll(min(SLICE_S, deadline - now)):
                    answer = self._receive(w, cap and peak > cap // 2)
                    healthy = True
                    return answer
                if cap and now >= next_memory:
                    next_memory = now + MEMORY_EVERY_S
                    used = private_bytes(w.pid) - w.baseline
                    peak = max(peak, used)
                    if used > cap:
                        self.over_memory += 1
                        raise QueryMemoryExceeded(self._memory_message())
                if not (heavy_slot or took_slot) and now >= light_until:
                    self._remember_heavy(job.query)
                    if not self._heavy.acquire(blocking=False):
                        raise self._busy_heavy()
                    took_slot = True
        except (EOFError, OSError) as e:
            raise StoreError(f"a query worker failed: {e}") from e
        finally:
            if took_slot:
                self._heavy.release()
            self._give_back(w, healthy)

    def _receive(self, w: _Worker, near_cap: bool = False) -> Answer:
        """The answer waiting on ``w``'s socket; a worker that died instead of answering is a crash, or, when it
        was near the memory cap, over memory."""
        try:
            answer = w.conn.recv()
        except (EOFError, OSError) as e:  # died while answering, and not by our hand
            if near_cap:
                self.over_memory += 1
                raise QueryMemoryExceeded(self._memory_message()) from e
            raise QueryCrashed("the query made the query engine crash; simplify it (for example, "
                               "fewer nested groups or shorter expressions)") from e
        if answer.kind == "memory":
            self.over_memory += 1
            raise QueryMemoryExceeded(self._memory_message())
        return answer

    def _give_back(self, w: _Worker, healthy: bool) -> None:
        if healthy and w.generation == self._generation and not self._closed:
            self._idle.put(w)
        else:  # timed out, cancelled, over memory, died, or the store changed: replace it
            self._replace(w)

    async def run_async(self, job: Job, executor: Executor, cancel: threading.Event | None = None,
                        deadline: float | None = None) -> Answer:
        """:meth:`run` for a caller on an event loop, without a thread in the common case.

        A short query to a free worker is sent, awaited for up to ``FAST_WAIT_S`` and read on the loop:
        a thread hop each way was about half of an ``ASK {}``'s round trip. Anything else (no free or ready
        worker, a text known to be heavy or too long to send at once, an answer that takes longer or is
        large) goes to :meth:`run`'s waiting on a thread of ``executor``, with the same limits; the time already
        spent counts against them."""
        loop = asyncio.get_running_loop()
        deadline = deadline if deadline is not None else time.monotonic() + self.timeout_s
        w = self._take_ready_now(job)
        if w is None:
            return await loop.run_in_executor(executor, self.run, job, cancel, deadline)
        sent = time.monotonic()
        try:
            w.conn.send(job)
        except (EOFError, OSError) as e:
            self._replace(w)
            raise StoreError(f"a query worker failed: {e}") from e
        readable = loop.create_future()
        fd = w.conn.fileno()
        loop.add_reader(fd, lambda: readable.done() or readable.set_result(None))
        abandoned = True
        try:
            await asyncio.wait((readable,), timeout=max(min(FAST_WAIT_S, deadline - sent), 0))
            abandoned = False
        finally:
            loop.remove_reader(fd)
            os.set_blocking(fd, True)  # uvloop (libuv) made it non-blocking; the Connection reads whole messages
            if abandoned:  # the caller was cancelled (its client left, the server stops): stop the work, only
                self.cancelled += 1  # now: the replacement closes the socket, and its number may be reused at once
                self._replace(w)
        if readable.done() and _waiting_bytes(w) <= INLINE_ANSWER_BYTES:
            healthy = False
            try:
                answer = self._receive(w)
                healthy = True
                return answer
            finally:
                self._give_back(w, healthy)
        return await loop.run_in_executor(executor, self._supervise, w, job, cancel, deadline, False, sent)

    def _take_ready_now(self, job: Job) -> _Worker | None:
        """A free worker that is ready for ``job`` on the fast path, or None (the caller takes the slow one)."""
        if self._closed or not self._started or len(job.query) > INLINE_QUERY_CHARS or self._known_heavy(job.query):
            return None
        try:
            w = self._idle.get_nowait()
        except queue.Empty:
            return None
        if w.generation == self._generation and (w.ready or w.conn.poll(0)):
            try:
                self._await_ready(w)  # a new worker's greeting is already there: no wait
                return w
            except (EOFError, OSError, StoreError):  # it could not start: the slow path says why with the next one
                self._replace(w)
                return None
        self._idle.put(w)  # the slow path waits for it to start, or replaces it
        return None

    def _memory_message(self) -> str:
        return (f"the query used too much memory (more than {self.limits.memory_mb:,} MB) and was stopped; "
                "narrow it (LIMIT, fewer variables in ORDER BY, more specific patterns)")

    # -- life cycle ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """The store changed (an update, a rebuild): new workers for new queries; workers still
        answering finish their job and are then replaced."""
        if not self._started:
            if self._relaunch is not None:
                old, self._launcher = self._launcher, self._relaunch()
                old.close()
            return
        old = None
        if self._relaunch is not None:
            new = self._relaunch()
            with self._lock:
                old, self._launcher = self._launcher, new
        self._renew()
        if old is not None:  # its fork server goes once its last workers' jobs are over
            self._retired.append(old)
            timer = threading.Timer(self.timeout_s + 5, old.close)
            timer.daemon = True
            timer.start()

    def apply(self, changes: list[tuple]) -> bool:
        """The graph was changed in place (an update in memory mode, :meth:`EmbeddedStore.update`): the fork
        server applies ``changes`` to its copy, and workers forked before are replaced as :meth:`refresh` does.
        False when that could not be done (workers that open the store folder, a fork server gone): the caller
        then loads the graph again and calls :meth:`refresh`."""
        if self._closed:
            return True  # started again, it forks from the graph as it is then
        apply = getattr(self._launcher, "apply", None)
        if apply is None or not apply(changes):
            return False
        self._renew()  # after the fork server applied them: a worker forked before that is of an older generation
        return True

    def _renew(self) -> None:
        """A new generation: idle workers are replaced now, busy ones once their job is over."""
        with self._lock:
            self._generation += 1
        for _ in range(self.size):
            try:
                w = self._idle.get_nowait()
            except queue.Empty:
                break
            self._replace(w)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for w in workers:
            self._stop(w)
        for launcher in (*self._retired, self._launcher):
            launcher.close()
