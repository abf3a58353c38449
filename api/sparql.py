"""The SPARQL 1.1 Protocol endpoint: GET and POST queries, dataset parameters, content negotiation,
a service description, read-only unless a token is presented, SERVICE off unless enabled, and
a wall-clock timeout that stops the work (see :mod:`tradekg.graph.pool`).

Errors carry the protocol's status codes, as problem documents like the rest of the API (for a malformed
query, the parser's message with line and column is the ``detail``).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import hmac
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from ..graph.errors import QuerySyntaxError, TradeKGError
from ..graph.pool import PoolBusy, QueryCancelled, QueryCrashed, QueryMemoryExceeded, QueryTimeout
from ..graph.worker import Answer, Job
from ..graph import sparql_text
from . import answer_cache, errors, formats, service_description
from .errors import SparqlError
from .web import workbench

router = APIRouter(tags=["SPARQL 1.1 Protocol"])
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^<>\"{}|^`\\\x00-\x20]*")
MAX_QUERY_BYTES = 1_000_000

_TEXT = {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
_RESPONSES = {
    200: {"description": "Query answer in the negotiated format (SPARQL results JSON/XML/CSV/TSV for SELECT "
                         "and ASK; Turtle, N-Triples, N-Quads, TriG, RDF/XML or JSON-LD for CONSTRUCT and DESCRIBE).",
          "content": {m: {"schema": {}} for m in {*formats.CANONICAL.values(), "text/plain", "text/html"}}},
    400: {"description": "Malformed query: the parser's message with line and column.", **_TEXT},
    401: {"description": "An update with a missing or wrong bearer token.", **_TEXT},
    403: {"description": "An update on a read-only endpoint, or SERVICE/LOAD while federation is off.", **_TEXT},
    406: {"description": "No acceptable serialisation for this kind of answer.", **_TEXT},
    413: {"description": "The request body is too large.", **_TEXT},
    415: {"description": "A POST body that is neither a form, a query nor an update.", **_TEXT},
    500: {"description": "The engine failed while evaluating the query.", **_TEXT},
    503: {"description": "The query ran past the time limit and was stopped, or all workers are busy.", **_TEXT},
}

EXAMPLE = ("PREFIX tkg: <https://w3id.org/tradekg/ontology#>\n"
           "SELECT ?complainant WHERE { <https://w3id.org/tradekg/id/dispute/DS544> tkg:complainant ?complainant }")


PATH = "/sparql"


class Lane:
    """GET and POST on /sparql answered as soon as they reach the app's own middleware, past FastAPI's router, its
    dependency solving and its request/response wrappers: those were a third of the server's time for an
    ``ASK {}`` (py-spy), a fixed cost every SPARQL client pays per query. Compression, CORS and the access log
    (outer middleware) still apply; failures become the same problem documents (:func:`errors.answer`).
    Anything else (another path, another method) goes on to the routes."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        try:
            response = await answer(request)
        except Exception as exc:  # noqa: BLE001 - every failure is answered, as the app's handlers would
            response = errors.answer(request, exc)
        await response(scope, receive, send)


async def answer(request: Request) -> Response:
    """/sparql's one implementation, for :class:`Lane` and the route declarations below."""
    return await (_post(request) if request.method == "POST" else _get(request))


# The declarations give /docs the endpoint's parameters and answers; in the app, :class:`Lane` answers before
# FastAPI routes a request here. Both reach :func:`answer`, which reads the parameters from the request itself.
@router.get(PATH, name="sparql", responses=_RESPONSES, summary="SPARQL 1.1 query (GET), or the service description")
async def sparql_get(request: Request,
                     query: str | None = Query(None, description="The SPARQL query; without it, the service "
                                               "description.", examples=[EXAMPLE]),
                     default_graph_uri: list[str] = Query([], alias="default-graph-uri"),
                     named_graph_uri: list[str] = Query([], alias="named-graph-uri"),
                     format: str | None = Query(None, description="Overrides Accept: csv, tsv, json, xml (results); "
                                                "ttl, nt, nq, trig, rdfxml, jsonld (graphs). `output` is the same."),
                     output: str | None = Query(None, include_in_schema=False)) -> Response:
    return await answer(request)


