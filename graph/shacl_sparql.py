"""SHACL Core, compiled to SPARQL and run inside the store.

pySHACL walks the graph in Python: about 10 s for 120k triples here, and it grows with every
product and measure. The shapes tradekg writes use a small part of SHACL Core (targetClass,
simple property paths, min/maxCount, datatype, class, nodeKind, pattern, hasValue, in, and/or/not),
which compiles to one SPARQL query per constraint and runs in the engine in a fraction of that.
The tests check this compiler against pySHACL on valid and invalid graphs; anything it cannot
compile raises, rather than passing silently.

Cost: Oxigraph evaluates ``rdf:type/rdfs:subClassOf*`` as a path for every focus node and every value
of an sh:class constraint (3.5 s per check over 100k trade flows). Given the data graph's subclass
closure (``subclasses``, see :func:`subclass_closure`), an instance test becomes a plain ``rdf:type``
lookup per class instead (1.2 s), with the same meaning; and sh:minCount/sh:maxCount on one path are
one grouped query, not two.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

import rdflib
from rdflib import RDF, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from .errors import UnsupportedShape

_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_INSTANCE = "?{v} " + _TYPE + "/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* {c}"
Subclasses = Mapping[str, Iterable[str]]  # class IRI -> the classes whose instances are its instances


def _instance(var: str, cls, subclasses: Subclasses | None) -> str:
    """A pattern that matches when ``?var`` is an instance of ``cls`` (SHACL's rdf:type/rdfs:subClassOf*).

    With the data's subclass closure it is a union of plain rdf:type patterns, which the engine answers
    by index lookups; without, the property path."""
    if subclasses is None:
        return _INSTANCE.format(v=var, c=f"<{cls}>")
    classes = sorted({str(cls), *subclasses.get(str(cls), ())})
    if len(classes) == 1:
        return f"?{var} {_TYPE} <{classes[0]}>"
    return " UNION ".join(f"{{ ?{var} {_TYPE} <{c}> }}" for c in classes)


def subclass_closure(classes: Iterable[str], query) -> dict[str, set[str]]:
    """For each class IRI, every class that is rdfs:subClassOf+ it in the data graph.

    ``query(text)`` runs a SELECT on the data graph (the union of its named graphs) and yields rows whose
    first value is an IRI term."""
    return {c: {row[0].value for row in query(f"SELECT DISTINCT ?sub WHERE {{ ?sub "
                                               f"<http://www.w3.org/2000/01/rdf-schema#subClassOf>+ <{c}> }}")}
            for c in classes}


def shape_classes(shapes: Graph) -> set[str]:
    """The classes the shapes test membership of (targets and sh:class values)."""
    return {str(c) for c in shapes.objects(None, SH.targetClass)} | {str(c) for c in shapes.objects(None, SH["class"])}
_KNOWN = {SH.path, SH.name, SH.message, SH.description, SH.minCount, SH.maxCount, SH.datatype, SH["class"],
          SH.nodeKind, SH.pattern, SH.flags, SH.hasValue, SH["or"], SH["not"], SH["and"], SH.property,
          SH.targetClass, SH["in"], SH.severity, SH.order, SH.group, RDF.type, rdflib.RDFS.label, rdflib.RDFS.comment}


_NODE_SKIP = frozenset({SH.property, SH.targetClass, SH.message, SH.name, SH.description, RDF.type,
                        rdflib.RDFS.label, rdflib.RDFS.comment})
_PROPERTY_SKIP = frozenset({SH.path, SH.minCount, SH.maxCount, SH.name, SH.message, SH.description})


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a SELECT whose every row (?focus, ?value) is a violation."""

    shape: str
    path: str
    message: str
    query: str


def _string(text: str) -> str:
    return json.dumps(text)  # a valid SPARQL string literal (escapes quotes, backslashes, newlines)


def _condition(shapes: Graph, node, var: str, skip: frozenset = frozenset(),
               subclasses: Subclasses | None = None) -> str:
    """A SPARQL expression that is true when ``?var`` conforms to the constraints of ``node``
    (leaving out the predicates in ``skip``, which the caller compiles itself)."""
    parts: list[str] = []
    for predicate, value in shapes.predicate_objects(node):
        if predicate in skip:
            continue
        if predicate not in _KNOWN:
            raise UnsupportedShape(f"{node}: {predicate} is not supported by the SPARQL compiler")
        if predicate == SH.datatype:
            parts.append(f"(isLiteral(?{var}) && datatype(?{var}) = <{value}>)")
        elif predicate == SH.nodeKind:
            kinds = {SH.IRI: f"isIRI(?{var})", SH.Literal: f"isLiteral(?{var})", SH.BlankNode: f"isBlank(?{var})",
                     SH.IRIOrLiteral: f"(isIRI(?{var}) || isLiteral(?{var}))",
                     SH.BlankNodeOrIRI: f"(isBlank(?{var}) || isIRI(?{var}))",
                     SH.BlankNodeOrLiteral: f"(isBlank(?{var}) || isLiteral(?{var}))"}
            parts.append(kinds[value])
        elif predicate == SH.pattern:
            flags = shapes.value(node, SH.flags)
            extra = f", {_string(str(flags))}" if flags else ""
            parts.append(f"(!isBlank(?{var}) && REGEX(STR(?{var}), {_string(str(value))}{extra}))")
        elif predicate == SH["class"]:
            parts.append(f"EXISTS {{ {_instance(var, value, subclasses)} }}")
        elif predicate == SH.hasValue and shapes.value(node, SH.path) is None:
            parts.append(f"(?{var} = {value.n3()})")
        elif predicate == SH["in"]:
            members = ", ".join(m.n3() for m in Collection(shapes, value))
            parts.append(f"(?{var} IN ({members}))")
        elif predicate == SH["or"]:
            parts.append("(" + " || ".join(_condition(shapes, m, var, subclasses=subclasses)
                                           for m in Collection(shapes, value)) + ")")
        elif predicate == SH["and"]:
            parts.append("(" + " && ".join(_condition(shapes, m, var, subclasses=subclasses) for m in Collection(shapes, value)) + ")")
        elif predicate == SH["not"]:
            parts.append(f"!({_condition(shapes, value, var, subclasses=subclasses)})")
    path = None if SH.path in skip else shapes.value(node, SH.path)
    if path is not None:  # a property shape inside a logical constraint: only hasValue is needed here
        _simple_path(node, path)
        for required in shapes.objects(node, SH.hasValue):
            parts.append(f"EXISTS {{ ?{var} <{path}> {required.n3()} }}")
        if set(shapes.predicates(node)) - {SH.path, SH.hasValue, SH.name, SH.message}:
            raise UnsupportedShape(f"{node}: only sh:hasValue is supported in a nested property shape")
    return " && ".join(parts) if parts else "true"


def _simple_path(node, path) -> None:
    if not isinstance(path, URIRef):
        raise UnsupportedShape(f"{node}: only single-IRI sh:path values are supported")


def compile_shapes(shapes: Graph, subclasses: Subclasses | None = None) -> Iterator[Check]:
    """Every constraint of every node shape with an sh:targetClass, as one SPARQL check.

    ``subclasses`` is the data graph's subclass closure of :func:`shape_classes` (from
    :func:`subclass_closure`); without it the checks follow rdfs:subClassOf* themselves, slower."""
    for shape in sorted(set(shapes.subjects(SH.targetClass, None)), key=str):
        name = str(shape)
        node_message = str(shapes.value(shape, SH.message) or "")
        for target in shapes.objects(shape, SH.targetClass):
            focus = _instance("focus", target, subclasses)
            condition = _condition(shapes, shape, "focus", _NODE_SKIP, subclasses)
            if condition != "true":
                yield Check(name, "", node_message, f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} . "
                                                     f"BIND(?focus AS ?value) FILTER(!({condition})) }}")
            for prop in shapes.objects(shape, SH.property):
                yield from _property_checks(shapes, name, focus, prop, subclasses)


