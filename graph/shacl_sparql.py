"""SHACL Core, compiled to SPARQL and run inside the store.

pySHACL walks the graph in Python: about 10 s for 120k triples here, and it grows with every
product and measure. The shapes tradekg writes use a small part of SHACL Core (targetClass,
simple property paths, min/maxCount, datatype, class, nodeKind, pattern, hasValue, in, and/or/not),
which compiles to one SPARQL query per constraint and runs in the engine in a fraction of that.
The tests check this compiler against pySHACL on valid and invalid graphs; anything it cannot
compile raises, rather than passing silently.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import rdflib
from rdflib import RDF, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from .errors import UnsupportedShape

_INSTANCE = "?{v} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* {c}"
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


def _condition(shapes: Graph, node, var: str, skip: frozenset = frozenset()) -> str:
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
            parts.append(f"EXISTS {{ {_INSTANCE.format(v=var, c=f'<{value}>')} }}")
        elif predicate == SH.hasValue and shapes.value(node, SH.path) is None:
            parts.append(f"(?{var} = {value.n3()})")
        elif predicate == SH["in"]:
            members = ", ".join(m.n3() for m in Collection(shapes, value))
            parts.append(f"(?{var} IN ({members}))")
        elif predicate == SH["or"]:
            parts.append("(" + " || ".join(_condition(shapes, m, var) for m in Collection(shapes, value)) + ")")
        elif predicate == SH["and"]:
            parts.append("(" + " && ".join(_condition(shapes, m, var) for m in Collection(shapes, value)) + ")")
        elif predicate == SH["not"]:
            parts.append(f"!({_condition(shapes, value, var)})")
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


def compile_shapes(shapes: Graph) -> Iterator[Check]:
    """Every constraint of every node shape with an sh:targetClass, as one SPARQL check."""
    for shape in sorted(set(shapes.subjects(SH.targetClass, None)), key=str):
        name = str(shape)
        node_message = str(shapes.value(shape, SH.message) or "")
        for target in shapes.objects(shape, SH.targetClass):
            focus = _INSTANCE.format(v="focus", c=f"<{target}>")
            condition = _condition(shapes, shape, "focus", _NODE_SKIP)
            if condition != "true":
                yield Check(name, "", node_message, f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} . "
                                                     f"BIND(?focus AS ?value) FILTER(!({condition})) }}")
            for prop in shapes.objects(shape, SH.property):
                yield from _property_checks(shapes, name, focus, prop)


def _property_checks(shapes: Graph, name: str, focus: str, prop) -> Iterator[Check]:
    path = shapes.value(prop, SH.path)
    _simple_path(prop, path)
    message = str(shapes.value(prop, SH.message) or "")
    low, high = shapes.value(prop, SH.minCount), shapes.value(prop, SH.maxCount)
    if low is not None and int(low) > 0:
        yield Check(name, str(path), message,
                    f"SELECT ?focus (COUNT(DISTINCT ?v) AS ?value) WHERE {{ {focus} . OPTIONAL {{ ?focus <{path}> ?v }} }}"
                    f" GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) < {int(low)})")
    if high is not None:
        yield Check(name, str(path), message,
                    f"SELECT ?focus (COUNT(DISTINCT ?v) AS ?value) WHERE {{ {focus} . ?focus <{path}> ?v }}"
                    f" GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) > {int(high)})")
    condition = _condition(shapes, prop, "value", _PROPERTY_SKIP)
    if condition != "true":
        yield Check(name, str(path), message,
                    f"SELECT DISTINCT ?focus ?value WHERE {{ {focus} . ?focus <{path}> ?value . FILTER(!({condition})) }}")
