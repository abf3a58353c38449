"""HTML for people: Jinja2 templates (autoescaped), and how a term is shown and linked.

Every IRI of the graph links to the page that describes it *on this server*: ``/id/…`` for instances,
``/graph/…`` for sources (their provenance record), ``/ontology#term`` for the vocabulary.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

BASE = "https://w3id.org/tradekg/"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
ONTOLOGY = BASE + "ontology#"
PREFIXES = {
    "tkg": ONTOLOGY, "id": ID, "graph": GRAPH,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#", "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#", "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#", "sh": "http://www.w3.org/ns/shacl#",
}
DATES = {PREFIXES["xsd"] + k for k in ("date", "dateTime", "gYear", "gYearMonth")}


def href(iri: str) -> str | None:
    """Where an IRI is described on this server; None for IRIs we do not describe (they link out as they are)."""
    if iri.startswith(ID):
        return "/id/" + iri[len(ID):]
    if iri.startswith(GRAPH):
        return "/graph/" + iri[len(GRAPH):]
    if iri.startswith(ONTOLOGY):
        return "/ontology#" + iri[len(ONTOLOGY):]
    return None


def curie(iri: str) -> str:
    """``tkg:thirdParty``, ``id:economy/MEX``; the full IRI when no prefix fits."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def term(value: Identifier | None, label: Any = None) -> Markup:
    """A term as HTML: an IRI as a link (to its page here, or out), a literal as text with its datatype."""
    if value is None:
        return Markup("")
    if isinstance(value, URIRef):
        iri = str(value)
        text = str(label) if label else curie(iri)
        local = href(iri)
        if local is not None:
            return Markup('<a href="{0}" title="{1}">{2}</a>').format(local, iri, text)
        if iri.startswith(("http://", "https://")):
            return Markup('<a href="{0}" class="out" rel="nofollow">{1}</a>').format(iri, text)
        return Markup("<span>{0}</span>").format(text)
    if isinstance(value, BNode):
        return Markup('<span class="bnode">_:{0}</span>').format(str(value)[:8])
    assert isinstance(value, Literal)
    kind = ""
    if value.language:
        kind = f"@{value.language}"
    elif value.datatype is not None:
        kind = curie(str(value.datatype))
    tag = Markup(' <small class="dt">{0}</small>').format(kind) if kind else Markup("")
    return Markup('<span class="lit">{0}</span>{1}').format(str(value), tag)


@cache
def environment() -> Environment:
    folder = files(__package__) / "templates"
    env = Environment(loader=FileSystemLoader(str(folder)), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(term=term, href=href, curie=curie)
    env.filters["thousands"] = lambda n: f"{int(n):,}"
    env.filters["uri"] = URIRef
    return env


def page(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


__all__ = ["page", "term", "href", "curie", "escape"]
