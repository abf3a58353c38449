"""The data out: ``/dump.nq.gz`` (every named graph, streamed and compressed as it is written) and the VoID
description at ``/.well-known/void`` (per named graph: triples, title, licence, origin, retrieval date; class
and property partitions, read from graph/statistics; the SPARQL endpoint and the dump), which the SPARQL
service description links to."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response, StreamingResponse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from ...graph import dump
from .. import formats
from .render import ID, ONTOLOGY

router = APIRouter(include_in_schema=False)
VOID = Namespace("http://rdfs.org/ns/void#")
TKG = Namespace(ONTOLOGY)
SERIALIZERS = {"TURTLE": "turtle", "N_TRIPLES": "nt", "N_QUADS": "nquads", "TRIG": "trig", "RDF_XML": "xml",
               "JSON_LD": "json-ld"}


@router.get("/dump.nq.gz")
def dump_nquads(request: Request) -> StreamingResponse:
    store = request.app.state.store
    return StreamingResponse(dump.gzipped(dump.chunks(store, "nquads")), media_type="application/gzip",
                             headers={"Content-Disposition": 'attachment; filename="tradekg.nq.gz"'})


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def describe(request: Request) -> Graph:
    """The VoID description of the served graph, built from catalog answers (cached with the catalog)."""
    catalog, base = request.app.state.catalog, base_url(request)
    data = Graph()
    for prefix, ns in (("void", VOID), ("dcterms", DCTERMS), ("tkg", TKG), ("xsd", XSD)):
        data.bind(prefix, ns)
    me = URIRef(base + "/.well-known/void#tradekg")
    data.add((me, RDF.type, VOID.Dataset))
    data.add((me, DCTERMS.title, Literal("tradekg: a knowledge graph of international trade relationships")))
    data.add((me, VOID.sparqlEndpoint, URIRef(base + "/sparql")))
    data.add((me, VOID.dataDump, URIRef(base + "/dump.nq.gz")))
    data.add((me, VOID.uriSpace, Literal(ID)))
    data.add((me, VOID.vocabulary, URIRef(ONTOLOGY)))
    data.add((me, VOID.exampleResource, URIRef(ID + "dispute/DS544")))
    retrieved = {str(r["graph"]): r["retrieved"] for r in catalog.run("sources_retrieved")}
    total = 0
    for row in catalog.run("triples_per_graph"):
        graph = URIRef(str(row["graph"]))
        total += int(row["triples"])
        data.add((me, VOID.subset, graph))
        data.add((graph, RDF.type, VOID.Dataset))
        data.add((graph, VOID.triples, Literal(int(row["triples"]))))
        if row.get("title"):
            data.add((graph, DCTERMS.title, row["title"]))
        if str(graph) in retrieved:
            data.add((graph, DCTERMS.modified, retrieved[str(graph)]))
    for row in catalog.run("void_sources"):
        graph = URIRef(str(row["graph"]))
        if row.get("license") is not None:
            data.add((graph, DCTERMS.license, row["license"]))
        if row.get("origin") is not None:
            data.add((graph, DCTERMS.source, row["origin"]))
    data.add((me, VOID.triples, Literal(total)))
    for row in catalog.run("instances_per_class"):
        partition = BNode()
        data.add((me, VOID.classPartition, partition))
        data.add((partition, VOID["class"], row["class"]))
        data.add((partition, VOID.entities, Literal(int(row["instances"]))))
    for row in catalog.run("property_partitions"):
        partition = BNode()
        data.add((me, VOID.propertyPartition, partition))
        data.add((partition, VOID.property, row["property"]))
        data.add((partition, VOID.triples, Literal(int(row["triples"]))))
    return data


@router.get("/.well-known/void")
def void(request: Request) -> Response:
    """Turtle by default; any RDF format by Accept (N-Triples, RDF/XML, JSON-LD …)."""
    ranges = formats.parse_accept(request.headers.get("accept"))
    media = formats.choose_media(ranges, formats.GRAPH_TYPES) or (
        "text/turtle" if formats.choose_media(ranges, {"text/html": "html"}) else None)
    if media is None:
        raise HTTPException(406, "the VoID description is available as Turtle, N-Triples, RDF/XML or JSON-LD")
    body = describe(request).serialize(format=SERIALIZERS[formats.GRAPH_TYPES[media]])
    return Response(body, media_type=formats.content_type(media), headers={"Vary": "Accept"})
