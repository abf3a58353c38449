"""The app factory: ``create_app(store, settings)`` wires the routes, the error handlers, the SPARQL
engine, CORS, compression and access logs around one :class:`~tradekg.graph.store.Store`.

No module-level app: the CLI (`tradekg serve`) and each test build their own.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from starlette.middleware.gzip import GZipMiddleware

from .. import __version__
from ..graph.errors import TradeKGError
from ..graph.pool import Limits
from ..graph.store import Store
from . import errors, sparql, web
from .answer_cache import AnswerCache, Answers
from .budget import Budget
from .deps import Catalog
from .logs import AccessLog
from .routes import ROUTERS
from .routes.common import no_unknown_parameters
from .routes import export as export_routes
from .settings import Settings

DESCRIPTION = """A knowledge graph of international trade relationships — economies, WTO and regional
agreements, trade measures, disputes and HS products — built from real public data.

* **Relationship endpoints** answer common questions as JSON without SPARQL. Every list is paginated
  with a stable cursor: `next` is the URL of the next page (also a `Link: <…>; rel="next"` header), the same
  filters kept; lists have a maximum page size, and names the named graphs (`sources`) its
  answer came from. Economy codes accept ISO codes in any case and aliases (EU, US, Chinese Taipei).
* **`/sparql`** is a standard SPARQL 1.1 Protocol endpoint (read-only) for SPARQLWrapper, YASGUI,
  rdflib's SPARQLStore or curl; the query catalog behind every answer is at **`/queries`**.
* Errors are problem documents (RFC 9457, `application/problem+json`); on `/sparql`, plain text.
"""


def create_app(store: Store, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.engine.warm_up()  # start the /sparql workers now, not on the first query
        # a lifespan may start again after a shutdown (a test client per request): fresh threads each time
        app.state.sparql_threads = ThreadPoolExecutor(max_workers=SPARQL_THREADS, thread_name_prefix="tradekg-sparql")
        app.state.catalog.budget.open()
        stop = threading.Event()
        if settings.reload_check_s > 0:
            threading.Thread(target=_follow_rebuilds, args=(app, stop), name="tradekg-follow-rebuilds",
                             daemon=True).start()
        yield
        stop.set()
        app.state.engine.close()
        app.state.sparql_threads.shutdown(wait=False, cancel_futures=True)
        app.state.catalog.budget.close()  # queued heavy REST work is dropped; running work is not waited for

    app = FastAPI(title="tradekg", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  dependencies=[Depends(no_unknown_parameters)], openapi_tags=TAGS)
    app.state.settings = settings
    app.state.store = store
    app.state.catalog = Catalog(store, budget=Budget(settings.rest_timeout_s, settings.rest_slots))
    app.state.engine = store.query_service(Limits(
        timeout_s=settings.query_timeout_s, heavy=settings.sparql_workers, heavy_after_s=settings.heavy_after_s,
        memory_mb=settings.worker_memory_mb))
    # /sparql waits for its workers on threads of its own: the routes' threadpool never waits on SPARQL
    app.state.sparql_threads = ThreadPoolExecutor(max_workers=SPARQL_THREADS, thread_name_prefix="tradekg-sparql")
    app.state.named_graphs = cache(store.named_graphs)
    app.state.answers = Answers(settings.answer_cache_mb * 2**20)  # whole answers of repeated questions (GET)
    lock = threading.Lock()

    def forget() -> None:
        """After an authorised update (the store has kept its query workers in step): no answers kept from before."""
        with lock:
            app.state.catalog.clear()
            app.state.named_graphs.cache_clear()
        app.state.answers.clear()

    def reopen() -> None:
        """After a rebuild's switch: fresh read-only handles and no cached answers."""
        with lock:
            store.reopen()
        app.state.engine.refresh()
        # last: until the refresh returns, /sparql answers come from the old graph's workers (in memory mode the
        # new graph is loading), and a GET answered meanwhile would be kept past the switch
        forget()

    app.state.forget = forget
    app.state.reopen = reopen
    errors.install(app)
    app.include_router(sparql.router)  # its declarations, for /docs; sparql.Lane answers it
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(export_routes.router)  # GET /export/{view}?format=…
    # innermost first: Lane, gzip, the answer cache, CORS, the access log (outermost)
    app.add_middleware(sparql.Lane)
    # level 5, not Starlette's 9: a third of the CPU for answers 10-20 % larger (a 726 KB SPARQL answer:
    # 2.4 ms → 27 KB against 8.6 ms → 23 KB; 6.9 MB: 20 ms against 54 ms)
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_min_bytes, compresslevel=5)
    # outside compression: a repeated question gets the compressed body kept for its Accept-Encoding (compressing
    # it again was most of a hit's time on a large answer); CORS and the log still apply to every answer
    app.add_middleware(AnswerCache, answers=app.state.answers)
    web.install(app)  # pages for people: /id/…, /, /query, /ontology, static assets (issue 11); public-read CORS

    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins), allow_methods=["GET", "POST"],
                           allow_headers=["Accept", "Authorization", "Content-Type"],
                           expose_headers=["X-TradeKG-Truncated", "Link"])  # Link: a list's next page
    app.add_middleware(AccessLog)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