@router.post(PATH, responses=_RESPONSES, summary="SPARQL 1.1 query or update (POST)",
             openapi_extra={"requestBody": {"content": {
                 "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                     "query": {"type": "string"}, "update": {"type": "string"},
                     "default-graph-uri": {"type": "string"}, "named-graph-uri": {"type": "string"}}}},
                 "application/sparql-query": {"schema": {"type": "string"}, "example": EXAMPLE},
                 "application/sparql-update": {"schema": {"type": "string"}}}}})
async def sparql_post(request: Request) -> Response:
    return await answer(request)


async def _get(request: Request) -> Response:
    params = request.query_params
    if "update" in params:
        raise SparqlError(400, "updates are not accepted with GET (SPARQL 1.1 Protocol); POST them as an "
                               "`update` form field or as application/sparql-update")
    query = params.get("query")
    if query is None:
        if workbench.wants_html(request):  # the endpoint's URL opened in a browser: the workbench (issue 11)
            return HTMLResponse(await run_in_threadpool(workbench.render, request, None))
        return await _in_lane(request, _service_description)
    return await _answer_query(request, query, params.getlist("default-graph-uri"), params.getlist("named-graph-uri"))


async def _post(request: Request) -> Response:
    body = await _body(request, MAX_QUERY_BYTES)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    params = request.query_params
    default, named = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
    text = _decode(body)
    if kind == "application/x-www-form-urlencoded":
        form = parse_qs(text, keep_blank_values=True)
        default += form.get("default-graph-uri", [])
        named += form.get("named-graph-uri", [])
        if "update" in form:
            return await _in_lane(request, _update, form["update"][0])
        if "query" not in form:
            raise SparqlError(400, "a form POST needs a `query` or an `update` field")
        return await _answer_query(request, form["query"][0], default, named)
    if kind == "application/sparql-query":
        return await _answer_query(request, text, default, named)
    if kind == "application/sparql-update":
        return await _in_lane(request, _update, text)
    raise SparqlError(415, "POST a form (application/x-www-form-urlencoded), application/sparql-query "
                           "or application/sparql-update")


async def _body(request: Request, most: int) -> bytes:
    """The request body, refused (413) as soon as it is known to be over ``most`` bytes: from its
    Content-Length before anything is read, else while it streams in; never read whole first."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > most:
        raise SparqlError(413, f"request body over {most:,} bytes (Content-Length: {int(declared):,})")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > most:
            raise SparqlError(413, f"request body over {most:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@contextlib.asynccontextmanager
async def _watched(request: Request) -> AsyncIterator[tuple[threading.Event, float]]:
    """The request's deadline, counted from its arrival, and a cancel event that is set when the client
    disconnects or the request is cancelled, so an abandoned query stops its worker."""
    deadline = time.monotonic() + request.app.state.settings.query_timeout_s
    cancel = threading.Event()
    watcher = asyncio.ensure_future(_watch_disconnect(request, cancel))
    try:
        yield cancel, deadline
    except asyncio.CancelledError:
        cancel.set()
        raise
    finally:
        watcher.cancel()


async def _in_lane(request: Request, work: Callable[..., Response], *args: Any) -> Response:
    """Run ``work`` on /sparql's own threads (the relationship routes' threadpool never waits on
    SPARQL), with the request's deadline and cancel event (:func:`_watched`)."""
    async with _watched(request) as (cancel, deadline):
        return await asyncio.get_running_loop().run_in_executor(
            request.app.state.sparql_threads, functools.partial(work, request, *args, cancel=cancel, deadline=deadline))


async def _watch_disconnect(request: Request, cancel: threading.Event) -> None:
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            cancel.set()
            return


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise SparqlError(400, "the request body is not UTF-8") from None


