"""``/id/…`` and ``/graph/…``: every IRI of the graph dereferences here, as HTML for people and as RDF
(Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads, TriG) for programs, by ``Accept`` or ``?format=``."""

from __future__ import annotations

from typing import Literal as Choice

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from ... import __version__, queries
from ...graph.errors import BadParameters
from .. import formats
from ..errors import NotFound
from . import entity as entities
from .neighbourhood import neighbours
from .render import GRAPH, ID, page

# Pages are for people and Linked Data clients, not JSON API operations: left out of the OpenAPI schema
# (their 404 is a page a person can act on, not a problem document). The README documents them.
router = APIRouter(tags=["Pages (HTML and RDF)"], include_in_schema=False)

# ?format= name -> (media type, rdflib serializer, with graphs)
RDF_FORMATS = {"ttl": ("text/turtle", "turtle", False), "nt": ("application/n-triples", "nt", False),
               "jsonld": ("application/ld+json", "json-ld", False), "rdf": ("application/rdf+xml", "xml", False),
               "nq": ("application/n-quads", "nquads", True), "trig": ("application/trig", "trig", True)}
_BY_MEDIA = {media: name for name, (media, _, _) in RDF_FORMATS.items()}
OFFERED = {"text/html": "html", "application/xhtml+xml": "html", **{m: n for m, n in _BY_MEDIA.items()},
           "application/x-turtle": "ttl", "text/plain": "nt"}
Format = Choice["html", "ttl", "nt", "jsonld", "rdf", "nq", "trig"]
ALTERNATES = [(media, name) for name, (media, _, _) in RDF_FORMATS.items()]


def negotiate(request: Request, given: str | None) -> str:
    """``?format=`` wins; else the Accept header (HTML first for */*, as browsers and curl send)."""
    if given:
        return given
    media = formats.choose_media(formats.parse_accept(request.headers.get("accept")), OFFERED)
    if media is None:
        raise HTTPException(406, "no acceptable format; this resource is available as "
                                 f"{', '.join(sorted({'text/html', *_BY_MEDIA}))}")
    return OFFERED[media]


def describe_query(iri: str) -> str:
    return f"DESCRIBE <{iri}>" if iri.startswith(("http://", "https://")) else ""


@router.get("/id/{path:path}", summary="Any thing in the graph: its page (HTML) or its statements (RDF)",
            response_class=HTMLResponse,
            responses={200: {"content": {m: {} for m in OFFERED}, "description": "The page, or the statements "
                             "about the thing and pointing at it (in the formats with graphs, each in its source)"}})
def entity_page(request: Request, path: str,
                format: Format | None = Query(None, description="Overrides Accept: html, ttl, nt, jsonld, rdf, nq, trig"),
                direction: Choice["out", "in"] | None = Query(None, description="With `property`: one group, paged"),
                property: str | None = Query(None, description="The property of the group to page through"),
                page_: int = Query(1, alias="page", ge=1, le=1_000_000)) -> Response:
    return _answer(request, ID + path, format, direction, property, page_)


@router.get("/graph/{name}", summary="A named graph (source): its provenance record, as a page or RDF",
            response_class=HTMLResponse)
def graph_page(request: Request, name: str, format: Format | None = Query(None)) -> Response:
    return _answer(request, GRAPH + name, format, None, None, 1)


def _answer(request: Request, iri: str, fmt: str | None, direction: str | None, prop: str | None,
            page_no: int) -> Response:
    catalog = request.app.state.catalog
    queries.iri(iri)  # refuse IRIs with characters no IRI may hold, before any query
    if (direction is None) != (prop is None):
        raise BadParameters("give `direction` and `property` together (they select one group to page through)")
    if prop is not None:
        queries.iri(prop)
    chosen = negotiate(request, fmt)
    headers = {"Vary": "Accept", "Link": ", ".join(f'<{request.url.path}?format={n}>; rel="alternate"; type="{m}"'
                                                   for m, n in ALTERNATES)}
    if chosen != "html":
        media, serializer, quads = RDF_FORMATS[chosen]
        data = entities.rdf(catalog, iri)
        if not len(data):
            raise NotFound(f"the graph says nothing about <{iri}>")
        body = (data if quads else entities.triples(data)).serialize(format=serializer)
        return Response(body, media_type=formats.content_type(media), headers=headers)
    found = entities.load(catalog, iri, direction, prop, page_no)
    if found is None or not found.groups:
        return not_found_page(f"The graph says nothing about <{iri}>.", request)
    labels = term_labels(request)
    nodes = [] if direction else neighbours(found, labels)
    html = page("entity.html", entity=found, labels=labels, nodes=nodes, alternates=ALTERNATES,
                group_view=direction is not None, describe=describe_query(iri), version=__version__)
    return HTMLResponse(html, headers=headers)


def not_found_page(detail: str, request: Request) -> HTMLResponse:
    """A 404 a person can act on: the search box is on every page."""
    html = page("error.html", title="Not found", detail=detail, version=__version__,
                query=request.url.path.rstrip("/").rsplit("/", 1)[-1])
    return HTMLResponse(html, status_code=404, headers={"Vary": "Accept"})


def term_labels(request: Request) -> dict[str, str]:
    """Labels of classes, properties and sources, read once per served store (cleared with the catalog)."""
    catalog = request.app.state.catalog
    return catalog.memo("pages", ("term_labels",),
                        lambda: {str(r["term"]): str(r["label"]) for r in catalog.run("term_labels")})