# the docs' sections in this order (not the order the routers are included in: /sparql's comes first there)
TAGS = [{"name": "Economies", "description": "An economy, its partners and how two economies are linked."},
        {"name": "Disputes", "description": "WTO and USMCA disputes: parties, dates, cited provisions."},
        {"name": "Measures", "description": "Tariffs, trade remedies, Section 232/301 actions and retaliation."},
        {"name": "Agreements", "description": "WTO and regional trade agreements, and who is party to them."},
        {"name": "Products", "description": "Measures and disputes on an HS product."},
        {"name": "Network", "description": "How two economies are linked; network views, their edges, centrality "
                                                "and communities."},
        {"name": "Query catalog", "description": "Every named SPARQL query behind the answers, runnable."},
        {"name": "Trade", "description": "US trade flows and the trade each measure covers."},
        {"name": "SPARQL 1.1 Protocol", "description": "The standard endpoint for SPARQL clients."},
        {"name": "Export", "description": "A network view as a file: GEXF, GraphML, Cytoscape, DOT, CSV, HTML, "
                                               "PNG, SVG."}]

SPARQL_THREADS = 64  # /sparql requests waiting at once (for a worker or an answer); more wait in line


def _follow_rebuilds(app: FastAPI, stop: threading.Event) -> None:
    """Switch to a rebuilt store when the build swaps it in (an endpoint: when a push has finished); until
    then the old graph answers. The first look is at once: it is what later looks compare with."""
    log = logging.getLogger("tradekg.api")
    interval = app.state.settings.reload_check_s
    store = app.state.store
    while True:
        try:
            if store.changed():
                app.state.reopen()
                if getattr(store, "path", None) is not None:
                    log.warning("switched to the rebuilt store at %s", store.path)
                else:
                    log.warning("%s holds a new push: answers kept from before are dropped",
                                getattr(store, "query_url", "the store"))
        except TradeKGError as e:  # a half-finished swap: try again at the next look
            log.warning("could not switch to the rebuilt store yet: %s", e)
        if stop.wait(interval):
            return


_PROBLEMS = {400: "Bad request (e.g. a malformed cursor)", 404: "Not found (with the closest matches)",
             422: "Invalid parameters", 500: "Unexpected error (logged)", 503: "Store or endpoint unavailable"}


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, with every failure documented as application/problem+json (as it is answered)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes,
                         tags=app.openapi_tags)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = errors.Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    ref = {"$ref": "#/components/schemas/Problem"}
    for path, operations in schema.get("paths", {}).items():
        if path.startswith("/sparql"):
            for operation in operations.values():  # /sparql answers invalid parameters 400 in plain text, and
                operation.get("responses", {}).pop("422", None)  # a dangling HTTPValidationError breaks ReDoc
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, text in _PROBLEMS.items():
                responses[str(status)] = {"description": text, "content": {errors.PROBLEM: {"schema": ref}}}
    for unused in ("HTTPValidationError", "ValidationError"):
        components.pop(unused, None)
    app.openapi_schema = schema
    return schema