@dataclasses.dataclass(frozen=True)
class _Plan:
    """A checked query: the job for the engine and the media types the answer may take."""

    job: Job
    form: str
    results_media: str | None = None
    graph_media: str | None = None


INLINE_CHARS = 16 * 1024  # a query text this short is checked on the event loop (its scans: ~0.1 ms at 16 KB)


async def _answer_query(request: Request, text: str, default: list[str], named: list[str]) -> Response:
    """A query's answer. A short query for our own engine is checked on the event loop and its answer awaited
    there (:meth:`~tradekg.graph.pool.QueryPool.run_async`: no thread in the common case); a long text or a
    remote store's forwarding runs on /sparql's threads."""
    engine = request.app.state.engine
    if engine.forwards or len(text) > INLINE_CHARS:
        return await _in_lane(request, _query, text, default, named)
    async with _watched(request) as (cancel, deadline):
        plan = _plan(request, text, default, named)
        with _engine_errors():
            answer = await engine.run_async(plan.job, request.app.state.sparql_threads, cancel, deadline)
    return _finish(request, plan, answer)


def _query(request: Request, text: str, default: list[str], named: list[str],
           cancel: threading.Event | None = None, deadline: float | None = None) -> Response:
    """A query's answer, on a thread of /sparql's own."""
    plan = _plan(request, text, default, named)
    engine = request.app.state.engine
    if engine.forwards:
        return _remote(engine, plan.job)
    with _engine_errors():
        answer = engine.run(plan.job, cancel, deadline)
    return _finish(request, plan, answer)


def _plan(request: Request, text: str, default: list[str], named: list[str]) -> _Plan:
    """The query checked against the endpoint's rules (nesting, no updates, SERVICE, Accept, dataset IRIs)."""
    settings, engine = request.app.state.settings, request.app.state.engine
    _check_nesting(text)
    form = sparql_text.form(text)
    if sparql_text.is_update(text):
        raise SparqlError(403 if not settings.update_token else 400,
                          "this is an update; the endpoint is read-only" if not settings.update_token else
                          "send updates as an `update` form field or as application/sparql-update")
    service = sparql_text.uses_service(text)
    if service and not settings.allow_service:
        raise SparqlError(403, "SERVICE (federated query) is disabled on this endpoint "
                               "(enable with TRADEKG_ALLOW_SERVICE=1)")
    if engine.forwards or service or sparql_text.is_volatile(text):
        # the same text may answer differently on the same graph, or the graph is another server's to change
        request.scope[answer_cache.NOT_KEPT] = True
    accept = workbench.format_accept(request) or request.headers.get("accept", "")
    if engine.forwards:
        return _Plan(Job(text, None, None, settings.row_cap, tuple(default), tuple(named), accept=accept), form)
    ranges = formats.parse_accept(accept)
    results_media = formats.choose_media(ranges, formats.RESULT_TYPES)
    graph_media = formats.choose_media(ranges, formats.GRAPH_TYPES)
    results = formats.RESULT_TYPES[results_media] if results_media else None
    graph = formats.GRAPH_TYPES[graph_media] if graph_media else None
    if (results is None and form in ("SELECT", "ASK")) or (graph is None and form in ("CONSTRUCT", "DESCRIBE")) \
            or (results is None and graph is None):
        raise SparqlError(406, f"nothing in Accept: {accept!r} fits a {form or 'query'} answer; "
                               f"try {', '.join(sorted({m.split(';')[0] for m in formats.CANONICAL.values()}))}")
    for uri in (*default, *named):
        if not _IRI.fullmatch(uri):
            raise SparqlError(400, f"default-graph-uri and named-graph-uri take absolute IRIs, not {uri[:100]!r}")
    dataset = bool(default or named)
    job = Job(text, results, graph, settings.row_cap,
              tuple(default) if dataset else None, tuple(named) if dataset else None,
              union=not sparql_text.has_from(text))
    return _Plan(job, form, results_media, graph_media)


