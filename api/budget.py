"""A time and concurrency budget for the relationship API's heavy work (network projections, centrality,
paths, exports): what a REST request may cost, so no client can hold a core for minutes.

Heavy work runs on a few threads of its own, not on the web server's request threads: a request waits for
its answer at most ``rest_timeout_s`` and then gets a 503 problem document, and when every slot is taken
and the queue is full a new request is refused at once (503, ``Retry-After``). Python threads can't be
stopped, so work that overruns its budget finishes on its slot and its answer is kept (see
:meth:`tradekg.api.deps.Catalog.memo`): the client's retry is then answered at once, and at most
``slots`` computations are ever running, whoever asked for them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar

from ..graph.errors import TradeKGError

T = TypeVar("T")


class OverBudget(TradeKGError):
    """The work did not finish within the request budget, or no slot was free: retry later (503)."""

    def __init__(self, detail: str, retry_after_s: int):
        super().__init__(detail)
        self.retry_after_s = retry_after_s


class Budget:
    """Runs heavy work on ``slots`` threads, waiting at most ``timeout_s`` for each answer."""

    def __init__(self, timeout_s: float = 30.0, slots: int = 2, queue: int = 8):
        self.timeout_s, self.slots, self.queue = timeout_s, slots, queue
        self._pool = self._new_pool()
        self._pending = 0
        self._lock = threading.Lock()
        self._inside = threading.local()
        self._closed = False

    def submit(self, work: Callable[[], T]) -> Future[T]:
        """Start ``work`` on a slot (or refuse at once, OverBudget, when slots and queue are full)."""
        with self._lock:
            if self._pending >= self.slots + self.queue:
                raise OverBudget(f"the server is busy with {self._pending} heavy computations; "
                                 "retry in a few seconds", retry_after_s=max(1, int(self.timeout_s / 4)))
            self._pending += 1

        def run() -> T:
            self._inside.active = True
            try:
                return work()
            finally:
                self._inside.active = False
                with self._lock:
                    self._pending -= 1

        return self._pool.submit(run)

    def wait(self, future: Future[T], what: str = "this answer") -> T:
        """The future's result within the budget, else OverBudget (the work goes on; its answer is kept)."""
        try:
            return future.result(timeout=self.timeout_s)
        except FutureTimeout:
            raise OverBudget(f"computing {what} took longer than the {self.timeout_s:g} s budget "
                             "(TRADEKG_REST_TIMEOUT); it goes on in the background, so retry shortly, or narrow "
                             "the question (filters, a smaller k)", retry_after_s=max(1, int(self.timeout_s))) from None

    def inside(self) -> bool:
        """Is the calling thread one of the budget's slots (heavy work asking for more)?"""
        return getattr(self._inside, "active", False)

    def run(self, work: Callable[[], T], what: str = "this answer") -> T:
        """``work()`` within the budget. Called from heavy work itself (nested), it runs inline: a nested
        wait for a slot could deadlock."""
        if self.inside():
            return work()
        return self.wait(self.submit(work), what)

    def _new_pool(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self.slots, thread_name_prefix="tradekg-heavy")

    def open(self) -> None:
        """Ready for work again after :meth:`close` (an app's lifespan can start more than once, as in
        tests that open a client per request)."""
        with self._lock:
            if self._closed:
                self._pool, self._closed = self._new_pool(), False

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)


def unlimited() -> Budget:
    """For a Catalog used outside the API (notebooks, tests): a generous budget."""
    return Budget(timeout_s=3600.0, slots=4, queue=1_000_000)


