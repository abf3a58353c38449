"""``/queries``: the query catalog over HTTP (datasette's stored queries). Every ``.rq`` file in
``queries/`` is served at ``/queries/{name}`` with its parameters, as JSON or SPARQL 1.1 CSV pages.
"""

from __future__ import annotations

import csv
import io
from typing import Any, Literal as Choice

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from rdflib import BNode

from ... import queries
from ...graph.errors import BadParameters
from ..deps import CatalogDep, row_iris
from ..pagination import Ordered, page
from ..settings import DEFAULT_PAGE_SIZE
from .common import Cursor, Limit, PageLink

router = APIRouter(prefix="/queries", tags=["Query catalog"])
RESERVED = {"format", "limit", "cursor"}


class ParamInfo(BaseModel):
    name: str
    type: str = Field(examples=["economy"])
    example: str = Field(examples=["USA"])
    description: str = ""
    required: bool = False


class QueryInfo(BaseModel):
    name: str = Field(examples=["disputes_between"])
    title: str
    description: str
    params: list[ParamInfo]


class QueryList(BaseModel):
    items: list[QueryInfo]
    next: str | None = Field(description="URL of the next page (also the `Link` header); null on the last page.")
    limit: int
    sources: list[str] = Field(description="Always empty: the catalog is files, not graph data.")


class QueryAnswer(BaseModel):
    """One page of a catalog query's answer; values as text (use /sparql for typed terms)."""

    query: str
    variables: list[str]
    items: list[dict[str, str]]
    next: str | None = Field(description="URL of the next page (also the `Link` header); null on the last page.")
    limit: int
    sources: list[str]


def _info(name: str) -> QueryInfo:
    q = queries.get(name)
    return QueryInfo(name=name, title=q.title, description=q.description,
                     params=[ParamInfo(**vars(p)) for p in q.params.values()])


@router.get("", response_model=QueryList, summary="List the query catalog")
def list_queries(link: PageLink, limit: Limit = DEFAULT_PAGE_SIZE, cursor: Cursor = None) -> dict[str, Any]:
    """Every named question this API can answer, with its parameters (types and examples)."""
    chunk, following = page(queries.names(), lambda n: (n,), limit, cursor)
    return {"items": [_info(n) for n in chunk], "next": link.to(following), "limit": limit, "sources": []}


def _value(term) -> str:
    return f"_:{term}" if isinstance(term, BNode) else str(term)


@router.get("/{name}", response_model=QueryAnswer, summary="Run a catalog query",
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}})
def run_query(request: Request, catalog: CatalogDep, link: PageLink,
              name: str = Path(pattern=r"^[a-z][a-z0-9_]*$", examples=["disputes_between"]),
              format: Choice["json", "csv"] = "json", limit: Limit = DEFAULT_PAGE_SIZE,
              cursor: Cursor = None) -> Any:
    """Run the catalog query `name`; its parameters are query parameters (see `GET /queries` for each
    query's list). A parameter left out means "any". Pages follow the variables' order."""
    query = queries.get(name)
    raw = {k: v for k, v in request.query_params.items() if k not in RESERVED}
    unknown = set(raw) - set(query.params)
    if unknown:
        raise BadParameters(f"{name}: unknown parameter(s) {sorted(unknown)}; it takes {sorted(query.params) or 'none'}")
    rows = catalog.run(name, **raw)
    variables = rows.variables

    def build() -> Ordered:
        as_text = [{v: _value(row[v]) for v in variables if v in row} for row in rows]
        keyed = [(text, i) for i, text in enumerate(as_text)]
        return Ordered.of(keyed, lambda pair: tuple(pair[0].get(v, "") for v in variables) + (pair[1],))

    ordered = catalog.memo("queries", (name, tuple(sorted(raw.items()))), build)
    chunk, following = ordered.page(limit, cursor)
    items = [text for text, _ in chunk]
    if format == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=variables, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(items)
        following_url = link.to(following)  # a Response returned as is gets no dependency headers: copy it
        headers = {"Link": f'<{following_url}>; rel="next"'} if following_url else {}
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)
    return {"query": name, "variables": variables, "items": items, "next": link.to(following), "limit": limit,
            "sources": catalog.sources(row_iris(rows[i] for _, i in chunk))}
