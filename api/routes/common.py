"""Shared by the relationship routes: the page envelope, paging parameters, and term conversion."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request, Response
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field
from rdflib import Literal, URIRef
from rdflib.term import Identifier

from ...graph.errors import BadParameters
from .. import pagination
from ..deps import ID, Catalog
from ..settings import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE,
                             description=f"Items per page (at most {MAX_PAGE_SIZE}).")]
Cursor = Annotated[str | None, Query(max_length=2000, description="Set by the `next` URL of the previous page; "
                                     "leave out for the first page.")]


class NextLink:
    """The URL of a list's next page: this request's URL (same filters and limit) with the new cursor, given as
    the body's ``next`` and as a ``Link: <…>; rel="next"`` header (RFC 8288), so clients follow it as it is."""

    def __init__(self, request: Request, response: Response) -> None:
        self.request, self.response = request, response

    def to(self, cursor: str | None) -> str | None:
        """The next page's URL for ``cursor`` (None on the last page: no URL, no header)."""
        if cursor is None:
            return None
        url = str(self.request.url.include_query_params(cursor=cursor))
        self.response.headers["Link"] = f'<{url}>; rel="next"'
        return url


def next_link(request: Request, response: Response) -> NextLink:
    return NextLink(request, response)


PageLink = Annotated[NextLink, Depends(next_link)]
def _iso_day(value: object) -> object:
    """Only YYYY-MM-DD: pydantic would also read 0 or 1700000000 as a day (a Unix time)."""
    if value is not None and not (isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)):
        raise ValueError("a day as YYYY-MM-DD, e.g. 2021-01-01")
    return value


# The bundle's facts are dated 1948 onwards; a day outside these years asks for nothing the data holds
# and each distinct day costs a projection, so it is refused (422) instead of computed.
EARLIEST_DAY, LATEST_DAY = dt.date(1947, 1, 1), dt.date(2099, 12, 31)


def _in_data_years(value: dt.date | None) -> dt.date | None:
    if value is not None and not EARLIEST_DAY <= value <= LATEST_DAY:
        raise ValueError(f"a day from {EARLIEST_DAY} to {LATEST_DAY} (the years the data can be about)")
    return value


AsOf = Annotated[dt.date | None, BeforeValidator(_iso_day), AfterValidator(_in_data_years),
                 Query(description=f"Only what is in force on this date (YYYY-MM-DD, {EARLIEST_DAY.year}–"
                                   f"{LATEST_DAY.year}).", examples=["2021-01-01"])]


class Page(BaseModel, Generic[T]):
    """One page of a list, with the cursor of the next page and the named graphs the answer came from."""

    items: list[T]
    next: str | None = Field(description="URL of the next page (the same filters and limit; also sent as a "
                                         "`Link: <…>; rel=\"next\"` header); null on the last page.")
    limit: int = Field(description=f"The page size asked for (default {DEFAULT_PAGE_SIZE}, at most {MAX_PAGE_SIZE}).")
    sources: list[str] = Field(description="Named graphs (one per source) holding the facts on this page; "
                                           "`/sparql` can query each with GRAPH.",
                               examples=[["https://w3id.org/tradekg/graph/wto-ds-gateway"]])


def paged(catalog: Catalog, items: Sequence[dict[str, Any]] | Callable[[], Sequence[dict[str, Any]]],
          key: Callable[[dict[str, Any]], tuple], limit: int, cursor: str | None, link: NextLink,
          memo: tuple | None = None) -> dict[str, Any]:
    """A Page (as a dict) of ``items`` after ``cursor`` in ``key`` order. Each item may carry ``_iris``: the
    disputes, measures or agreements it rests on, whose sources the page lists, or ``_sources``: named graphs
    (neither key is shown). ``link`` turns the next cursor into the next page's URL (body and Link header).

    With ``memo`` (the route and its parameters but for paging) ``items`` is a function, called once: the
    sorted items are kept, so later pages and repeated questions cost a bisection and a slice."""
    if memo is None:
        ordered = pagination.Ordered.of(items() if callable(items) else items, key)
    else:
        ordered = catalog.memo("lists", memo, lambda: pagination.Ordered.of(items() if callable(items) else items, key))
    chunk, following = ordered.page(limit, cursor)
    iris = [iri for item in chunk for iri in item.get("_iris", ())]
    given = {g for item in chunk for g in item.get("_sources", ())}
    return {"items": chunk, "next": link.to(following), "limit": limit,
            "sources": sorted(given.union(catalog.sources(iris)))}


def short(term: Identifier | None) -> str | None:
    """A tradekg IRI without its ``https://w3id.org/tradekg/id/`` base (``economy/USA`` → kept as the id path)."""
    if term is None:
        return None
    text = str(term)
    return text[len(ID):] if text.startswith(ID) else text


def local(term: Identifier | None) -> str | None:
    """The last path segment of an IRI (``…/economy/USA`` → ``USA``); literals as text."""
    if term is None:
        return None
    return str(term).rsplit("/", 1)[-1] if isinstance(term, URIRef) else str(term)


def text(term: Identifier | None) -> str | None:
    return None if term is None else str(term)


def number(term: Identifier | None) -> int | float | None:
    if not isinstance(term, Literal):
        return None
    value = term.toPython()
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def group(rows: Iterable[dict[str, Identifier]], by: str) -> dict[str, list[dict[str, Identifier]]]:
    """Rows grouped by the value of one variable, in first-seen order (one item, several rows)."""
    groups: dict[str, list[dict[str, Identifier]]] = {}
    for row in rows:
        if by in row:
            groups.setdefault(str(row[by]), []).append(row)
    return groups


def values(rows: Iterable[dict[str, Identifier]], var: str, convert: Callable = local) -> list[Any]:
    """The distinct values of ``var`` across rows, converted, in first-seen order."""
    seen: dict[Any, None] = {}
    for row in rows:
        if var in row:
            seen.setdefault(convert(row[var]), None)
    return [v for v in seen if v is not None]


def first(rows: Sequence[dict[str, Identifier]], var: str, convert: Callable = text) -> Any:
    for row in rows:
        if var in row:
            return convert(row[var])
    return None


async def no_unknown_parameters(request: Request) -> None:
    """A query parameter the route does not take is a 422, not silently ignored: `/disputes?respondant=USA`
    would otherwise answer every dispute. /sparql and /queries/{name} check their own parameters."""
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant") or route.path.startswith(("/sparql", "/queries/")):
        return
    allowed = _allowed(route)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise BadParameters(f"unknown query parameter(s) {unknown}; this endpoint takes {sorted(allowed) or 'none'}")


_ALLOWED: dict[int, frozenset[str]] = {}


def _allowed(route: Any) -> frozenset[str]:
    if id(route) not in _ALLOWED:
        names: set[str] = set()
        pending = [route.dependant]
        while pending:  # the route's own query parameters and those of its dependencies
            dependant = pending.pop()
            names.update(p.alias for p in dependant.query_params)
            pending.extend(dependant.dependencies)
        _ALLOWED[id(route)] = frozenset(names)
    return _ALLOWED[id(route)]