def _property_checks(shapes: Graph, name: str, focus: str, prop,
                     subclasses: Subclasses | None = None) -> Iterator[Check]:
    path = shapes.value(prop, SH.path)
    _simple_path(prop, path)
    message = str(shapes.value(prop, SH.message) or "")
    low, high = shapes.value(prop, SH.minCount), shapes.value(prop, SH.maxCount)
    low = int(low) if low is not None and int(low) > 0 else None
    high = int(high) if high is not None else None
    p = f"<{path}>"
    # Exactly one, at least one, at most one (nearly every count in the shapes): joins the engine answers
    # without grouping every focus node (a third less CPU over 100k trade flows than COUNT ... GROUP BY).
    if low == 1 and high == 1:
        yield Check(name, str(path), message,
                    f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} . OPTIONAL {{ ?focus {p} ?value . OPTIONAL "
                    f"{{ ?focus {p} ?other . FILTER(!sameTerm(?value, ?other)) }} }} FILTER(!BOUND(?value) || BOUND(?other)) }}")
    elif low == 1 and high is None:
        yield Check(name, str(path), message,
                    f"SELECT ?focus ?value WHERE {{ {focus} . FILTER NOT EXISTS {{ ?focus {p} ?v }} }}")
    elif low is None and high == 1:
        yield Check(name, str(path), message,
                    f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} . ?focus {p} ?value . ?focus {p} ?other . "
                    f"FILTER(!sameTerm(?value, ?other)) }}")
    elif low is not None:  # one grouped query for both bounds (same shape, path and message either way)
        too_few, too_many = f"COUNT(DISTINCT ?v) < {low}", f"COUNT(DISTINCT ?v) > {high}"
        having = too_few if high is None else f"{too_few} || {too_many}"
        yield Check(name, str(path), message,
                    f"SELECT ?focus (COUNT(DISTINCT ?v) AS ?value) WHERE {{ {focus} . OPTIONAL {{ ?focus {p} ?v }} }}"
                    f" GROUP BY ?focus HAVING ({having})")
    elif high is not None:
        yield Check(name, str(path), message,
                    f"SELECT ?focus (COUNT(DISTINCT ?v) AS ?value) WHERE {{ {focus} . ?focus {p} ?v }}"
                    f" GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) > {high})")
    condition = _condition(shapes, prop, "value", _PROPERTY_SKIP, subclasses)
    if condition != "true":
        yield Check(name, str(path), message,
                    f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} . ?focus <{path}> ?value . FILTER(!({condition})) }}")
