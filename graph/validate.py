"""SHACL validation of a built graph against ontology/shapes.ttl.

The build runs the shapes compiled to SPARQL inside the store (:mod:`.shacl_sparql`, fast);
pySHACL (no inference) is the reference implementation the tests compare it with.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyoxigraph as ox
import rdflib
from pyshacl import validate as shacl_validate

from ..ontology import SHAPES
from .errors import ValidationError
from .shacl_sparql import compile_shapes, shape_classes, subclass_closure

_SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    shape: str

    def __str__(self) -> str:
        return f"{self.focus} {self.path}: {self.message} ({self.shape})"


def shapes_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    with SHAPES.open("rb") as handle:
        graph.parse(handle, format="turtle")
    return graph


def to_rdflib_graph(db: ox.Store) -> rdflib.Graph:
    """The union of all named graphs as one rdflib graph (N-Triples is the fastest hand-over)."""
    result = db.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    union = rdflib.Graph()
    union.parse(data=result.serialize(format=ox.RdfFormat.N_TRIPLES), format="nt")
    return union


def violations(data: rdflib.Graph, shapes: rdflib.Graph | None = None) -> list[Violation]:
    """Every SHACL violation in ``data``; empty when the graph conforms."""
    conforms, report, _text = shacl_validate(data, shacl_graph=shapes or shapes_graph(),
                                             inference="none", advanced=False, allow_warnings=True)
    if conforms:
        return []
    found = []
    for result in report.subjects(rdflib.RDF.type, _SH.ValidationResult):
        if report.value(result, _SH.resultSeverity) != _SH.Violation:
            continue
        found.append(Violation(
            focus=str(report.value(result, _SH.focusNode)),
            path=str(report.value(result, _SH.resultPath) or ""),
            message=str(report.value(result, _SH.resultMessage) or ""),
            shape=str(report.value(result, _SH.sourceShape) or ""),
        ))
    return sorted(found, key=lambda v: (v.focus, v.path))


def store_violations(db: ox.Store, shapes: rdflib.Graph | None = None,
                     progress: Callable[[str], None] = lambda _msg: None) -> list[Violation]:
    """Every violation in a store, found by the compiled SPARQL checks (union of all named graphs).

    ``progress`` hears about every quarter of the checks done: validation is the longest silent step of a
    first build, and its time grows with the graph and the machine's load."""
    def run(check):  # pyoxigraph releases the GIL while it evaluates, so checks run in parallel
        return [Violation(focus=row["focus"].value, path=check.path, message=check.message, shape=check.shape)
                for row in db.query(check.query, use_default_graph_as_union=True)]

    shapes = shapes or shapes_graph()
    closure = subclass_closure(shape_classes(shapes), lambda text: db.query(text, use_default_graph_as_union=True))
    checks = list(compile_shapes(shapes, closure))
    started, found, marks = time.perf_counter(), set(), {len(checks) * q // 4 for q in (1, 2, 3)}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for done, batch in enumerate(pool.map(run, checks), start=1):
            found.update(batch)
            if done in marks:
                progress(f"  {done}/{len(checks)} checks done in {time.perf_counter() - started:.1f} s …")
    return sorted(found, key=lambda v: (v.focus, v.path))


def check(db: ox.Store, progress: Callable[[str], None] = lambda _msg: None) -> None:
    """Raise :class:`ValidationError` listing the first violations."""
    found = store_violations(db, progress=progress)
    if found:
        shown = "\n".join(f"  {v}" for v in found[:20])
        more = f"\n  … and {len(found) - 20} more" if len(found) > 20 else ""
        raise ValidationError(f"the graph violates {len(found)} SHACL constraint(s):\n{shown}{more}")
