"""The SPARQL 1.1 Service Description returned by GET /sparql without a query (sd: vocabulary).

Built as an RDF graph of terms, never by pasting text: the endpoint's IRI comes from the request (its Host
header), and pasted into Turtle a crafted Host could have added triples of its own. rdflib escapes every
term when it serialises; the engine then converts the N-Triples to the format the client asked for.
"""

from __future__ import annotations

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDFS, DCTERMS

from ..graph.store import convert_rdf

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "N-Quads", "TriG", "RDF_XML", "JSON-LD"]


def describe(endpoint: str, named_graphs: list[str], update: bool, federation: bool) -> Graph:
    """The endpoint, its languages, result formats, features and dataset, as a graph.

    ``endpoint`` must already be checked as an absolute IRI (see ``api/sparql.py``)."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("dcterms", DCTERMS)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, DCTERMS.title, Literal("tradekg: a knowledge graph of international trade")))
    graph.add((service, RDFS.seeAlso, URIRef(endpoint.rsplit("/sparql", 1)[0] + "/.well-known/void")))  # VoID
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if update:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for name in RESULT_FORMATS:
        graph.add((service, SD.resultFormat, URIRef(FORMATS + name)))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if federation:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    dataset, default = BNode(), BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    for iri in named_graphs:
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(iri)))
    return graph


def serialise(graph: Graph, fmt: str) -> bytes:
    """The description in an RDF format (pyoxigraph name, e.g. TURTLE, JSON_LD), converted in the engine."""
    return convert_rdf(graph.serialize(format="nt", encoding="utf-8"), "N_TRIPLES", fmt)
