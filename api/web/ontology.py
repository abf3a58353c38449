"""``/ontology``: the vocabulary, one section per term at its ``#`` IRI, generated from ``ontology/tradekg.ttl``
(label, comment, domain, range, how often the graph uses it, an example query); Turtle for RDF clients."""

from __future__ import annotations

from functools import cache

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ... import __version__
from ...ontology import ONTOLOGY
from .. import formats
from .render import ONTOLOGY as TKG, page

router = APIRouter(include_in_schema=False)
KINDS = [(OWL.Class, "Classes"), (OWL.ObjectProperty, "Relations (object properties)"),
         (OWL.DatatypeProperty, "Attributes (datatype properties)"), (OWL.AnnotationProperty, "Annotations")]


@cache
def vocabulary() -> Graph:
    return Graph().parse(data=ONTOLOGY.read_text(encoding="utf-8"), format="turtle")


def terms() -> list[tuple[str, list[dict]]]:
    """Per kind, the tkg: terms with what the page shows, in label order."""
    graph = vocabulary()
    sections = []
    for kind, heading in KINDS:
        found = []
        for term in set(graph.subjects(RDF.type, kind)):
            if not isinstance(term, URIRef) or not str(term).startswith(TKG):
                continue
            local = str(term)[len(TKG):]
            found.append(dict(iri=str(term), local=local, label=str(graph.value(term, RDFS.label) or local),
                              comment=str(graph.value(term, RDFS.comment) or ""),
                              domain=list(graph.objects(term, RDFS.domain)), range=list(graph.objects(term, RDFS.range)),
                              parents=[p for p in graph.objects(term, RDFS.subClassOf) if isinstance(p, URIRef)],
                              example=_example(local, kind == OWL.Class)))
        sections.append((heading, sorted(found, key=lambda t: t["label"].casefold())))
    return sections


def _example(local: str, is_class: bool) -> str:
    head = ("PREFIX tkg: <https://w3id.org/tradekg/ontology#>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n\n")
    if is_class:
        return head + f"SELECT ?thing ?label WHERE {{\n  ?thing a tkg:{local} .\n  OPTIONAL {{ ?thing rdfs:label ?label }}\n}}\nLIMIT 50\n"
    return head + f"SELECT ?subject ?value ?g WHERE {{\n  GRAPH ?g {{ ?subject tkg:{local} ?value }}\n}}\nLIMIT 50\n"


@router.get("/ontology")
def ontology(request: Request) -> Response:
    ranges = formats.parse_accept(request.headers.get("accept"))
    media = formats.choose_media(ranges, {"text/html": "html", "text/turtle": "ttl", "application/x-turtle": "ttl"})
    if media not in (None, "text/html"):
        return Response(ONTOLOGY.read_bytes(), media_type="text/turtle; charset=utf-8", headers={"Vary": "Accept"})
    catalog = request.app.state.catalog
    uses = catalog.memo("pages", ("term_uses",),
                        lambda: {str(r["term"]): int(r["uses"]) for r in catalog.run("term_uses")})
    graph = vocabulary()
    header = URIRef(TKG.rstrip("#"))
    return HTMLResponse(page("ontology.html", sections=terms(), uses=uses, version=__version__,
                             title=str(graph.value(header, URIRef("http://purl.org/dc/terms/title")) or "Ontology"),
                             description=str(graph.value(header, URIRef("http://purl.org/dc/terms/description")) or "")),
                        headers={"Vary": "Accept"})
