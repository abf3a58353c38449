"""Where /sparql sends a request: worker processes over the embedded store, the store in-process
(an in-memory store, tests only: no timeout), or the configured remote SPARQL endpoint.

Updates (only with the update token) go to a read-write handle opened for the update alone, after
which read-only handles are reopened, because they see the store as it was when they were opened.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
from starlette.responses import Response

from ..graph.errors import EndpointError, QuerySyntaxError, StoreError
from ..graph.store import EmbeddedStore, Store
from . import worker
from .pool import QueryPool
from .settings import Settings
from .worker import Answer, Job


class LocalEngine:
    """Queries through worker processes (or in-process for a store without a folder)."""

    def __init__(self, store: EmbeddedStore, settings: Settings):
        self.store, self.settings = store, settings
        self._pool: QueryPool | None = None
        self._lock = threading.Lock()

    @property
    def pool(self) -> QueryPool | None:
        """Started on the first /sparql query, so an app that serves only JSON starts no processes."""
        with self._lock:
            if self._pool is None and self.store.path is not None:
                self._pool = QueryPool(self.store.path, self.settings.sparql_workers, self.settings.query_timeout_s)
            return self._pool

    def warm_up(self) -> None:
        self.pool  # noqa: B018 - starting the processes is the point

    def run(self, job: Job) -> Answer:
        pool = self.pool
        return pool.run(job) if pool is not None else worker.answer(self.store.db, job)

    def update(self, text: str, reopen: Callable[[], None]) -> None:
        """Apply an update with a short-lived read-write handle, then reopen every reader."""
        if self.store.path is None:
            _apply(self.store.db, text)
            return
        try:
            writer = ox.Store(str(self.store.path))
        except OSError as e:
            raise StoreError(f"cannot open the store for writing (is a build running?): {e}") from e
        try:
            _apply(writer, text)
            writer.flush()
        finally:
            del writer
        reopen()
        if self._pool is not None:
            self._pool.recycle()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def _apply(db: ox.Store, text: str) -> None:
    try:
        db.update(text)
    except SyntaxError as e:
        raise QuerySyntaxError(str(e)) from e
    except (OSError, RuntimeError) as e:
        raise StoreError(f"update failed: {e}") from e


class RemoteEngine:
    """Forwards protocol requests to the remote endpoint the API is configured with, Accept included."""

    def __init__(self, query_url: str, update_url: str, settings: Settings):
        self.query_url, self.update_url, self.settings = query_url, update_url, settings

    def _headers(self) -> dict[str, str]:
        from ..graph.remote import _auth_header  # credentials from the environment only

        return _auth_header()

    def forward(self, query: str, accept: str, default_graphs: list[str], named_graphs: list[str]) -> Response:
        form = urlencode([("query", query)] + [("default-graph-uri", g) for g in default_graphs]
                         + [("named-graph-uri", g) for g in named_graphs])
        try:
            reply = httpx.post(self.query_url, content=form, timeout=self.settings.query_timeout_s,
                               headers={"Accept": accept or "*/*", "Content-Type": "application/x-www-form-urlencoded",
                                        **self._headers()})
        except httpx.TimeoutException as e:
            raise EndpointError(f"{self.query_url} did not answer within {self.settings.query_timeout_s:g} s") from e
        except httpx.HTTPError as e:
            raise EndpointError(f"{self.query_url} did not answer: {e}") from e
        media = reply.headers.get("content-type", "text/plain")
        return Response(reply.content, status_code=reply.status_code, media_type=media)

    def update(self, text: str, reopen: Callable[[], None]) -> None:
        try:
            reply = httpx.post(self.update_url, content=text.encode("utf-8"), timeout=self.settings.query_timeout_s,
                               headers={"Content-Type": "application/sparql-update", **self._headers()})
        except httpx.HTTPError as e:
            raise EndpointError(f"{self.update_url} did not answer: {e}") from e
        if reply.status_code == 400:
            raise QuerySyntaxError(reply.text.strip())
        if reply.status_code >= 300:
            raise EndpointError(f"{self.update_url} answered HTTP {reply.status_code}: {reply.text.strip()[:300]}")

    def warm_up(self) -> None:
        pass

    def close(self) -> None:
        pass


def engine_for(store: Store, settings: Settings) -> LocalEngine | RemoteEngine:
    if isinstance(store, EmbeddedStore):
        return LocalEngine(store, settings)
    query_url = getattr(store, "query_url", None)
    if query_url is None:
        raise StoreError(f"/sparql cannot serve a {type(store).__name__}")
    return RemoteEngine(query_url, getattr(store, "update_url", query_url), settings)

