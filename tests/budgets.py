"""Time budgets for the tests, so that a busy machine slows the suite down instead of failing it.

Every wait in a test (a server starting, a push, an HTTP call, a query limit a test relies on) is
written as ``budget(seconds it takes on an idle machine)``. The budget grows with the machine's load
per CPU, and ``TRADEKG_TEST_TIME_SCALE`` overrides that factor (e.g. ``TRADEKG_TEST_TIME_SCALE=5`` on a
slow CI runner). Budgets are limits on waiting, never assertions about speed: speed is measured by
``bench/``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def scale() -> float:
    """The factor applied to every budget: the environment's, else the load per CPU (at least 1)."""
    if given := os.environ.get("TRADEKG_TEST_TIME_SCALE"):
        try:
            return max(float(given), 0.1)
        except ValueError:
            raise ValueError(f"TRADEKG_TEST_TIME_SCALE must be a number, not {given!r}") from None
    try:
        load = os.getloadavg()[0] / (os.cpu_count() or 1)
    except OSError:  # no load average on this platform
        load = 1.0
    return min(max(load, 1.0), 10.0)


def budget(seconds: float) -> float:
    """``seconds`` (the idle-machine figure) scaled for this machine now, rounded to 0.1 s."""
    return round(seconds * scale(), 1)


def retry(action: Callable[[], T], attempts: int = 3, on: tuple[type[BaseException], ...] = (Exception,),
          pause: float = 1.0) -> T:
    """``action()``, tried again (a bounded number of times) when a busy machine made it fail with ``on``."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except on:
            if attempt == attempts:
                raise
            time.sleep(pause * attempt)
    raise AssertionError("unreachable")
