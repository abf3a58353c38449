"""What the relationship routes depend on: catalog answers (cached) and the sources of an answer.

The store does not change while the API serves it (read-only; an authorised update clears the
cache), so one catalog answer per (query, parameters) is kept, least recently used first out.
Every answer still comes from :func:`tradekg.queries.run`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Annotated, Any

from fastapi import Depends, Request
from rdflib import URIRef

from .. import queries
from ..graph.store import Rows, Store
from .budget import Budget, unlimited

ID = "https://w3id.org/tradekg/id/"


class Catalog:
    """Catalog answers for the routes, kept while the store is served; derived answers (memo) too."""

    def __init__(self, store: Store, size: int = 1024, budget: Budget | None = None):
        self.store, self.size = store, size
        self.budget = budget or unlimited()  # heavy work runs within the request budget (api/budget.py)
        self._pending: dict[tuple, Future] = {}
        self._generation = 0
        self._answers: OrderedDict[tuple, Rows] = OrderedDict()
        self._sources: dict[str, tuple[str, ...]] = {}
        self._memo: dict[str, OrderedDict[tuple, Any]] = {}
        self._lock = threading.Lock()

    def run(self, name: str, **params: str | None) -> Rows:
        """The answer of catalog query ``name``; parameters left out or None mean "any"."""
        raw = {k: v for k, v in params.items() if v not in (None, "")}
        key = (name, tuple(sorted(raw.items())))
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        rows = queries.run(self.store, name, **raw)  # type: ignore[arg-type]
        with self._lock:
            self._answers[key] = rows
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)
        return rows

    def memo(self, space: str, key: tuple, build: Callable[[], Any], size: int = 256) -> Any:
        """A derived answer (a route's sorted items, a network projection) kept like a catalog answer,
        at most ``size`` per ``space``, least recently used first out. Concurrent askers of the same
        missing answer wait for one build instead of each building it.

        The build runs within the request budget (:mod:`tradekg.api.budget`): past it the asker gets a 503
        while the build finishes on its slot and is kept, so the retry is answered from here."""
        with self._lock:
            kept = self._memo.setdefault(space, OrderedDict())
            if key in kept:
                kept.move_to_end(key)
                return kept[key]
            future = self._pending.get((space, key))
            generation = self._generation
            if future is None and not self.budget.inside():
                future = self.budget.submit(lambda: self._keep(space, key, build, size, generation))
                self._pending[(space, key)] = future
        if future is None:  # asked from heavy work already on a slot: build here
            return self._keep(space, key, build, size, generation)
        return self.budget.wait(future, f"{space} {key}"[:120])

    def _keep(self, space: str, key: tuple, build: Callable[[], Any], size: int, generation: int) -> Any:
        try:
            value = build()
        finally:
            with self._lock:
                self._pending.pop((space, key), None)
        with self._lock:
            if generation == self._generation:  # not built from a store state cleared since
                kept = self._memo.setdefault(space, OrderedDict())
                kept[key] = value
                while len(kept) > size:
                    kept.popitem(last=False)
        return value

    def sources(self, iris: Iterable[str]) -> list[str]:
        """The named graphs that say something about any of ``iris`` (tradekg resources only)."""
        graphs: set[str] = set()
        for value in set(iris):
            if not value.startswith(ID):
                continue
            found = self._sources.get(value)
            if found is None:
                found = tuple(str(r["graph"]) for r in queries.run(self.store, "graphs_describing", item=value))
                self._sources[value] = found
            graphs.update(found)
        return sorted(graphs)

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._pending.clear()
            self._answers.clear()
            self._sources.clear()
            self._memo.clear()


FACTS = ("dispute/", "measure/", "agreement/")  # the things whose sources an answer rests on


def row_iris(rows: Iterable[dict], kinds: tuple[str, ...] = FACTS) -> list[str]:
    """The IRIs in some rows that name disputes, measures or agreements (or other ``kinds``), for
    :meth:`Catalog.sources`: the sources that say something about them are what the answer rests on.
    Economies, products and vocabulary they merely mention are left out, else every answer would
    list every source that mentions an economy."""
    prefixes = tuple(ID + kind for kind in kinds)
    return [str(v) for row in rows for v in row.values() if isinstance(v, URIRef) and str(v).startswith(prefixes)]


async def get_catalog(request: Request) -> Catalog:
    """Async because it does not block: a sync dependency would cost a thread hop per request."""
    return request.app.state.catalog


CatalogDep = Annotated[Catalog, Depends(get_catalog)]
