"""Every failure as a problem document (RFC 9457, ``application/problem+json``), on the relationship API and
on ``/sparql`` alike (there with the protocol's status codes: 400 for a malformed query) — never a bare 500 page.

Routes raise; they never ``try/except``. The handlers here translate tradekg's own errors
(:mod:`tradekg.graph.errors`) and the web layer's (validation, unknown routes), and catch the
unexpected last: logged with its traceback, answered 500 with a problem document.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..graph.errors import (BadParameters, EndpointError, NotFound, QuerySyntaxError, StoreError,  # noqa: F401
                            TradeKGError, UnknownQuery)  # NotFound re-exported: the routes raise tradekg.api.errors.NotFound
from .budget import OverBudget

log = logging.getLogger("tradekg.api")
PROBLEM = "application/problem+json"
TYPES = "https://w3id.org/tradekg/problems/"


class Problem(BaseModel):
    """A problem document (RFC 9457): what went wrong, in words a client can show."""

    type: str = Field(examples=[TYPES + "not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["no economy is known as 'XYZ'"])
    instance: str | None = Field(None, examples=["/economies/XYZ"])
    suggestions: list[str] | None = Field(None, description="Closest known codes or names, for a 404.",
                                          examples=[["USA", "UZB"]])
    errors: list[dict[str, Any]] | None = Field(None, description="Per-field validation errors, for a 422.")


class SparqlError(Exception):
    """A /sparql failure, answered in the protocol's own form: a status and a plain-text message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


# status, slug, title for each of tradekg's errors (subclasses before their bases)
_MAP: list[tuple[type[Exception], int, str, str]] = [
    (OverBudget, 503, "over-budget", "Over the request budget"),
    (NotFound, 404, "not-found", "Not found"),
    (UnknownQuery, 404, "unknown-query", "No such query"),
    (BadParameters, 422, "bad-parameters", "Bad parameters"),
    (QuerySyntaxError, 400, "query-syntax", "Malformed query"),
    (EndpointError, 503, "endpoint-unavailable", "SPARQL endpoint unavailable"),
    (StoreError, 503, "store-unavailable", "Store unavailable"),
    (TradeKGError, 400, "bad-request", "Bad request"),
]


def problem(status: int, slug: str, title: str, detail: str, request: Request | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = {"type": TYPES + slug, "title": title, "status": status, "detail": detail}
    if request is not None:
        body["instance"] = request.url.path
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _is_sparql(request: Request) -> bool:
    return request.url.path.rstrip("/").endswith("/sparql")


def _tradekg_error(request: Request, exc: Exception) -> Response:
    for kind, status, slug, title in _MAP:
        if isinstance(exc, kind):
            retry = getattr(exc, "retry_after_s", None)
            return problem(status, slug, title, str(exc), request,
                           headers={"Retry-After": str(retry)} if retry else None,
                           suggestions=getattr(exc, "suggestions", None))
    raise exc  # pragma: no cover - _MAP ends with the base class


def _sparql_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SparqlError)
    return _sparql_problem(request, exc.status, exc.message, exc.headers)


_SPARQL_SLUGS = {400: "query-syntax", 401: "unauthorized", 403: "forbidden", 406: "not-acceptable",
                 413: "too-large", 415: "unsupported-media-type", 500: "query-failed", 503: "unavailable"}


def _sparql_problem(request: Request, status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    """A /sparql failure: the protocol's status code, the message (e.g. the parser's, with line and column) as
    the problem document's detail."""
    from http import HTTPStatus

    title = "Client closed request" if status == 499 else HTTPStatus(status).phrase  # 499: nginx's, not in HTTPStatus
    return problem(status, _SPARQL_SLUGS.get(status, "sparql-error"), title, detail, request, headers=headers)


def _allowed(request: Request) -> str:
    """Every method some route offers for this path (Starlette's 405 names only the first route's): each method
    tried against the routes' own matching, which sees into included routers too."""
    from starlette.routing import Match

    return ", ".join(method for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
                     if any(route.matches({**request.scope, "method": method})[0] == Match.FULL
                            for route in request.app.routes))


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 405:
        exc.headers = {**(exc.headers or {}), "Allow": _allowed(request)}
    if _is_sparql(request):
        return _sparql_problem(request, exc.status_code, str(exc.detail), exc.headers)
    slug = {404: "not-found", 405: "method-not-allowed", 406: "not-acceptable"}.get(exc.status_code, "http-error")
    title = {404: "Not found", 405: "Method not allowed", 406: "Not acceptable"}.get(exc.status_code, "HTTP error")
    return problem(exc.status_code, slug, title, str(exc.detail), request, headers=exc.headers)


def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
              for e in exc.errors()]
    detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors) or "invalid request"
    if _is_sparql(request):
        return _sparql_problem(request, 400, detail)
    return problem(422, "validation", "Invalid request", detail, request, errors=errors)


def _unexpected(request: Request, exc: Exception) -> Response:
    """The last line of defence: log the traceback, answer a problem document."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(500, "internal", "Internal error",
                   f"an unexpected {type(exc).__name__} occurred; it has been logged", request)


_HANDLERS: list[tuple[type[Exception], Any]] = [
    (TradeKGError, _tradekg_error), (SparqlError, _sparql_error), (StarletteHTTPException, _http_error),
    (RequestValidationError, _validation_error), (Exception, _unexpected)]  # the catch-all last


def install(app: FastAPI) -> None:
    for kind, handler in _HANDLERS:
        app.add_exception_handler(kind, handler)


def answer(request: Request, exc: Exception) -> Response:
    """The problem document for ``exc``, as the installed handlers give it: for code that answers before
    FastAPI's own exception handling is reached (:class:`tradekg.api.sparql.Lane`)."""
    return next(handler for kind, handler in _HANDLERS if isinstance(exc, kind))(request, exc)