@contextlib.contextmanager
def _engine_errors() -> Iterator[None]:
    """The pool's refusals as the protocol's status codes."""
    try:
        yield
    except (QueryTimeout, QueryMemoryExceeded) as e:
        raise SparqlError(503, str(e)) from e
    except PoolBusy as e:
        raise SparqlError(503, str(e), {"Retry-After": "1"}) from e
    except QueryCrashed as e:
        raise SparqlError(400, str(e)) from e
    except QueryCancelled as e:  # nobody is listening; logged as 499 (client closed request)
        raise SparqlError(499, str(e)) from e


def _finish(request: Request, plan: _Plan, answer: Answer) -> Response:
    request.state.log = {"form": plan.form, "rows": answer.rows, "truncated": answer.truncated}
    return _respond(answer, request.app.state.settings.row_cap,
                    plan.graph_media if answer.kind == "graph" else plan.results_media)


def _check_nesting(text: str) -> None:
    """400 with the position for groups nested past what the parser survives, before any engine sees it."""
    try:
        sparql_text.check_nesting(text)
    except QuerySyntaxError as e:
        raise SparqlError(400, f"Malformed query: {e}") from e


def _remote(engine, job: Job) -> Response:
    """The remote server's answer relayed as it is (status, content type, body)."""
    try:
        answer = engine.run(job)
    except TradeKGError as e:
        raise SparqlError(503, str(e)) from e
    return Response(answer.body, status_code=answer.status, media_type=answer.media)


def _respond(answer: Answer, cap: int, media: str | None) -> Response:
    if not answer.ok:
        status = {"syntax": 400, "not-acceptable": 406}.get(answer.kind, 500)
        prefix = "Malformed query: " if answer.kind == "syntax" else ""
        raise SparqlError(status, prefix + answer.message)
    headers = {"Vary": "Accept"}
    if answer.truncated:
        headers["X-TradeKG-Truncated"] = f"answer cut at the row cap of {cap:,}"
    return Response(answer.body, media_type=formats.content_type(media or formats.CANONICAL[answer.format]),
                    headers=headers)


def _update(request: Request, text: str, **_lane: Any) -> Response:
    settings = request.app.state.settings
    if not settings.update_token:
        raise SparqlError(403, "this endpoint is read-only (no update token is configured)")
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {settings.update_token}".encode()):
        raise SparqlError(401, "updates need the configured bearer token", {"WWW-Authenticate": "Bearer"})
    _check_nesting(text)
    if not settings.allow_service and (sparql_text.uses_load(text) or sparql_text.uses_service(text)):
        raise SparqlError(403, "LOAD and SERVICE are disabled on this endpoint (enable with TRADEKG_ALLOW_SERVICE=1)")
    try:
        request.app.state.store.update(text)  # the store keeps its query workers in step (graph/store.py)
    except TradeKGError as e:
        status = 400 if isinstance(e, QuerySyntaxError) else 503
        raise SparqlError(status, str(e)) from e
    finally:
        request.app.state.forget()
    return Response(status_code=204)


def _service_description(request: Request, **_lane: Any) -> Response:
    settings = request.app.state.settings
    ranges = formats.parse_accept(request.headers.get("accept"))
    media = formats.choose_media(ranges, formats.GRAPH_TYPES)
    if media is None:
        raise SparqlError(406, "the service description is available as Turtle, N-Triples, N-Quads, TriG, "
                               "RDF/XML or JSON-LD")
    endpoint = str(request.url.replace(query="", fragment=""))
    if not _IRI.fullmatch(endpoint):  # the Host header is the client's: only a plain IRI becomes a term
        raise SparqlError(400, "the request's Host header does not make an IRI for this endpoint")
    graph = service_description.describe(endpoint, request.app.state.named_graphs(), bool(settings.update_token),
                                         settings.allow_service)
    return Response(service_description.serialise(graph, formats.GRAPH_TYPES[media]),
                    media_type=formats.content_type(media), headers={"Vary": "Accept"})
