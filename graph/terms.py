"""The public IRIs of the graph (the contract researchers write SPARQL against) and term helpers.

Loaders build pyoxigraph terms directly: it is the store's native type, and skipping rdflib
objects on the hot path keeps a full build fast.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pyoxigraph import Literal, NamedNode

BASE = "https://w3id.org/tradekg/"
TKG_NS = BASE + "ontology#"
ID_NS = BASE + "id/"
GRAPH_NS = BASE + "graph/"

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_NS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
OWL_NS = "http://www.w3.org/2002/07/owl#"
SKOS_NS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS_NS = "http://purl.org/dc/terms/"
PROV_NS = "http://www.w3.org/ns/prov#"
DCAT_NS = "http://www.w3.org/ns/dcat#"

PREFIXES = {
    "tkg": TKG_NS, "id": ID_NS, "rdf": RDF_NS, "rdfs": RDFS_NS, "xsd": XSD_NS, "owl": OWL_NS,
    "skos": SKOS_NS, "dcterms": DCTERMS_NS, "prov": PROV_NS, "dcat": DCAT_NS,
}


class _Namespace:
    """Attribute access to terms of one vocabulary: ``TKG.Economy``."""

    def __init__(self, base: str):
        self._base = base

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        return NamedNode(self._base + name)

    def __getitem__(self, name: str) -> NamedNode:
        return NamedNode(self._base + name)


TKG = _Namespace(TKG_NS)
RDF = _Namespace(RDF_NS)
RDFS = _Namespace(RDFS_NS)
XSD = _Namespace(XSD_NS)
SKOS = _Namespace(SKOS_NS)
DCTERMS = _Namespace(DCTERMS_NS)
PROV = _Namespace(PROV_NS)
OWL = _Namespace(OWL_NS)
DCAT = _Namespace(DCAT_NS)

A = RDF.type
_DATE = XSD.date
_DATETIME = XSD.dateTime
_INTEGER = XSD.integer
_BOOLEAN = XSD.boolean
_DECIMAL = XSD.decimal


def instance(*path: str) -> NamedNode:
    """An instance IRI under id/, e.g. ``instance("dispute", "DS544")``."""
    return NamedNode(ID_NS + "/".join(path))


def economy(code: str) -> NamedNode:
    return instance("economy", code)


def graph_iri(source_key: str) -> NamedNode:
    """The named graph that holds one source's triples."""
    return NamedNode(GRAPH_NS + source_key)


def text(value: str) -> Literal:
    return Literal(value)


def date(value: dt.date) -> Literal:
    return Literal(value.isoformat(), datatype=_DATE)


def datetime(value: dt.datetime) -> Literal:
    return Literal(value.isoformat(timespec="seconds"), datatype=_DATETIME)


def integer(value: int) -> Literal:
    return Literal(str(int(value)), datatype=_INTEGER)


def boolean(value: bool) -> Literal:
    return Literal("true" if value else "false", datatype=_BOOLEAN)


def decimal(value: Decimal | str) -> Literal:
    return Literal(format(Decimal(value), "f"), datatype=_DECIMAL)
