"""What an entity page shows, read from the catalog queries ``entity_summary``, ``entity_out`` and ``entity_in``:
the statements about one IRI and pointing at it, grouped by property, each with the sources that state it.

A group of more than :data:`SHOWN` statements shows its first ones and links to a paged view of the group.
The same statements, without paging, make the RDF answer (Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads, TriG).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.term import Identifier

from ... import queries
from ...graph.remote import bind_values
from ..deps import Catalog
from .render import DATES, PREFIXES

SHOWN = 20        # statements shown of a group longer than a page, on the entity page
PER_PAGE = 100    # statements per page of one group
FEW = 100         # a side (out or in) with at most this many statements is read in one query
LABELS = (PREFIXES["rdfs"] + "label", PREFIXES["skos"] + "prefLabel", PREFIXES["dcterms"] + "title")
TYPE = PREFIXES["rdf"] + "type"


@dataclass
class Statement:
    value: Identifier
    label: Identifier | None
    graphs: list[str] = field(default_factory=list)


@dataclass
class Group:
    direction: str                 # "out": the entity's own property; "in": others point at it
    property: str
    total: int                     # statements (one per value, whatever the number of sources)
    graphs: list[str]
    statements: list[Statement] = field(default_factory=list)
    page: int = 1

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PER_PAGE))


@dataclass
class Entity:
    iri: str
    groups: list[Group]
    queries: list[tuple[str, str]]  # (name, SPARQL with the parameters bound): what produced the page

    def out(self, prop: str) -> list[Statement]:
        return [s for g in self.groups if g.direction == "out" and g.property == prop for s in g.statements]

    @property
    def label(self) -> str:
        for prop in LABELS:
            for statement in self.out(prop):
                return str(statement.value)
        return self.iri.rsplit("/", 1)[-1]

    @property
    def types(self) -> list[Statement]:
        return self.out(TYPE)

    @property
    def dates(self) -> list[tuple[str, Statement]]:
        return [(g.property, s) for g in self.groups if g.direction == "out" for s in g.statements
                if isinstance(s.value, Literal) and s.value.datatype is not None and str(s.value.datatype) in DATES]

    @property
    def sources(self) -> list[str]:
        return sorted({graph for g in self.groups for graph in g.graphs})


def _statements(rows, key: str) -> dict[str, list[Statement]]:
    """Rows of entity_out/entity_in as statements per property, one per value with every source."""
    by_property: dict[str, dict[Identifier, Statement]] = defaultdict(dict)
    for row in rows:
        value = row[key]
        found = by_property[str(row["property"])].setdefault(value, Statement(value, row.get("label")))
        found.graphs.append(str(row["graph"]))
    return {prop: list(values.values()) for prop, values in by_property.items()}


def summary(catalog: Catalog, iri: str) -> list[Group]:
    """The entity's groups, counted (no statements yet); empty when the graph says nothing about ``iri``."""
    groups = [Group(str(r["direction"]), str(r["property"]), int(r["statements"]), sorted(str(r["graphs"]).split()))
              for r in catalog.run("entity_summary", entity=iri)]
    return sorted(groups, key=lambda g: (g.direction != "out", g.property != TYPE, g.property))


def load(catalog: Catalog, iri: str, direction: str | None = None, prop: str | None = None,
         page: int = 1) -> Entity | None:
    """The entity page's content: every group with its first statements, or one group's ``page``.

    A side (out or in) with few statements comes in one sorted query; a long one as a sample of each
    property (``entity_*_sample``: no sorting, so thousands of values cost what twenty do); one group's
    pages as the whole property, sorted, kept in the catalog's cache for the next page."""
    groups = summary(catalog, iri)
    if not groups:
        return None
    if direction is not None:
        groups = [g for g in groups if g.direction == direction and g.property == prop]
    shown: list[tuple[str, str]] = [("entity_summary", _show("entity_summary", entity=iri))]
    for name, side, key in (("entity_out", "out", "value"), ("entity_in", "in", "subject")):
        mine = [g for g in groups if g.direction == side]
        if not mine:
            continue
        found: dict[str, list[Statement]] = {}
        if direction is not None:
            found = _statements(catalog.run(name, entity=iri, property=prop), key)
            shown.append((name, _show(name, entity=iri, property=prop)))
        elif sum(g.total for g in mine) <= FEW:
            found = _statements(catalog.run(name, entity=iri), key)
            shown.append((name, _show(name, entity=iri)))
        else:
            sample = f"{name}_sample"
            for group in mine:
                rows = catalog.run(sample, entity=iri, property=group.property) if group.total > PER_PAGE \
                    else catalog.run(name, entity=iri, property=group.property)
                found.update(_statements(rows, key))
            shown.append((sample, _show(sample, entity=iri, property=mine[0].property)))
        for group in mine:
            statements = found.get(group.property, [])
            if direction is None:
                group.statements = sorted(statements, key=_order)[:PER_PAGE if group.total <= PER_PAGE else SHOWN]
            else:
                group.page = min(max(page, 1), group.pages)
                statements.sort(key=_order)
                group.statements = statements[(group.page - 1) * PER_PAGE:group.page * PER_PAGE]
    return Entity(iri, groups, shown)


def _order(statement: Statement) -> tuple[str, str]:
    return (str(statement.label or statement.value).casefold(), str(statement.value))


def _show(name: str, **raw: str) -> str:
    query = queries.get(name)
    return bind_values(query.text, query.bind(raw))


def rdf(catalog: Catalog, iri: str) -> Dataset:
    """Every statement about ``iri`` and pointing at it, each in the named graph that states it."""
    data = Dataset()
    for row in catalog.run("entity_out", entity=iri):
        data.graph(URIRef(str(row["graph"]))).add((URIRef(iri), row["property"], row["value"]))
    for row in catalog.run("entity_in", entity=iri):
        data.graph(URIRef(str(row["graph"]))).add((row["subject"], row["property"], URIRef(iri)))
    return data


def triples(data: Dataset) -> Graph:
    """The statements without their graphs, for the triple formats (Turtle, N-Triples, JSON-LD, RDF/XML)."""
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    for s, p, o, _ in data.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph
