"""Several server processes over one graph in memory: loaded once, then forked (`tradekg serve --workers N`).

uvicorn's own supervisor starts each server process afresh, so in memory mode each would load a copy of the
graph: N times the memory and the start-up. Here the graph is loaded once, in this process, and each server
process is forked from it and shares its pages, as the query workers do (graph/pool.py). This process then
only supervises: it replaces a server process that died, and when a build swaps in a new store it loads the
new graph once, forks a new set of server processes on the same listening socket, and tells the old ones to
finish what they are answering and stop (uvicorn's graceful shutdown).

Server processes never write to the store. RocksDB's background threads do not survive a fork, and a
read-write handle opened in a forked process hangs (measured: the open never returned),
so :func:`wanted` leaves a server with an update token to uvicorn's supervisor, whose processes start afresh.
"""

from __future__ import annotations

import ctypes
import dataclasses
import logging
import os
import select
import signal
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..graph.errors import TradeKGError
from ..graph.store import EmbeddedStore, memory_fits
from .settings import Settings

log = logging.getLogger("tradekg.api")

STOP_GRACE_S = 5.0     # on Ctrl-C / SIGTERM: how long server processes get to finish before they are killed
RESTART_PAUSE_S = 1.0  # a server process that died this soon after its start is started again only after this
_PR_SET_PDEATHSIG = 1


def wanted(settings: Settings, workers: int, path: Path) -> bool:
    """Whether ``tradekg serve --workers N`` forks its server processes from this one: several of them over an
    embedded store (at ``path``) that memory mode loads, and no update token (a server process could not write to the store,
    see above)."""
    if workers < 2 or settings.endpoint or settings.update_token or settings.memory == "off":
        return False
    return settings.memory == "on" or memory_fits(path, workers)


class Supervisor:
    """Forks ``workers`` server processes that share ``store`` (loaded in memory) and the listening ``sock``;
    keeps that many running, switches them all to a rebuilt store, stops them on SIGINT or SIGTERM."""

    def __init__(self, store: EmbeddedStore, settings: Settings, workers: int, sock: socket.socket,
                 serve: Callable[[EmbeddedStore, Settings, socket.socket], None]):
        self.store, self.workers, self.sock, self._serve = store, workers, sock, serve
        # the server processes do not look for rebuilds themselves: this process does, and loads the graph once
        self.settings = dataclasses.replace(settings, reload_check_s=0)
        self.look_every_s = settings.reload_check_s
        self.current: dict[int, float] = {}   # pid → when it started, of the server processes on the current graph
        self.retiring: set[int] = set()       # server processes on an older graph, finishing their requests
        self._stopping = False
        self._wake_r, self._wake_w = os.pipe()

    # -- the supervisor's loop ---------------------------------------------------------------------
    def run(self) -> None:
        os.set_blocking(self._wake_w, False)
        old_wakeup = signal.set_wakeup_fd(self._wake_w)
        handlers = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        old_chld = signal.signal(signal.SIGCHLD, lambda *_: None)  # only to wake the loop (wakeup fd)
        try:
            self._fill()
            next_look = time.monotonic() + self.look_every_s
            while not self._stopping:
                self._reap()
                if self.look_every_s > 0 and time.monotonic() >= next_look:
                    self._follow()
                    next_look = time.monotonic() + self.look_every_s
                self._fill()
                wait = min(self.look_every_s, 1.0) if self.look_every_s > 0 else 1.0
                readable, _, _ = select.select([self._wake_r], [], [], wait)
                if readable:
                    os.read(self._wake_r, 4096)
        finally:
            self._stop_all()  # a second Ctrl-C meanwhile is taken in by the handler above: the stop is bounded
            signal.set_wakeup_fd(old_wakeup)
            signal.signal(signal.SIGCHLD, old_chld)
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
            os.close(self._wake_r)
            os.close(self._wake_w)

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self._stopping = True

    def _fill(self) -> None:
        """Start server processes until ``workers`` run on the current graph."""
        while len(self.current) < self.workers and not self._stopping:
            self._spawn()

    def _reap(self) -> None:
        """Collect the server processes that ended. One on the current graph that ended within RESTART_PAUSE_S
        of its start is replaced only after that pause, so one that cannot start does not make the loop fork as
        fast as it can."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.retiring.discard(pid)
            started = self.current.pop(pid, None)
            if started is not None and not self._stopping:
                code = os.waitstatus_to_exitcode(status)
                log.warning("server process %d stopped (%s); starting another", pid,
                            f"signal {-code}" if code < 0 else f"exit status {code}")
                if time.monotonic() - started < RESTART_PAUSE_S:
                    time.sleep(RESTART_PAUSE_S)

    def _follow(self) -> None:
        """A rebuilt store: load it once, fork server processes on it, retire the others. Until the new
        graph is loaded the old processes answer; a half-finished swap is tried again at the next look."""
        try:
            if not self.store.changed():
                return
            self.store.reopen()
        except TradeKGError as e:
            log.warning("could not switch to the rebuilt store yet: %s", e)
            return
        old, self.current = self.current, {}
        self._fill()
        for pid in old:
            self._signal(pid, signal.SIGTERM)
        self.retiring |= set(old)
        log.warning("switched to the rebuilt store at %s: %d server processes started on it, %d finishing "
                    "on the old graph", self.store.path, len(self.current), len(old))

    def _stop_all(self) -> None:
        children = set(self.current) | self.retiring
        for pid in children:
            self._signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        while children and time.monotonic() < deadline:
            children = {pid for pid in children if not _exited(pid)}
            time.sleep(0.05)
        for pid in children:
            self._signal(pid, signal.SIGKILL)
            _exited(pid, block=True)

    @staticmethod
    def _signal(pid: int, sig: int) -> None:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass

    # -- a server process ----------------------------------------------------------------------------
    def _spawn(self) -> None:
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                self._become_server(parent)
                code = 0
            except SystemExit as e:  # the supervisor was gone before this process could start serving
                code = e.code if isinstance(e.code, int) else 1
            except BaseException:  # noqa: BLE001 - a child must never return into the supervisor's loop
                log.exception("server process %d failed", os.getpid())
            finally:
                os._exit(code)
        self.current[pid] = time.monotonic()

    def _become_server(self, parent: int) -> None:
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        os.close(self._wake_r)
        os.close(self._wake_w)
        _die_with(parent)
        self._serve(self.store, self.settings, self.sock)


def _die_with(parent: int) -> None:
    """Have the kernel send SIGTERM when the supervisor dies (even by SIGKILL), so no server process is left
    holding the port; and stop now if it already has."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the supervisor's own SIGTERM still stops its servers
    if os.getppid() != parent:
        raise SystemExit(0)


def _exited(pid: int, block: bool = False) -> bool:
    try:
        done, _ = os.waitpid(pid, 0 if block else os.WNOHANG)
    except ChildProcessError:
        return True
    return done == pid
